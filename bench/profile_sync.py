"""Where a sync spends its time: `python -m bench.profile_sync [employees] [runs] [--changes N]`.

Runs `execute_run` in this process under pyinstrument (the `bench` extra), against a
Securex sandbox of that size on loopback and a throwaway SQLite (or DATABASE_URL's
PostgreSQL), and prints the profile of each run: the first is a full sync, the next
ones resyncs with nothing changed.

With `--changes N` the runs after the first full sync (not profiled) are syncs of the
changes only (RunKind.DELTA), each after N people's salaries were raised at the
sandbox, as `bench.run.measure_delta` does (N=0: nothing changed). Each run's profile is
followed by the SQL statements it sent and its wall time; the end prints their medians.
`--quiet` prints only those lines, no profiles.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from pyinstrument import Profiler
from sqlalchemy import event

from bench.run import DEMO_COMPANY, in_process, new_run
from portal.extensions import db
from portal.models import RunKind, SyncRun, Trigger
from sandbox.testing import raise_salaries


class StatementCounter:
    """Counts the SQL statements the engine sends, by their first words."""

    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()

    def __call__(self, _conn, _cursor, statement: str, *_args) -> None:
        self.statements[" ".join(statement.split()[:4])[:80]] += 1

    def total(self) -> int:
        return sum(self.statements.values())


def changes_run(tenant_id: int, integration_id: int) -> int:
    """A run of changes as its schedule records it."""
    run = SyncRun(tenant_id=tenant_id, integration_id=integration_id, trigger=Trigger.INTERVAL, kind=RunKind.DELTA)
    db.session.add(run)
    db.session.commit()
    return run.id


def profile_runs(employees: int, runs: int, workdir: Path, changed: int | None = None, quiet: bool = False) -> None:
    from portal.runs import sync_runs

    with in_process(employees, workdir, "profile") as (app, urls, tenant_id, integration_id):
        if changed is not None:
            # The full sync that leaves the cursor the runs of changes start from.
            sync_runs.execute_run(new_run(tenant_id, integration_id), app.config)
            db.session.remove()
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        walls, statements = [], []
        for number in range(runs):
            if changed is not None:
                if changed:
                    raise_salaries(urls["securex"], DEMO_COMPANY, count=changed)
                run_id = changes_run(tenant_id, integration_id)
            else:
                run_id = new_run(tenant_id, integration_id)
            # The worker starts each job with a fresh session (jobs/worker.py).
            db.session.remove()
            counter.statements.clear()
            profiler = Profiler()
            started = time.perf_counter()
            with profiler:
                sync_runs.execute_run(run_id, app.config)
            walls.append(time.perf_counter() - started)
            statements.append(counter.total())
            db.session.remove()
            if not quiet:
                print(profiler.output_text(unicode=False, color=False, show_all=False), flush=True)
                for statement, count in counter.statements.most_common():
                    print(f"  {count:5d}  {statement}")
            run = db.session.get(SyncRun, run_id)
            print(
                f"run {number + 1}: {run.kind.value} {run.status.value} fetched={run.fetched} updated={run.updated}"
                f" wall={walls[-1] * 1000:.1f} ms statements={statements[-1]}",
                flush=True,
            )
            db.session.remove()
        event.remove(db.engine, "before_cursor_execute", counter)
        print(f"median of {runs}: wall={statistics.median(walls) * 1000:.1f} ms statements={statistics.median(statements)}")
        with open("/proc/loadavg") as loadavg:
            print(f"load average: {loadavg.read().strip()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.profile_sync", description=__doc__.splitlines()[0])
    parser.add_argument("employees", type=int, nargs="?", default=10_000)
    parser.add_argument("runs", type=int, nargs="?", default=2)
    parser.add_argument("--changes", type=int, default=None, metavar="N", help="syncs of the changes after N people changed")
    parser.add_argument("--quiet", action="store_true", help="only each run's wall time and SQL statements")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flexsync-profile-") as scratch:
        profile_runs(options.employees, options.runs, Path(scratch), options.changes, options.quiet)
