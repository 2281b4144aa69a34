"""Thin RQ entry point for exports of worked hours; the work is in `portal.connexie_export`."""
from __future__ import annotations

from rq import get_current_job

from jobs.app import flask_app


def run_export(export_id: int) -> None:
    from portal import connexie_export
    from portal.extensions import db

    app = flask_app()
    with app.app_context():
        try:
            connexie_export.execute_export(export_id, app.config)
        except Exception as error:
            db.session.rollback()
            job = get_current_job()
            if job is None or not job.retries_left:
                connexie_export.close_after_crash(export_id, f"{type(error).__name__}: {error}")
            raise
