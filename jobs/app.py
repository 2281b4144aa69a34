"""The Flask app inside worker processes, built once per process on first use."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from flask import Flask
from rq import get_current_job


@cache
def flask_app() -> Flask:
    from portal import create_app

    return create_app()


def run_closing_on_last_crash(
    execute: Callable[[int, dict], None], close_after_crash: Callable[[int, str], None], object_id: int
) -> None:
    """Run one piece of work in the app; when its last RQ attempt crashes, close it as an
    error at once instead of leaving it 'running' until the stale check finds it."""
    from portal.extensions import db

    app = flask_app()
    with app.app_context():
        # The job is the one writer of the rows it works on: what it read stays valid
        # after each of its commits, instead of being read again (and the integration's
        # credentials decrypted again) at the next access.
        db.session().expire_on_commit = False
        try:
            execute(object_id, app.config)
        except Exception as error:
            db.session.rollback()
            job = get_current_job()
            if job is None or not job.retries_left:
                close_after_crash(object_id, f"{type(error).__name__}: {error}")
            raise
