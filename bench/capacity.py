"""How many workers the night needs: the capacity model of docs/capacity.md (issue 21).

`python -m bench.capacity [--workers N] [--companies N] [--employees N]` (also `make capacity`,
and `make bench` with BENCH_CAPACITY=1) does three things, each on a fresh database
(DATABASE_URL's PostgreSQL, else SQLite) with real RQ workers and the sandboxes:

1. Costs. A calibration fleet — every provider, companies of a few sizes, interleaved — goes
   through the nightly job twice: first syncs, then resyncs with nothing changed. A worker
   runs one job after another, so the time from one of its jobs ending to its next ending
   is what that run cost the worker, all in (taking the job, forking, the run, its
   bookkeeping). A least-squares line through those, per provider, is the fixed cost per
   run and the cost per employee. Measured on the simulation's number of workers, so the
   costs include what those workers take from each other on this machine.
2. The model. A night is played out as RQ carries it out: the nightly job (on one worker)
   enqueues every integration; each provider's rate limit lets at most its
   `max_concurrent_syncs` runs into the queue (Liantis 2, the others 4) and a finished run
   lets that provider's next one in at the queue's tail; the workers take runs first in,
   first out. The fewest workers that finish the production night (10,000 companies,
   2,000,000 employees, a size mix of many small companies and a few large) within the
   window with the margin is the answer.
3. The check. A scaled-down night (1,000 companies, the same mix) on the same real
   workers, measured from the nightly job enqueued to the last run closed, against the
   model's prediction for the same companies in the same order, twice: the first night and
   a night of resyncs. The error is (measured - predicted) / measured.

It prints a table, then one JSON line. Every measurement records /proc/loadavg: other
work on this 2-core machine slows the runs and the model does not know it.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# --- The model: plain arithmetic, no database -----------------------------------------

PROVIDERS = ("securex", "liantis", "connexie", "hris")
# Which social secretariat or HR system a company's integration reads. An assumption
# (docs/capacity.md); only the shares of the capped providers change the answer.
PROVIDER_SHARES = {"securex": 0.40, "liantis": 0.25, "connexie": 0.20, "hris": 0.15}
# The sandbox serves at most this many people per company.
LARGEST_COMPANY = 50_000
# Many small employers, a few large ones: sizes drawn log-normally, the median about half
# the mean (exp(sigma^2 / 2) = 2.05), then scaled to the night's total.
SIZE_SIGMA = 1.2
# The night runs from 02:00 to 05:00; it must fit with a third to spare (retries, a slow
# provider, growth, a worker lost): planned to end by 04:00.
WINDOW_S = 3 * 3600
MARGIN = 1.5


@dataclass(frozen=True)
class Cost:
    """What one run costs a worker, in seconds: fixed + per_employee x employees."""

    fixed_s: float
    per_employee_s: float

    def of(self, employees: int) -> float:
        return self.fixed_s + self.per_employee_s * employees


@dataclass(frozen=True)
class Company:
    """One company's integration in the night: its provider, and how many people it lists."""

    provider: str
    employees: int


def fit(samples: Sequence[tuple[int, float]]) -> Cost:
    """The least-squares line through (employees, seconds)."""
    count = len(samples)
    mean_x = sum(x for x, _ in samples) / count
    mean_y = sum(y for _, y in samples) / count
    spread = sum((x - mean_x) ** 2 for x, _ in samples)
    if spread == 0:
        raise ValueError("companies of at least two sizes are needed to tell the fixed cost from the cost per employee")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in samples) / spread
    return Cost(mean_y - slope * mean_x, slope)


def size_mix(count: int, employees: int, seed: int = 1) -> list[int]:
    """`count` company sizes adding up to `employees`, many small and a few large."""
    rng = random.Random(seed)
    draws = [rng.lognormvariate(0, SIZE_SIGMA) for _ in range(count)]
    scale = employees / sum(draws)
    sizes = [max(1, min(LARGEST_COMPANY, round(d * scale))) for d in draws]
    # Rounding and clipping leave a few people over or short: the largest companies absorb them.
    for index in itertools.cycle(sorted(range(count), key=lambda i: -sizes[i])):
        gap = employees - sum(sizes)
        if gap == 0:
            break
        sizes[index] = max(1, min(LARGEST_COMPANY, sizes[index] + gap))
    return sizes


def provider_mix(count: int, seed: int = 1) -> list[str]:
    """`count` providers in `PROVIDER_SHARES`, in a shuffled order."""
    providers = [p for p, share in PROVIDER_SHARES.items() for _ in range(round(count * share))]
    providers = (providers + ["securex"] * count)[:count]
    random.Random(seed).shuffle(providers)
    return providers


def fleet(count: int, employees: int, seed: int = 1) -> list[Company]:
    return [Company(p, n) for p, n in zip(provider_mix(count, seed), size_mix(count, employees, seed), strict=True)]


def run_seconds(companies: Sequence[Company], costs: Mapping[str, Cost]) -> list[tuple[str, float]]:
    return [(c.provider, costs[c.provider].of(c.employees)) for c in companies]


def work_s(companies: Sequence[Company], costs: Mapping[str, Cost]) -> dict[str, float]:
    """Worker-seconds of the night, per provider."""
    total: Counter[str] = Counter()
    for provider, seconds in run_seconds(companies, costs):
        total[provider] += seconds
    return dict(total)


def play_night(runs: Sequence[tuple[str, float]], workers: int, caps: Mapping[str, int], enqueue_s: float) -> float:
    """When the last run ends, in seconds after the nightly job was enqueued.

    `runs` are (provider, seconds) in the order the nightly job enqueues them, one every
    `enqueue_s` on one of the workers. As RQ's rate limit does: a provider's run goes onto
    the queue while fewer than its cap are queued or running, else it waits its turn; a run
    that ends lets the oldest waiting run of its provider onto the queue's tail. An idle
    worker takes the queue's head.
    """
    events: list[tuple[float, int, str, int]] = []
    order = itertools.count()
    for index in range(len(runs)):
        heapq.heappush(events, ((index + 1) * enqueue_s, next(order), "enqueued", index))
    heapq.heappush(events, (len(runs) * enqueue_s, next(order), "nightly done", -1))
    idle = workers - 1
    queue: deque[int] = deque()
    allowed: Counter[str] = Counter()
    waiting: defaultdict[str, deque[int]] = defaultdict(deque)
    last_end = 0.0
    while events:
        now, _, kind, index = heapq.heappop(events)
        if kind == "enqueued":
            provider = runs[index][0]
            if allowed[provider] < caps[provider]:
                allowed[provider] += 1
                queue.append(index)
            else:
                waiting[provider].append(index)
        elif kind == "ended":
            provider = runs[index][0]
            allowed[provider] -= 1
            idle += 1
            last_end = now
            if waiting[provider]:
                allowed[provider] += 1
                queue.append(waiting[provider].popleft())
        else:
            idle += 1
        while idle and queue:
            index = queue.popleft()
            idle -= 1
            heapq.heappush(events, (now + runs[index][1], next(order), "ended", index))
    return last_end


def lower_bound_s(runs: Sequence[tuple[str, float]], workers: int, caps: Mapping[str, int]) -> float:
    """No schedule beats the work spread over every worker, each provider's work over its
    cap, or the longest run."""
    per_provider: Counter[str] = Counter()
    for provider, seconds in runs:
        per_provider[provider] += seconds
    return max(
        sum(per_provider.values()) / workers,
        *(seconds / caps[provider] for provider, seconds in per_provider.items()),
        *(seconds for _, seconds in runs),
    )


def workers_needed(
    runs: Sequence[tuple[str, float]], caps: Mapping[str, int], enqueue_s: float, deadline_s: float = WINDOW_S / MARGIN
) -> int | None:
    """The fewest workers that end the night by `deadline_s`; None when no number can,
    because the providers' caps hold it back (a worker beyond their sum, plus the one
    enqueuing, never has anything to do)."""
    for workers in range(1, sum(caps.values()) + 2):
        if play_night(runs, workers, caps, enqueue_s) <= deadline_s:
            return workers
    return None


def with_page_latency(
    companies: Sequence[Company], costs: Mapping[str, Cost], latency_s: Mapping[str, float], page_sizes: Mapping[str, int]
) -> list[tuple[str, float]]:
    """The runs when a provider answers each page `latency_s` slower than the sandbox on loopback."""
    return [
        (
            c.provider,
            costs[c.provider].of(c.employees) + math.ceil(c.employees / page_sizes[c.provider]) * latency_s.get(c.provider, 0),
        )
        for c in companies
    ]


def caps_and_page_sizes() -> tuple[dict[str, int], dict[str, int]]:
    """Each provider's fleet-wide cap on syncs at once, and its largest page, from its connector."""
    from portal.providers import connexie, hris, liantis, securex
    from portal.providers.registry import connector_class

    pages = {
        "securex": securex.MAX_PAGE_SIZE,
        "liantis": liantis.MAX_PAGE_SIZE,
        "connexie": connexie.MAX_PAGE_SIZE,
        "hris": hris.MAX_PAGE_SIZE,
    }
    return {p: connector_class(p).max_concurrent_syncs for p in PROVIDERS}, pages


# --- Measuring through real workers ----------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """What `python -m bench.capacity` measures; `TINY` for the test."""

    workers: int = 2
    # The calibration fleet: this many companies of each size for each provider.
    calibration_sizes: tuple[int, ...] = (5, 100, 500, 2000)
    calibration_repeats: int = 3
    # The scaled-down night, with the production night's size mix (its companies a quarter
    # the size): 1,000 keeps `make capacity` within minutes on a busy 2-core machine.
    companies: int = 1000
    employees: int = 50_000
    # The production night the model answers for.
    night_companies: int = 10_000
    night_employees: int = 2_000_000


TINY = Sizes(workers=1, calibration_sizes=(2, 40), calibration_repeats=2, companies=20, employees=400)


@dataclass
class Night:
    """One night through real workers, and what the model said it would take."""

    companies: int
    employees: int
    workers: int
    measured_s: float
    # The nightly job's time to enqueue one run.
    enqueue_s: float
    predicted_s: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    loadavg: str = ""
    # Rows in the database's tables after the night, and what the database did during it.
    database: dict[str, float] = field(default_factory=dict)

    @property
    def error_percent(self) -> float:
        return (self.measured_s - self.predicted_s) / self.measured_s * 100


# The scaled-down night takes minutes; anything near this is broken, not slow.
NIGHT_TIMEOUT_S = 1800


def loadavg() -> str:
    """The machine's load over 1, 5 and 15 minutes: other helpers' tests share its 2 cores."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def sandbox_dataset(companies: Sequence[Company], path: Path, seed: int = 1) -> list[dict]:
    """The sandboxes' dataset: one company per entry, of its size; written as JSON to `path`.

    Built as the sandbox builds its own (`generate_dataset`), each company of its own size,
    every VAT number distinct, none closed to Flexsync, no scheduled changes."""
    from sandbox.dataset import Dataset, EmployeeFactory, be_vat_from_base, generate_companies

    rng = random.Random(seed)
    generated = generate_companies(rng, len(companies))
    for index, (company, wanted) in enumerate(zip(generated, companies, strict=True)):
        company["vat"] = be_vat_from_base(3_000_000 + index)
        company["integration_available"] = True
        factory = EmployeeFactory(rng, company)
        company["employees"] = [factory.employee(number) for number in range(1, wanted.employees + 1)]
    path.write_text(json.dumps(Dataset(companies=generated).to_json()), encoding="utf-8")
    return generated


CONSENTS_AT_ONCE = 4


def seed_integrations(companies: Sequence[Company], generated: Sequence[dict], liantis_url: str) -> None:
    """A tenant per company, with its provider's integration active in full mode as the wizard
    leaves it: Securex by the shared API key, Liantis by a consent of the company's main user,
    Connexie by its token with every venue mapped to an entity of the company's own, the
    generic HR system by its key. Inserted in bulk, in the fleet's order."""
    import requests
    from sqlalchemy import insert

    from bench.database import integration_row
    from portal.extensions import db
    from portal.models import Entity, Integration, Tenant
    from portal.providers.base import Provider
    from sandbox.testing import MyLiantisBrowser, pkce_pair

    tenant_ids = (
        db.session.execute(
            insert(Tenant).returning(Tenant.id, sort_by_parameter_order=True),
            [{"name": f"Night {c['id']}", "vat_number": c["vat"], "default_language": "nl"} for c in generated],
        )
        .scalars()
        .all()
    )

    def consent(company_id: str) -> dict:
        browser = MyLiantisBrowser(liantis_url, requests.Session(), *pkce_pair())
        token = browser.consent_as_main_user(f"main.{company_id.lower()}")
        return {
            "access_token": token["access_token"],
            "refresh_token": token["refresh_token"],
            "expires_at": time.time() + token["expires_in"],
        }

    # Six requests a consent: a few at once, so the client's turns overlap the sandbox's.
    liantis = [source["id"] for company, source in zip(companies, generated, strict=True) if company.provider == "liantis"]
    with ThreadPoolExecutor(CONSENTS_AT_ONCE) as pool:
        tokens = dict(zip(liantis, pool.map(consent, liantis), strict=True))
    rows = []
    for tenant_id, company, source in zip(tenant_ids, companies, generated, strict=True):
        credentials: dict = {}
        settings: dict = {}
        if company.provider == "liantis":
            credentials = tokens[source["id"]]
        elif company.provider == "connexie":
            credentials = {"api_token": source["api_token"]}
            venues = [venue["id"] for venue in source["entities"]]
            entity_ids = (
                db.session.execute(
                    insert(Entity).returning(Entity.id, sort_by_parameter_order=True),
                    [{"tenant_id": tenant_id, "name": f"Venue {venue}"} for venue in venues],
                )
                .scalars()
                .all()
            )
            settings = {"venues": {venue: str(e) for venue, e in zip(venues, entity_ids, strict=True)}}
        elif company.provider == "hris":
            credentials = {"api_token": source["api_key"]}
        row = integration_row(tenant_id, source["id"])
        rows.append({**row, "provider": Provider(company.provider), "credentials": credentials, "settings": settings})
    db.session.execute(insert(Integration), rows)
    db.session.commit()


@dataclass
class Stage:
    app: object
    redis_url: str
    companies: list[Company]


@contextmanager
def stage(name: str, companies: list[Company], workdir: Path, redis_url: str, workers: int) -> Iterator[Stage]:
    """A fresh database with the companies' integrations, sandboxes serving them, `workers` workers."""
    from cryptography.fernet import Fernet
    from redis import Redis

    from bench import database
    from bench.processes import Children, start_sandboxes, start_worker
    from bench.run import make_app, process_env, wait_workers_listening
    from portal.extensions import db

    Redis.from_url(redis_url).flushdb()
    key = Fernet.generate_key().decode()
    dataset = workdir / f"{name}-dataset.json"
    generated = sandbox_dataset(companies, dataset)
    with database.phase_database(os.environ.get("DATABASE_URL"), workdir, name) as url:
        children = Children(workdir)
        app = None
        try:
            urls = start_sandboxes(children, f"{name}-sandbox", 1, len(companies), dataset=dataset)
            app = make_app(url, redis_url, key, urls)
            with app.app_context():
                seed_integrations(companies, generated, urls["liantis"])
            env = process_env(url, redis_url, key, urls, workdir)
            for n in range(workers):
                start_worker(children, f"{name}-worker-{n}", env)
            wait_workers_listening(redis_url, workers)
            with app.app_context():
                yield Stage(app, redis_url, companies)
        finally:
            children.stop_all()
            if app is not None:
                with app.app_context():
                    db.engine.dispose()


def night(st: Stage, workers: int) -> tuple[Night, list[Company], list[tuple[Company, float]]]:
    """The nightly job enqueued as `rq cron` does, until every run it started is closed.

    Returns the night; its companies in the order the nightly job enqueued them; and, for
    every run whose worker's cycle can be told, the company and what the run cost."""
    from redis import Redis
    from rq.job import Job
    from sqlalchemy import func, select

    from bench.run import OPEN_STATES, fresh
    from jobs.settings import NIGHTLY_TIMEOUT_S, SYNC_RUN
    from portal.models import Integration, SyncRun
    from portal.queue import DEFAULT_QUEUE, queue

    before = fresh(select(func.coalesce(func.max(SyncRun.id), 0)))[0][0]
    activity = database_activity()
    count = len(st.companies)
    started = time.perf_counter()
    nightly = queue(DEFAULT_QUEUE).enqueue("jobs.nightly.run_nightly_syncs", job_timeout=NIGHTLY_TIMEOUT_S)
    deadline = time.monotonic() + NIGHT_TIMEOUT_S
    while (closed := fresh(select(func.count()).where(SyncRun.id > before, SyncRun.status.not_in(OPEN_STATES)))[0][0]) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{count - closed} of {count} runs still open after {NIGHT_TIMEOUT_S} s")
        time.sleep(0.05)
    measured = time.perf_counter() - started
    load = loadavg()
    runs = fresh(
        select(SyncRun.id, SyncRun.status, Integration.provider_company_id)
        .join(Integration, Integration.id == SyncRun.integration_id)
        .where(SyncRun.id > before)
        .order_by(SyncRun.id)
    )
    by_company = {f"C{n + 1:03d}": c for n, c in enumerate(st.companies)}
    order = [by_company[company] for _, _, company in runs]
    connection = Redis.from_url(st.redis_url)
    nightly = Job.fetch(nightly.id, connection=connection)
    jobs = ended_jobs([SYNC_RUN.job_id(run_id) for run_id, _, _ in runs], connection)
    # The night's batches (jobs.nightly.start_nightly_syncs) start the runs: their time is the enqueueing.
    batches = [
        job
        for job in Job.fetch_many(queue(DEFAULT_QUEUE).finished_job_registry.get_job_ids(), connection=connection)
        if job is not None and job.func_name == "jobs.nightly.start_nightly_syncs" and job.enqueued_at >= nightly.enqueued_at
    ]
    cycles = worker_cycles(nightly, [*batches, *jobs])
    costs = [
        (by_company[company], cycles[job_id])
        for (_, _, company), job_id in zip(runs, (SYNC_RUN.job_id(r[0]) for r in runs), strict=True)
        if job_id in cycles
    ]
    result = Night(
        companies=count,
        employees=sum(c.employees for c in st.companies),
        workers=workers,
        measured_s=measured,
        enqueue_s=sum((job.ended_at - job.started_at).total_seconds() for job in (nightly, *batches)) / count,
        statuses=dict(Counter(status.value for _, status, _ in runs)),
        loadavg=load,
        database={**table_rows(), **activity_since(activity)},
    )
    return result, order, costs


def ended_jobs(job_ids: list[str], connection) -> list:
    """The jobs once every one has ended: a run is closed in the database a moment before
    its job ends (the summary e-mails, RQ's bookkeeping)."""
    from rq.job import Job

    deadline = time.monotonic() + 60
    while True:
        jobs = Job.fetch_many(job_ids, connection=connection)
        if all(job is not None and job.ended_at is not None for job in jobs):
            return jobs
        if time.monotonic() > deadline:
            raise TimeoutError("sync jobs still not ended a minute after their runs closed")
        time.sleep(0.05)


def worker_cycles(nightly, jobs) -> dict[str, float]:
    """Job id -> seconds from its worker's previous job ending (or from the job reaching the
    queue, when the worker was waiting for one) to this one ending."""
    by_worker: defaultdict[str, list] = defaultdict(list)
    for job in [nightly, *jobs]:
        if job is not None and job.ended_at is not None:
            by_worker[job.worker_name].append(job)
    cycles = {}
    for done in by_worker.values():
        done.sort(key=lambda j: j.ended_at)
        for previous, job in itertools.pairwise(done):
            cycles[job.id] = (job.ended_at - max(previous.ended_at, job.enqueued_at)).total_seconds()
    return cycles


TABLES = ("employees", "wage_contracts", "sync_runs", "sync_run_employees")


def table_rows() -> dict[str, float]:
    from sqlalchemy import text

    from portal.extensions import db

    try:
        return {f"rows_{t}": db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
    finally:
        db.session.rollback()


PG_ACTIVITY = ("xact_commit", "tup_inserted", "tup_updated", "tup_deleted", "tup_fetched", "blks_hit", "blks_read")


def database_activity() -> dict[str, float]:
    """PostgreSQL's counters for this database (commits, rows written and read); nothing on SQLite."""
    from sqlalchemy import text

    from portal.extensions import db

    if db.engine.dialect.name != "postgresql":
        return {}
    try:
        # The counters reach the statistics at most a second late (PostgreSQL 15).
        time.sleep(1.1)
        columns = ", ".join(PG_ACTIVITY)
        row = db.session.execute(text(f"SELECT {columns} FROM pg_stat_database WHERE datname = current_database()")).one()
        return dict(zip(PG_ACTIVITY, map(float, row), strict=True))
    finally:
        db.session.rollback()


def activity_since(before: dict[str, float]) -> dict[str, float]:
    after = database_activity()
    return {f"pg_{name}": after[name] - before[name] for name in after}


# --- The whole measurement -------------------------------------------------------------


@dataclass
class Capacity:
    """Costs measured, nights measured and predicted, and the model's answer for production."""

    workers: int
    # Night kind ("first", "resync") -> provider -> cost.
    costs: dict[str, dict[str, Cost]] = field(default_factory=dict)
    enqueue_s: dict[str, float] = field(default_factory=dict)
    calibration: dict[str, Night] = field(default_factory=dict)
    nights: dict[str, Night] = field(default_factory=dict)
    # Night kind -> the production night's figures.
    answer: dict[str, dict] = field(default_factory=dict)
    # How far the calibration's runs lie from their line, per provider (root mean square, s).
    fit_rms_s: dict[str, dict[str, float]] = field(default_factory=dict)


def calibration_fleet(sizes: Sizes) -> list[Company]:
    """Every provider with companies of every size, interleaved so drift hits all alike."""
    return [Company(p, n) for _ in range(sizes.calibration_repeats) for n in sizes.calibration_sizes for p in PROVIDERS]


def fit_costs(cycles: Sequence[tuple[Company, float]]) -> tuple[dict[str, Cost], dict[str, float]]:
    costs, spread = {}, {}
    for provider in PROVIDERS:
        samples = [(c.employees, seconds) for c, seconds in cycles if c.provider == provider]
        costs[provider] = fit(samples)
        spread[provider] = math.sqrt(sum((s - costs[provider].of(n)) ** 2 for n, s in samples) / len(samples))
    return costs, spread


def measure(sizes: Sizes, workdir: Path) -> Capacity:
    from bench.processes import Children, start_redis

    caps, pages = caps_and_page_sizes()
    result = Capacity(workers=sizes.workers)
    children = Children(workdir)
    try:
        redis_url = start_redis(children, workdir)
        with stage("calibration", calibration_fleet(sizes), workdir, redis_url, sizes.workers) as st:
            for kind in KINDS:
                calibrated, _, cycles = night(st, sizes.workers)
                result.calibration[kind] = calibrated
                result.costs[kind], result.fit_rms_s[kind] = fit_costs(cycles)
                result.enqueue_s[kind] = calibrated.enqueue_s
        with stage("night", fleet(sizes.companies, sizes.employees), workdir, redis_url, sizes.workers) as st:
            for kind in KINDS:
                measured, order, _ = night(st, sizes.workers)
                runs = run_seconds(order, result.costs[kind])
                measured.predicted_s = play_night(runs, sizes.workers, caps, result.enqueue_s[kind])
                result.nights[kind] = measured
    finally:
        children.stop_all()
    production = fleet(sizes.night_companies, sizes.night_employees)
    for kind in KINDS:
        result.answer[kind] = answer(production, result.costs[kind], caps, result.enqueue_s[kind], pages)
    # Liantis is slow in life: its pages at half a second each (the sandbox's "slow" knob).
    resync = result.costs["resync"]
    slow = with_page_latency(production, resync, {"liantis": 0.5}, pages)
    result.answer["resync, Liantis 0.5 s a page"] = answer(production, resync, caps, result.enqueue_s["resync"], pages, slow)
    return result


# A night of first syncs (a migration, or the database restored empty) and the usual night:
# every company resynced, next to nothing changed since the night before.
KINDS = ("first", "resync")


def answer(
    production: Sequence[Company],
    costs: Mapping[str, Cost],
    caps: Mapping[str, int],
    enqueue_s: float,
    pages: Mapping[str, int],
    runs: Sequence[tuple[str, float]] | None = None,
) -> dict:
    runs = runs if runs is not None else run_seconds(production, costs)
    pages_read: Counter[str] = Counter()
    for company in production:
        pages_read[company.provider] += math.ceil(company.employees / pages[company.provider])
    needed = workers_needed(runs, caps, enqueue_s)
    per_provider: Counter[str] = Counter()
    for provider, seconds in runs:
        per_provider[provider] += seconds
    most = sum(caps.values()) + 1
    return {
        "workers": needed,
        "night_s": play_night(runs, needed or most, caps, enqueue_s),
        "lower_bound_s": lower_bound_s(runs, needed or most, caps),
        "work_s": sum(per_provider.values()),
        "work_s_per_provider": dict(per_provider),
        # Each provider's companies alone, on its cap: the night cannot end sooner.
        "provider_queue_s": {p: per_provider[p] / caps[p] for p in per_provider},
        # How slow each provider's pages may answer before its queue alone fills the deadline.
        "page_latency_limit_s": {p: (WINDOW_S / MARGIN * caps[p] - per_provider[p]) / pages_read[p] for p in per_provider},
        "longest_run_s": max(seconds for _, seconds in runs),
        "enqueue_s": enqueue_s * len(runs),
        "with_every_worker_s": play_night(runs, most, caps, enqueue_s),
    }


def figures(result: Capacity) -> dict:
    """The flat figures of the JSON line (`make bench` with BENCH_CAPACITY=1 adds them to its own)."""
    flat: dict = {"capacity_workers_measured": result.workers}
    for kind in KINDS:
        for provider, cost in result.costs[kind].items():
            flat[f"capacity_{kind}_{provider}_fixed_ms"] = cost.fixed_s * 1000
            flat[f"capacity_{kind}_{provider}_per_employee_ms"] = cost.per_employee_s * 1000
        flat[f"capacity_{kind}_enqueue_ms"] = result.enqueue_s[kind] * 1000
        checked = result.nights[kind]
        flat[f"capacity_{kind}_night_measured_s"] = checked.measured_s
        flat[f"capacity_{kind}_night_predicted_s"] = checked.predicted_s
        flat[f"capacity_{kind}_night_error_percent"] = checked.error_percent
        flat[f"capacity_{kind}_night_enqueue_ms"] = checked.enqueue_s * 1000
        flat[f"capacity_{kind}_workers_needed"] = result.answer[kind]["workers"]
    return flat


def report(result: Capacity) -> str:
    lines = [f"Costs per run, measured on {result.workers} worker(s): fixed ms + ms per employee (rms of the fit, ms)"]
    for kind in KINDS:
        night_ = result.calibration[kind]
        lines.append(
            f"  {kind} ({night_.companies} runs, {night_.statuses}, load {night_.loadavg}); "
            f"enqueue {result.enqueue_s[kind] * 1000:.2f} ms a run"
        )
        for provider, cost in result.costs[kind].items():
            lines.append(
                f"    {provider:<9} {cost.fixed_s * 1000:8.1f} + {cost.per_employee_s * 1000:7.4f} x n"
                f"   (rms {result.fit_rms_s[kind][provider] * 1000:.1f})"
            )
    lines.append("Scaled-down nights through real workers, measured vs the model's prediction")
    for kind, checked in result.nights.items():
        lines.append(
            f"  {kind:<7} {checked.companies} companies, {checked.employees} employees, {checked.workers} worker(s): "
            f"measured {checked.measured_s:.1f} s, predicted {checked.predicted_s:.1f} s, error {checked.error_percent:+.1f} %, "
            f"enqueue {checked.enqueue_s * 1000:.1f} ms a run "
            f"({checked.statuses}, load {checked.loadavg})"
        )
        lines.append(f"          database: {json.dumps({k: round(v) for k, v in checked.database.items()})}")
    lines.append("Production night: workers needed to end within the window with the margin")
    for kind, figures_ in result.answer.items():
        lines.append(
            f"  {kind}: {figures_['workers']} workers, night {figures_['night_s']:.0f} s "
            f"(bound {figures_['lower_bound_s']:.0f} s), "
            f"work {figures_['work_s']:.0f} worker-s, longest run {figures_['longest_run_s']:.1f} s, "
            f"per provider queue {json.dumps({p: round(s) for p, s in figures_['provider_queue_s'].items()})} s, "
            f"page latency limit {json.dumps({p: round(s, 2) for p, s in figures_['page_latency_limit_s'].items()})} s, "
            f"with every worker the caps allow {figures_['with_every_worker_s']:.0f} s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=Sizes.workers)
    parser.add_argument("--companies", type=int, default=Sizes.companies, help="companies in the scaled-down night")
    parser.add_argument("--employees", type=int, default=Sizes.employees, help="employees in the scaled-down night")
    args = parser.parse_args(argv)

    def stop(_signum: int, _frame: object) -> None:
        # Unwind through every `finally`, so no child process outlives the measurement.
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    sizes = Sizes(workers=args.workers, companies=args.companies, employees=args.employees)
    kept = os.environ.get("BENCH_WORKDIR")
    with tempfile.TemporaryDirectory(prefix="flexsync-capacity-") as scratch:
        workdir = Path(kept or scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        result = measure(sizes, workdir)
    db_url = os.environ.get("DATABASE_URL") or ""
    print(report(result), flush=True)
    flat = {**figures(result), "db": "postgresql" if db_url.startswith("postgresql") else "sqlite"}
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in flat.items()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
