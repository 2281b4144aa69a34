"""Thin RQ entry points for sync runs; the work is in `portal.sync_runs`."""
from __future__ import annotations

from rq import get_current_job

from jobs.app import flask_app


def run_sync(run_id: int) -> None:
    from portal import sync_runs
    from portal.extensions import db

    app = flask_app()
    with app.app_context():
        try:
            sync_runs.execute_run(run_id, app.config)
        except Exception as error:
            db.session.rollback()
            job = get_current_job()
            if job is None or not job.retries_left:
                sync_runs.close_after_crash(run_id, f"{type(error).__name__}: {error}")
            raise


def close_stale_runs() -> int:
    from portal import sync_runs

    with flask_app().app_context():
        return sync_runs.close_stale_runs()
