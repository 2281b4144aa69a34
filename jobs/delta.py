"""Syncs of the changes only: `rq cron` enqueues this every minute (see jobs/cron.py)."""

from __future__ import annotations

import logging

from jobs.app import flask_app

log = logging.getLogger(__name__)


def run_delta_syncs() -> int:
    """Start (or join) a sync of the changes for every integration due one; returns how many."""
    from portal.runs import sync_runs

    with flask_app().app_context():
        runs = sync_runs.request_delta_syncs()
        if runs:
            log.info("Syncs of changes: %d queued or joined", len(runs))
        return len(runs)
