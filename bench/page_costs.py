"""What one request to each page the load test opens costs, with nothing else running:
`python -m bench.page_costs [requests] [--profile]`.

The same data as `make bench`'s page phase (100,000 past runs, 50,000 people of whom
10,000 synced, a run in progress), plus invitations for the 10,000 people added by hand
last, while the list's first page, the synced people, is not invited yet; and the fleet
page of 10,000 more companies. In a throwaway SQLite or DATABASE_URL's PostgreSQL, an HR
admin (customer success for the fleet) logged in through the form asks each page
`requests` times in a row through Flask's test client. Prints median and p95 ms, the median CPU ms of this process and
the SQL statements per request; with `--profile`, a pyinstrument profile of each page's
requests after the table.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, insert, select, update

from bench import database
from bench.run import demo_integration, make_app, p95
from portal.config import Config
from portal.extensions import db
from portal.models import Employee, Invitation, RunState, SyncRun, SyncRunEmployee, Trigger
from portal.sync.plan import Action
from tests.helpers.pages import csrf_token_from

HISTORY_RUNS = 100_000
LISTED_EMPLOYEES = 50_000
SYNCED_EMPLOYEES = 10_000
FAILED_IN_LATEST_RUN = 20
FLEET_COMPANIES = 10_000
WARM_UP = 3


def seed(tenant_id: int, integration_id: int) -> int:
    """The load test's data; returns the id of the run in progress the admins watch."""
    database.seed_history(tenant_id, integration_id, HISTORY_RUNS)
    database.seed_hand_added(tenant_id, LISTED_EMPLOYEES)
    synced = db.session.execute(select(Employee.id).order_by(Employee.id).limit(SYNCED_EMPLOYEES)).scalars().all()
    now = datetime.utcnow()
    db.session.execute(
        update(Employee)
        .where(Employee.id.in_(synced))
        .values(integration_id=integration_id, provider_id=Employee.email, last_synced_at=now)
    )
    # The latest finished run updated everyone and failed for a few: the "sync problem" fact.
    latest = db.session.execute(
        insert(SyncRun).returning(SyncRun.id),
        [
            {
                "tenant_id": tenant_id,
                "integration_id": integration_id,
                "trigger": Trigger.MANUAL,
                "status": RunState.PARTIAL,
                "queued_at": now,
                "started_at": now,
                "finished_at": now,
            }
        ],
    ).scalar_one()
    db.session.execute(
        insert(SyncRunEmployee),
        [
            {
                "tenant_id": tenant_id,
                "run_id": latest,
                "employee_id": person,
                "display_name": "Bench",
                "action": Action.FAIL if n < FAILED_IN_LATEST_RUN else Action.UPDATE,
            }
            for n, person in enumerate(synced)
        ],
    )
    db.session.execute(
        insert(Invitation),
        [
            {
                "tenant_id": tenant_id,
                "employee_id": person,
                "token_hash": f"{person:064d}",
                "language": "nl",
                "expires_at": now,
                "sent_at": now,
            }
            for person in db.session.execute(select(Employee.id).order_by(Employee.id.desc()).limit(len(synced))).scalars()
        ],
    )
    running = db.session.execute(
        insert(SyncRun).returning(SyncRun.id),
        [
            {
                "tenant_id": tenant_id,
                "integration_id": integration_id,
                "trigger": Trigger.MANUAL,
                "status": RunState.RUNNING,
                "fetched": 4200,
                "total": 10_000,
                "queued_at": now,
                "started_at": now,
            }
        ],
    ).scalar_one()
    db.session.commit()
    database.seed_fleet_page(FLEET_COMPANIES)
    database.analyze_if_postgresql()
    return running


def measure(requests: int, profile: bool, workdir: Path) -> None:
    from cryptography.fernet import Fernet

    with database.phase_database(os.environ.get("DATABASE_URL"), workdir, "pages") as url:
        app = make_app(url, "redis://127.0.0.1:1/0", Fernet.generate_key().decode(), Config.PROVIDER_URLS)
        with app.app_context():
            running = seed(*demo_integration())
            engine = db.engine
        # Requests run outside any app context of ours, so each gets its own session as under gunicorn.
        statements = [0]
        event.listen(engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
        client, staff = logged_in(app, "hr@demo.test"), logged_in(app, "cs@flexsync.test")
        pages = {
            "progress": (client, f"/syncs/{running}/progress", {"HX-Request": "true"}),
            "history": (client, "/integrations/securex/history", {}),
            "employees": (client, "/employees", {}),
            "fleet": (staff, "/cs/fleet", {}),
        }
        print(f"{engine.dialect.name}, {requests} requests each")
        # CPU is this process's only: on PostgreSQL the server's share shows in the wall time alone.
        print(f"{'page':<10} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8}")
        profiles = []
        for name, (client, path, headers) in pages.items():
            for _ in range(WARM_UP):
                client.get(path, headers=headers)
            times, cpu, before = [], [], statements[0]
            profiler = start_profiler() if profile else None
            for _ in range(requests):
                started, started_cpu = time.perf_counter(), time.process_time()
                answer = client.get(path, headers=headers)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path} answered {answer.status_code}")
            if profiler is not None:
                profiler.stop()
                profiles.append((name, profiler.output_text(unicode=False, color=False)))
            queries = (statements[0] - before) / requests
            print(
                f"{name:<10} {statistics.median(times) * 1000:>10.1f} {p95(times) * 1000:>8.1f} {statistics.median(cpu) * 1000:>8.1f} {queries:>8.1f}",  # noqa: E501
                flush=True,
            )
        for name, text in profiles:
            print(f"\n=== {name}\n{text}")
        engine.dispose()


def logged_in(app, email: str):
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": "demo", "csrf_token": token})
    return client


def start_profiler():
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    return profiler


if __name__ == "__main__":
    count = next((int(a) for a in sys.argv[1:] if a.isdigit()), 50)
    with tempfile.TemporaryDirectory(prefix="flexsync-pages-") as scratch:
        measure(count, "--profile" in sys.argv, Path(scratch))
