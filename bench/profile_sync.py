"""Where a sync spends its time: `python -m bench.profile_sync [employees] [runs]`.

Runs `execute_run` in this process under pyinstrument (the `bench` extra), against a
Securex sandbox of that size on loopback and a throwaway SQLite (or DATABASE_URL's
PostgreSQL), and prints the profile of each run: the first is a full sync, the next
ones resyncs with nothing changed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler

from bench.run import in_process, new_run


def profile_runs(employees: int, runs: int, workdir: Path) -> None:
    from portal.runs import sync_runs

    with in_process(employees, workdir, "profile") as (app, _urls, tenant_id, integration_id):
        for _ in range(runs):
            run_id = new_run(tenant_id, integration_id)
            profiler = Profiler()
            with profiler:
                sync_runs.execute_run(run_id, app.config)
            print(profiler.output_text(unicode=False, color=False, show_all=False), flush=True)


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    with tempfile.TemporaryDirectory(prefix="flexsync-profile-") as scratch:
        profile_runs(*(arguments + [10_000, 2][len(arguments) :]), Path(scratch))
