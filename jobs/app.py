"""The Flask app inside worker processes, built once per process on first use."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from flask import Flask
from rq.job import Job


@cache
def flask_app() -> Flask:
    from portal import create_app

    return create_app()


def run_in_app(execute: Callable[[int, dict], None], object_id: int) -> None:
    """Run one piece of work (a sync run, an export) in the app."""
    from portal.extensions import db

    app = flask_app()
    with app.app_context():
        # The job is the one writer of the rows it works on: what it read stays valid
        # after each of its commits, instead of being read again (and the integration's
        # credentials decrypted again) at the next access.
        db.session().expire_on_commit = False
        execute(object_id, app.config)


def close_after_last_attempt(
    job: Job, close_after_crash: Callable[[int, str], None], error_type: type[BaseException], error: BaseException
) -> None:
    """The failure callback of a job that works on a row: when no retry follows, the row is
    closed as an error now rather than left 'running' until the stale sweep finds it.

    It is RQ's failure callback, not an `except` in the job, because RQ calls it after it
    has stopped the attempt's timer. The job timeout is an exception raised by a signal
    wherever the attempt happens to be, also before the job's own code starts (a work horse
    that still imports Flexsync) or while that code is closing the row; an `except` in the
    job then never ran to the end, and the last attempt left its run 'running' (issue 22).
    """
    if job.retries_left:
        return
    with flask_app().app_context():
        close_after_crash(job.args[0], f"{error_type.__name__}: {error}")
