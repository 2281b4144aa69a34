"""Worker and provider faults with real `rq worker` processes, real Redis and the sandboxes:
every run ends Success, or Error with the reason — never left "running"."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from datetime import datetime, timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import select

from helpers.sync_runs import active_at_provider, active_count, employees_of, finished_run, start_sync
from helpers.waiting import wait_for
from portal.extensions import db
from portal.models import RunState, SyncRun
from portal.runs import lifecycle, sync_runs
from sandbox.testing import set_faults

pytestmark = pytest.mark.slow


def fetched(app, run_id: int) -> int:
    with app.app_context():
        return db.session.execute(select(SyncRun.fetched).where(SyncRun.id == run_id)).scalar_one()


def no_duplicates(app, integration_id: int) -> bool:
    employees = employees_of(app, integration_id)
    return len({e.provider_id for e in employees}) == len({e.email for e in employees}) == len(employees)


def test_a_worker_told_to_stop_once_finishes_the_running_sync(sync_setup, sandboxes, activate, worker):
    """Defends against a deploy (one SIGTERM: warm shutdown) cutting a sync in half."""
    app = sync_setup
    integration_id = activate("securex")
    set_faults(sandboxes["securex"], latency_ms=250)
    run_id = start_sync(app, integration_id)
    wait_for(lambda: fetched(app, run_id) >= 25, timeout=30, message="the first page applied")
    worker.process.send_signal(signal.SIGTERM)
    worker.process.wait(timeout=60)
    run = finished_run(app, run_id, timeout=5)
    assert run.status is RunState.SUCCESS, (run.error_code, run.error_detail, worker.log())
    assert len(employees_of(app, integration_id)) == active_at_provider(sandboxes, "securex")
    assert no_duplicates(app, integration_id)


def test_a_worker_told_to_stop_twice_leaves_no_run_running(sync_setup, sandboxes, activate, worker, start_worker, monkeypatch):
    """Defends against a cold shutdown (second SIGTERM kills the work horse) leaving a run
    "running" forever: the stale-run sweep closes it as Error and the next sync completes."""
    app = sync_setup
    integration_id = activate("securex")
    set_faults(sandboxes["securex"], latency_ms=600)
    run_id = start_sync(app, integration_id)
    wait_for(lambda: fetched(app, run_id) >= 25, timeout=30, message="the first page applied")
    worker.process.send_signal(signal.SIGTERM)
    wait_for(lambda: "warm shut down requested" in worker.log(), timeout=10, message="the warm shutdown")
    # rq ignores a second signal within 1 s of the first (a pool's duplicate), by design.
    time.sleep(1.1)
    worker.process.send_signal(signal.SIGTERM)
    worker.process.wait(timeout=30)
    set_faults(sandboxes["securex"], latency_ms=0)
    run = close_by_sweep(app, run_id, monkeypatch)
    assert run.status is RunState.ERROR
    start_worker()
    rerun = finished_run(app, start_sync(app, integration_id))
    assert rerun.status is RunState.SUCCESS
    assert len(employees_of(app, integration_id)) == active_at_provider(sandboxes, "securex")
    assert no_duplicates(app, integration_id)


def test_a_provider_hanging_longer_than_the_job_timeout_ends_in_error(sync_setup, sandboxes, activate, worker, monkeypatch):
    """Defends against a provider that never answers keeping a run "running" forever: the RQ job
    timeout stops each attempt and the last one closes the run as Error at once (it went silent
    until the stale sweep about once in four runs under load, docs/reliability.md)."""
    app = sync_setup
    integration_id = activate("securex")
    first = finished_run(app, start_sync(app, integration_id))
    quick = dataclasses.replace(sync_runs.RUNS.job, timeout_s=3, retries=1)
    monkeypatch.setattr(sync_runs, "RUNS", dataclasses.replace(sync_runs.RUNS, job=quick))
    set_faults(sandboxes["securex"], hang={"every": 1, "seconds": 20}, latency_ms=0)
    run = finished_run(app, start_sync(app, integration_id), timeout=30)
    assert (run.status, run.error_code) == (RunState.ERROR, "internal")
    assert "JobTimeoutException" in (run.error_detail or ""), run.error_detail
    assert active_count(app, integration_id) == first.created


def test_a_last_attempt_failing_before_the_job_code_runs_still_closes_the_run(sync_setup, activate, worker, monkeypatch):
    """Defends against the cause of that silence: the job timeout is an exception raised by a
    signal wherever the work horse is, also before the job's own code starts, and the run was
    closed by that code. Here every attempt fails before it starts (its function is missing)."""
    app = sync_setup
    integration_id = activate("securex")
    missing = dataclasses.replace(sync_runs.RUNS.job, function="jobs.sync.no_such_job", retries=1)
    monkeypatch.setattr(sync_runs, "RUNS", dataclasses.replace(sync_runs.RUNS, job=missing))
    run = finished_run(app, start_sync(app, integration_id), timeout=30)
    assert (run.status, run.error_code) == (RunState.ERROR, "internal")
    assert "no_such_job" in (run.error_detail or ""), run.error_detail


def close_by_sweep(app, run_id: int, monkeypatch) -> SyncRun:
    """What `rq cron` does every minute, with the clock moved past the stale limit."""
    later = lifecycle.utcnow() + sync_runs.STALE_AFTER + timedelta(minutes=1)
    monkeypatch.setattr(lifecycle, "utcnow", lambda: later)
    with app.app_context():
        sync_runs.close_stale_runs()
    run = finished_run(app, run_id, timeout=5)
    monkeypatch.setattr(lifecycle, "utcnow", datetime.utcnow)
    assert run.error_code == "worker_lost"
    return run


@pytest.fixture
def liantis_integration(sync_setup, activate, liantis_credentials) -> int:
    return activate(
        "liantis",
        company_id=liantis_credentials.provider_company_id,
        credentials={
            "access_token": liantis_credentials.access_token,
            "refresh_token": liantis_credentials.refresh_token,
            "expires_at": liantis_credentials.expires_at,
        },
    )


@pytest.mark.parametrize(
    "knobs",
    [
        {"repeat_page": 2},
        {"rate_limit": {"next": 2, "retry_after": 0}},
        {"error_5xx": {"next": 2, "status": 502}},
        {"malformed_json_page": 2},
    ],
    ids=["same-cursor-twice", "429-burst", "5xx-burst", "malformed-json"],
)
def test_liantis_cursor_paging_gets_past_provider_glitches(sync_setup, sandboxes, liantis_integration, worker, knobs):
    """Defends against Liantis glitches (a cursor answered with the page before, 429 storms,
    5xx bursts, broken JSON) losing or duplicating employees."""
    app = sync_setup
    set_faults(sandboxes["liantis"], **knobs)
    run = finished_run(app, start_sync(app, liantis_integration), timeout=90)
    assert run.status is RunState.SUCCESS, (run.error_code, run.error_detail)
    assert len(employees_of(app, liantis_integration)) == run.created == active_at_provider(sandboxes, "liantis")
    assert no_duplicates(app, liantis_integration)


def test_a_429_storm_outlasting_the_retries_ends_in_error_and_deactivates_nobody(
    sync_setup, sandboxes, liantis_integration, worker
):
    """Defends against a provider that rate-limits every request making the sync spin forever,
    or read as "nobody works here any more"."""
    app = sync_setup
    first = finished_run(app, start_sync(app, liantis_integration), timeout=90)
    set_faults(sandboxes["liantis"], rate_limit={"every": 1, "retry_after": 0})
    run = finished_run(app, start_sync(app, liantis_integration), timeout=90)
    assert (run.status, run.error_code) == (RunState.ERROR, "provider_unavailable")
    assert "429" in run.error_detail
    assert active_count(app, liantis_integration) == first.created and run.deactivated == 0


def test_syncs_run_at_a_lower_cpu_priority_than_the_web(sync_setup, redis_url, worker):
    """Where a worker shares a machine with gunicorn, admins' pages get the CPU first."""
    from jobs.worker import WORK_HORSE_NICENESS

    job = Queue("default", connection=Redis.from_url(redis_url)).enqueue("os.nice", 0)
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, timeout=30, message="the job to finish")
    assert job.return_value() == os.nice(0) + WORK_HORSE_NICENESS


def test_a_work_horse_leaves_the_app_out_of_its_garbage_collections(sync_setup, redis_url, worker):
    """Built before the fork and kept for good: the collector of a run's horse never walks it."""
    job = Queue("default", connection=Redis.from_url(redis_url)).enqueue("gc.get_freeze_count")
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, timeout=30, message="the job to finish")
    assert job.return_value() > 50_000


def test_a_worker_stops_listening_for_commands_at_once_when_told_to_stop(app, redis_url, monkeypatch):
    """Defends against a warm shutdown hanging for a minute after the last job (CI saw it):
    stopping the worker's command listener waits for the listener's current wait to end, and
    when the listener has already read the reply to the worker's UNSUBSCRIBE, nothing else
    ends that wait."""
    import gc

    from jobs import worker as worker_module

    monkeypatch.setattr(worker_module, "flask_app", lambda: app)
    worker = worker_module.PreloadedWorker(["default"], connection=Redis.from_url(redis_url))
    # The worker freezes the garbage collector for its work horses, not for this test process.
    gc.unfreeze()
    worker.subscribe()
    worker.pubsub.unsubscribe()
    wait_for(lambda: not worker.pubsub.subscribed, timeout=10, message="the listener read the reply")
    # RQ's listener would still be waiting out its minute.
    worker.pubsub_thread.stop(timeout=30)
    assert not worker.pubsub_thread.is_alive()
    worker.pubsub.close()
