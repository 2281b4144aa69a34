"""The schedule `rq cron jobs/cron.py` runs: every periodic job, with its timeout."""

import os

from rq import cron

from jobs.delta import run_delta_syncs
from jobs.nightly import run_nightly_syncs
from jobs.retention import prune_run_lines
from jobs.settings import (
    DELTA_SWEEP_EVERY_S,
    DELTA_SWEEP_TIMEOUT_S,
    NIGHTLY_TIMEOUT_S,
    PRUNE_CRON,
    PRUNE_TIMEOUT_S,
    STALE_SWEEP_EVERY_S,
    STALE_SWEEP_TIMEOUT_S,
)
from jobs.sync import close_stale_work
from portal.config import config_for
from portal.observability import logs

# `rq cron` builds no app: its own lines take the format the config names for the app's.
logs.configure(config_for(None).LOG_FORMAT, config_for(None).LOG_LEVEL)

# Nightly at 02:00 server time unless the operator picks another moment.
NIGHTLY_CRON = os.environ.get("FLEXSYNC_NIGHTLY_CRON", "0 2 * * *")

cron.register(run_nightly_syncs, queue_name="default", cron=NIGHTLY_CRON, job_timeout=NIGHTLY_TIMEOUT_S)
# Work whose worker died is closed as Error within a minute or two, never "running" forever.
cron.register(close_stale_work, queue_name="default", interval=STALE_SWEEP_EVERY_S, job_timeout=STALE_SWEEP_TIMEOUT_S)
# Every minute, a sync of the changes for each integration whose own interval has passed.
cron.register(run_delta_syncs, queue_name="default", interval=DELTA_SWEEP_EVERY_S, job_timeout=DELTA_SWEEP_TIMEOUT_S)
# Old run lines go after the night's syncs, when the database is quiet.
cron.register(prune_run_lines, queue_name="default", cron=PRUNE_CRON, job_timeout=PRUNE_TIMEOUT_S)
