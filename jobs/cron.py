"""The schedule `rq cron jobs/cron.py` runs: every periodic job, with its timeout."""
import os

from rq import cron

from jobs.nightly import run_nightly_syncs

# Nightly at 02:00 server time unless the operator picks another moment.
NIGHTLY_CRON = os.environ.get("FLEXSYNC_NIGHTLY_CRON", "0 2 * * *")

cron.register(run_nightly_syncs, queue_name="default", cron=NIGHTLY_CRON, job_timeout=600)
