"""Thin RQ entry points for sync runs; the work is in `portal.runs.sync_runs`."""

from __future__ import annotations

from types import TracebackType

from redis import Redis
from rq.job import Job

from jobs.app import close_after_last_attempt, flask_app, run_in_app


def run_sync(run_id: int) -> None:
    from portal.runs import sync_runs

    run_in_app(sync_runs.execute_run, run_id)


def is_sync_of_changes(job: Job) -> bool:
    """Read by the worker before it forks a work horse for the job (jobs/worker.py)."""
    from portal.runs import sync_runs

    with flask_app().app_context():
        return sync_runs.is_sync_of_changes(job.args[0])


def close_failed_run(
    job: Job, connection: Redis, error_type: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    """RQ's failure callback of `run_sync` (jobs.settings.SYNC_RUN)."""
    from portal.runs import sync_runs

    close_after_last_attempt(job, sync_runs.close_after_crash, error_type, error)


def close_stale_work() -> int:
    """Sync runs and exports that nobody carries out any more end as errors; how many did."""
    from portal.hours import connexie_export
    from portal.runs import sync_runs

    with flask_app().app_context():
        return sync_runs.close_stale_runs() + connexie_export.close_stale_exports()
