"""The nightly run: `rq cron` enqueues this once a night (see jobs/cron.py)."""

from __future__ import annotations

import logging

from jobs.app import flask_app

log = logging.getLogger(__name__)


def run_nightly_syncs() -> int:
    """Start (or join) a sync for every active integration; returns how many were started."""
    from portal.runs import sync_runs

    with flask_app().app_context():
        runs = sync_runs.request_nightly_syncs()
        log.info("Nightly run: %d syncs queued or joined", len(runs))
        return len(runs)
