"""The worker class to run: `rq worker -w jobs.worker.PreloadedWorker sync default`."""
from __future__ import annotations

from rq import Worker

from jobs.app import flask_app


class PreloadedWorker(Worker):
    """Builds the Flask app once, before any job, so every forked work horse inherits it.

    A plain `rq worker` imports and configures Flexsync again in each work horse: about a
    second per job, which made the nightly run of a thousand small tenants mostly start-up.
    Building the app checks the encryption key against the database; that connection is
    closed again here, because a connection inherited by forked horses is one socket
    shared by all of them (PostgreSQL answers "prepared statement already exists").
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from portal.extensions import db

        with flask_app().app_context():
            db.engine.dispose()
