"""Where a small run's time goes, through a real worker: `python -m bench.run_overhead [employees] [runs] [changed]`.

What a sync costs besides its pages: "Sync now" (the run row and the job), the worker
taking the job and forking its work horse, the horse reaching the run's first commit,
the run itself, and the benchmark seeing the closed run (it polls every 10 ms). Prints
the median of each, in ms, over `runs` resyncs of a Securex company of `employees`
people (one page by default), on a throwaway SQLite or DATABASE_URL's PostgreSQL.
With `changed`, syncs of the changes only instead, each after that many people's
salaries were raised (as `bench.run.measure_delta`; the worker runs them without a
work horse, so "to work horse" is the worker taking the job).
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from redis import Redis
from rq.job import Job

from bench.processes import Children, start_redis
from bench.run import DEMO_COMPANY, demo_integration, phase, start_sync, timed_sync, wait_closed
from jobs.settings import SYNC_RUN
from portal.models import RunKind
from sandbox.testing import raise_salaries

STEPS = ("sync now", "to work horse", "to run started", "run", "to seen closed", "total")


def naive(moment: datetime) -> datetime:
    """RQ stamps in UTC with a time zone, Flexsync's columns in UTC without one."""
    return moment.replace(tzinfo=None)


def measure(employees: int, runs: int, workdir: Path, changed: int | None = None) -> dict[str, float]:
    from cryptography.fernet import Fernet

    children = Children(workdir)
    try:
        redis_url = start_redis(children, workdir)
        with phase("overhead", workdir, redis_url, Fernet.generate_key().decode(), size=employees, companies=1, workers=1) as ph:
            _, integration_id = demo_integration()
            kind = RunKind.FULL if changed is None else RunKind.DELTA
            timed_sync(integration_id)
            connection = Redis.from_url(redis_url)
            samples = []
            for _ in range(runs):
                if changed:
                    raise_salaries(ph.urls["securex"], DEMO_COMPANY, count=changed)
                asked = naive(datetime.utcnow())
                run_id = start_sync(integration_id, kind)
                enqueued = naive(datetime.utcnow())
                run = wait_closed(run_id)
                seen = naive(datetime.utcnow())
                started = naive(Job.fetch(SYNC_RUN.job_id(run.id), connection=connection).started_at)
                moments = (asked, enqueued, started, run.started_at, run.finished_at, seen)
                samples.append(
                    [(b - a).total_seconds() * 1000 for a, b in itertools.pairwise(moments)]
                    + [(seen - asked).total_seconds() * 1000]
                )
            return {step: statistics.median(values) for step, values in zip(STEPS, zip(*samples, strict=True), strict=True)}
    finally:
        children.stop_all()


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    employees, runs = (arguments + [200, 15][len(arguments) :])[:2]
    changed = arguments[2] if len(arguments) > 2 else None
    with tempfile.TemporaryDirectory(prefix="flexsync-overhead-") as scratch:
        medians = measure(employees, runs, Path(scratch), changed)
    what = "resyncs" if changed is None else f"syncs of the changes ({changed} changed each)"
    print(f"{runs} {what} of {employees} employees, median ms")
    with open("/proc/loadavg") as loadavg:
        print(f"load average: {loadavg.read().strip()}")
    print("  ".join(f"{step}: {value:.1f}" for step, value in medians.items()))
