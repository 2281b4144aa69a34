"""The nightly pruning of old run lines: `rq cron` enqueues it (see jobs/cron.py)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from jobs.app import flask_app

log = logging.getLogger(__name__)


def prune_run_lines() -> int:
    """Deletes the lines of runs older than the retention period; returns how many runs were pruned."""
    from portal.company import data

    app = flask_app()
    with app.app_context():
        older_than = datetime.utcnow() - timedelta(days=app.config["RUN_LINES_RETENTION_DAYS"])
        pruned = data.prune_run_lines(older_than)
        log.info("Retention: lines of %d runs pruned", pruned)
        return pruned
