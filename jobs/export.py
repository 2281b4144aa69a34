"""Thin RQ entry point for exports of worked hours; the work is in `portal.hours.connexie_export`."""

from __future__ import annotations

from types import TracebackType

from redis import Redis
from rq.job import Job

from jobs.app import close_after_last_attempt, run_in_app


def run_export(export_id: int) -> None:
    from portal.hours import connexie_export

    run_in_app(connexie_export.execute_export, export_id)


def close_failed_export(
    job: Job, connection: Redis, error_type: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    """RQ's failure callback of `run_export` (jobs.settings.HOURS_EXPORT)."""
    from portal.hours import connexie_export

    close_after_last_attempt(job, connexie_export.close_after_crash, error_type, error)
