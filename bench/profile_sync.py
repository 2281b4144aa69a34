"""Where a sync spends its time: `python -m bench.profile_sync [employees] [runs]`.

Runs `execute_run` in this process under pyinstrument (the `bench` extra), against a
Securex sandbox of that size on loopback and a throwaway SQLite (or DATABASE_URL's
PostgreSQL), and prints the profile of each run: the first is a full sync, the next
ones resyncs with nothing changed.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler
from sqlalchemy import select

from bench import database
from bench.processes import Children, start_sandboxes
from bench.run import demo_integration, make_app
from portal.extensions import db
from portal.models import Integration, SyncRun, Trigger


def profile_runs(employees: int, runs: int, workdir: Path) -> None:
    from cryptography.fernet import Fernet

    from portal import sync_runs

    children = Children(workdir)
    try:
        urls = start_sandboxes(children, "sandbox", employees, 1)
        with database.phase_database(os.environ.get("DATABASE_URL"), workdir, "profile") as url:
            app = make_app(url, "redis://127.0.0.1:1/0", Fernet.generate_key().decode(), urls)
            with app.app_context():
                tenant_id, integration_id = demo_integration()
                integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
                for _ in range(runs):
                    run = SyncRun(tenant_id=tenant_id, integration_id=integration.id, trigger=Trigger.MANUAL)
                    db.session.add(run)
                    db.session.commit()
                    profiler = Profiler()
                    with profiler:
                        sync_runs.execute_run(run.id, app.config)
                    print(profiler.output_text(unicode=False, color=False, show_all=False), flush=True)
                db.engine.dispose()
    finally:
        children.stop_all()


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    with tempfile.TemporaryDirectory(prefix="flexsync-profile-") as scratch:
        profile_runs(*(arguments + [10_000, 2][len(arguments):]), Path(scratch))
