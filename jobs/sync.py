"""Thin RQ entry points for sync runs; the work is in `portal.sync_runs`."""
from __future__ import annotations

from jobs.app import flask_app, run_closing_on_last_crash


def run_sync(run_id: int) -> None:
    from portal import sync_runs

    run_closing_on_last_crash(sync_runs.execute_run, sync_runs.close_after_crash, run_id)


def close_stale_runs() -> int:
    from portal import sync_runs

    with flask_app().app_context():
        return sync_runs.close_stale_runs()
