"""Concurrency: two schedulers starting the nightly run at once, and admins writing while a
worker upserts employees into the same (SQLite) database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FinishedJobRegistry
from sqlalchemy import select

from helpers.concurrency import at_once
from helpers.pages import csrf_token_from
from helpers.sync_runs import employees_of, failure_reasons, finished_run, start_sync
from helpers.waiting import wait_for
from jobs.nightly import start_nightly_syncs
from portal.extensions import db
from portal.models import RunState, SyncRun
from portal.runs import sync_runs
from portal.sync.outcomes import Reason
from sandbox.testing import advance, set_faults

pytestmark = pytest.mark.slow
MAX_ROUNDS = 200


def run_closed(app, run_id: int) -> bool:
    with app.app_context():
        closed = not db.session.execute(select(SyncRun.status).where(SyncRun.id == run_id)).scalar_one().is_open
        db.session.remove()
        return closed


def test_two_schedulers_starting_the_nightly_run_at_once_sync_each_integration_once(
    sync_setup, sandbox_companies, activate, worker
):
    """Defends against two `rq cron` processes (a deploy overlap, a second host) each starting
    every nightly sync: every integration still gets exactly one run, and it completes."""
    app = sync_setup
    other_company = next(c for c in sandbox_companies if c != "C001")
    integrations = {activate("securex"), activate("securex", company_id=other_company, tenant="Other BV")}

    def nightly(_i: int) -> list[int]:
        with app.app_context():
            started = [run.id for run in sync_runs.request_nightly_syncs()]
            db.session.remove()
            return started

    first, second = at_once(nightly, count=2)
    assert sorted(first) == sorted(second), (first, second)
    with app.app_context():
        runs = db.session.execute(select(SyncRun)).scalars().all()
    assert Counter(r.integration_id for r in runs) == {i: 1 for i in integrations}
    for run in runs:
        assert finished_run(app, run.id).status is RunState.SUCCESS


def test_admins_writing_while_a_worker_upserts_never_meet_a_locked_database(sync_setup, sandboxes, activate, worker):
    """Defends against "database is locked" on SQLite when web requests and a sync write at once
    (WAL + busy timeout): every admin write succeeds and the run completes."""
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    people = [e.id for e in employees_of(app, integration_id) if e.active][:20]
    advance(sandboxes["securex"])
    # Slow pages keep the run open for well over a second while the admins write.
    set_faults(sandboxes["securex"], latency_ms=150, page_latency_ms=150)
    run_id = start_sync(app, integration_id)

    def admin(i: int) -> tuple[Counter, list[datetime]]:
        client = app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"email": "hr@demo.test", "password": "demo", "csrf_token": token})
        token = csrf_token_from(client.get("/employees").get_data(as_text=True))
        statuses: Counter = Counter()
        written_at: list[datetime] = []
        for round_ in range(MAX_ROUNDS):
            # Writes for as long as the sync runs, so every page commit meets admin writes.
            if round_ % 5 == 4 and run_closed(app, run_id):
                break
            employee = people[(i * 5 + round_) % len(people)]
            response = client.post(
                f"/employees/{employee}/budget",
                headers={"HX-Request": "true", "X-CSRFToken": token},
                data={"amount": f"{1000 + round_}.00", "currency": "EUR", "year": date.today().year},
            )
            statuses[response.status_code] += 1
            written_at.append(datetime.utcnow())
            statuses[client.get("/employees").status_code] += 1
        return statuses, written_at

    results = at_once(admin)
    run = finished_run(app, run_id)
    assert all(isinstance(r, tuple) for r in results), results
    total = sum((statuses for statuses, _ in results), Counter())
    # 409 is the documented answer for a budget frozen by the sync's deactivations.
    assert set(total) <= {200, 409}, total
    # What makes it a test of concurrency: each admin's writes landed while the run wrote.
    during_run = [sum(run.started_at <= moment <= run.finished_at for moment in written_at) for _, written_at in results]
    assert all(count >= 2 for count in during_run), (during_run, run.started_at, run.finished_at)
    assert "database is locked" not in worker.log()
    # `advance` moves one person to another entity: Partial for that person is the product rule.
    assert run.status in (RunState.SUCCESS, RunState.PARTIAL), (run.error_code, run.error_detail)
    assert set(failure_reasons(app, run.id)) <= {Reason.ENTITY_MOVE}


def batches_done(queue: Queue) -> int:
    finished = FinishedJobRegistry(queue=queue)
    jobs = Job.fetch_many(finished.get_job_ids(), connection=queue.connection)
    batch_job = f"{start_nightly_syncs.__module__}.{start_nightly_syncs.__qualname__}"
    return sum(1 for job in jobs if job is not None and job.func_name == batch_job)


def test_two_real_rq_cron_processes_firing_together_give_one_run(sync_setup, sandboxes, activate, start_worker, tmp_path):
    """Defends against two `rq cron` processes (a deploy overlap, a second host) each starting
    the nightly sync: while the run goes on, every tick of either scheduler joins it."""
    app = sync_setup
    # One worker carries out the sync while the other takes the schedulers' ticks.
    start_worker(), start_worker()
    integration_id = activate("securex")
    # A slow provider keeps the run open while the schedulers fire every second.
    set_faults(sandboxes["securex"], page_latency_ms=800)
    schedule = tmp_path / "every_second.py"
    schedule.write_text(
        "from rq import cron\n"
        "from jobs.nightly import run_nightly_syncs\n"
        "cron.register(run_nightly_syncs, queue_name='default', interval=1, job_timeout=60)\n"
    )
    rq = str(Path(sys.executable).parent / "rq")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    schedulers = [
        subprocess.Popen(
            [rq, "cron", "--url", app.config["REDIS_URL"], str(schedule)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    default = Queue("default", connection=Redis.from_url(app.config["REDIS_URL"]))
    try:
        # A tick is done when its batch job has started or joined the run, not when it enqueued it.
        wait_for(lambda: batches_done(default) >= 4, timeout=60, message="four nightly ticks starting or joining")
    finally:
        for scheduler in schedulers:
            scheduler.terminate()
            scheduler.wait(timeout=10)
    with app.app_context():
        runs = db.session.execute(select(SyncRun).where(SyncRun.integration_id == integration_id)).scalars().all()
    assert len(runs) == 1
    assert finished_run(app, runs[0].id, timeout=90).status is RunState.SUCCESS
