"""What RQ is told about each job: its function, id, timeout, retries and how long RQ
keeps its result. Read by whoever enqueues (the services) and by the schedule; this
module imports nothing of Flexsync, so anyone may read it."""

from __future__ import annotations

import os
from dataclasses import dataclass

HOUR_S = 3600
WEEK_S = 7 * 24 * HOUR_S


@dataclass(frozen=True)
class JobSettings:
    function: str
    # RQ calls it after every failed attempt, once it has stopped the attempt's timer: it closes
    # the row when no retry follows, wherever the attempt was when it failed (jobs/app.py).
    on_failure: str | None
    # A row's job id is `<prefix>-<row id>`: a second enqueue of the same row is the same job.
    id_prefix: str
    timeout_s: int
    retries: int
    result_ttl_s: int = HOUR_S
    # Failed jobs stay a week, long enough for an operator to read why.
    failure_ttl_s: int = WEEK_S

    def job_id(self, row_id: int) -> str:
        return f"{self.id_prefix}-{row_id}"


# Longer than any sane run of 50,000 employees; a run that stops reporting is closed sooner.
SYNC_RUN = JobSettings("jobs.sync.run_sync", "jobs.sync.close_failed_run", "sync-run", timeout_s=HOUR_S, retries=3)
HOURS_EXPORT = JobSettings("jobs.export.run_export", "jobs.export.close_failed_export", "hours-export", timeout_s=600, retries=2)

# An idle worker reports alive this often (RQ's own default is every 6¾ minutes), so that
# one silent for two minutes is lost on the fleet page; tests make it shorter.
WORKER_HEARTBEAT_S = int(os.environ.get("FLEXSYNC_WORKER_HEARTBEAT_S", "30"))
# A preview of the next sync: an admin waits for it, and starts it again if it fails; it keeps
# no row, so nothing is closed when it fails.
PREVIEW = JobSettings("jobs.preview.run_preview", None, "preview", timeout_s=600, retries=0, failure_ttl_s=HOUR_S)

# The schedule's own jobs (jobs/cron.py): enqueueing a night's syncs, and the stale sweep.
NIGHTLY_TIMEOUT_S = 600
# Integrations whose nightly syncs one job starts: a few seconds of work each; tests make it smaller.
NIGHTLY_BATCH = int(os.environ.get("FLEXSYNC_NIGHTLY_BATCH", "200"))
STALE_SWEEP_TIMEOUT_S = 60
STALE_SWEEP_EVERY_S = 60
# Starting the syncs of changes that are due: the interval of each integration is its own.
DELTA_SWEEP_EVERY_S = 60
DELTA_SWEEP_TIMEOUT_S = 120
# Pruning old run lines (jobs/retention.py): daily, after the nightly syncs.
PRUNE_CRON = "30 5 * * *"
PRUNE_TIMEOUT_S = 1800
