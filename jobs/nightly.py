"""The nightly run: `rq cron` enqueues this once a night (see jobs/cron.py)."""

from __future__ import annotations

import logging

from jobs.app import flask_app
from jobs.settings import NIGHTLY_BATCH, NIGHTLY_TIMEOUT_S

log = logging.getLogger(__name__)


def run_nightly_syncs() -> int:
    """Hand the night's integrations to the workers in batches; returns how many there are.

    Starting a sync is a row, a commit and a job: tens of milliseconds each, more on a busy
    database. One job starting 10,000 of them would outlast its own timeout and leave the
    rest of the fleet unsynced (docs/capacity.md); batches are started by every worker at
    once, each under its own timeout, and the first syncs start while later batches wait."""
    from portal.queue import DEFAULT_QUEUE, queue
    from portal.runs import sync_runs

    with flask_app().app_context():
        integration_ids = sync_runs.nightly_integration_ids()
        for start in range(0, len(integration_ids), NIGHTLY_BATCH):
            batch = integration_ids[start : start + NIGHTLY_BATCH]
            queue(DEFAULT_QUEUE).enqueue(start_nightly_syncs, batch, job_timeout=NIGHTLY_TIMEOUT_S)
        log.info("Nightly run: %d integrations in batches of %d", len(integration_ids), NIGHTLY_BATCH)
        return len(integration_ids)


def start_nightly_syncs(integration_ids: list[int]) -> int:
    """Start (or join) the nightly sync of each of these integrations still active; returns how many."""
    from portal.runs import sync_runs

    with flask_app().app_context():
        runs = sync_runs.request_nightly_syncs(integration_ids)
        log.info("Nightly run: %d syncs queued or joined", len(runs))
        return len(runs)
