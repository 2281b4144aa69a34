"""Thin RQ entry points for sync runs; the work is in `portal.runs.sync_runs`."""

from __future__ import annotations

from jobs.app import flask_app, run_closing_on_last_crash


def run_sync(run_id: int) -> None:
    from portal.runs import sync_runs

    run_closing_on_last_crash(sync_runs.execute_run, sync_runs.close_after_crash, run_id)


def close_stale_work() -> int:
    """Sync runs and exports that nobody carries out any more end as errors; how many did."""
    from portal.hours import connexie_export
    from portal.runs import sync_runs

    with flask_app().app_context():
        return sync_runs.close_stale_runs() + connexie_export.close_stale_exports()
