"""The least a first sync can cost, part by part: `python -m bench.least_sync [employees]`.

`ratio_full_to_floor` compares a sync with a floor that fetches the pages and writes
the rows into tables with no index. Any sync also reads each record into typed values,
writes into the real schema (its unique constraints and indexes) and reports each
person in the run. This runs one full sync in-process (for its rows, on a throwaway
SQLite or DATABASE_URL's PostgreSQL, against a Securex sandbox on loopback), then times
each of those parts alone, best of 3, and prints them against the floor. What the sum
leaves out: every decision (matching, validation, probable duplicates, field
policies), the change log, and the run's fixed cost through a worker
(`python -m bench.run_overhead`).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, insert, select

from bench import database
from bench.run import DEMO_COMPANY, fetch_floor, fresh, in_process, new_run
from portal.extensions import db
from portal.models import Employee, Integration, SyncRunEmployee, Tenant, WageContract

REPEATS = 3


def best_of(measure: Callable[[], float]) -> float:
    return min(measure() for _ in range(REPEATS))


def read_seconds(integration: Integration, config: dict) -> float:
    """Every record of every page read into typed values by the connector, pages already fetched."""
    from portal.integrations import connectors

    pages = list(connectors.for_background_work(integration, config).employees())
    started = time.perf_counter()
    for page in pages:
        for raw in page.raw:
            page.read(raw)
    return time.perf_counter() - started


class SameRowsElsewhere:
    """The rows of the integration's sync, written again for a new tenant each time, so
    that every unique constraint and index of the real tables takes them."""

    def __init__(self, integration_id: int, run_id: int) -> None:
        self.employees, self.contracts = database.synced_rows(integration_id)
        provider_of = {row["id"]: row["provider_id"] for row in self.employees}
        for contract in self.contracts:
            contract["provider_of_employee"] = provider_of[contract["employee_id"]]
        self.lines = [
            dict(row._mapping)
            for row in db.session.execute(select(SyncRunEmployee.__table__).where(SyncRunEmployee.run_id == run_id))
        ]
        db.session.rollback()
        self.copies = 0
        # Rows each kind of copy holds, counted after its timing: what was measured was written.
        self.written: dict[str, int] = {}

    def new_tenant(self) -> tuple[int, int]:
        self.copies += 1
        tenant_id = db.session.execute(
            insert(Tenant).returning(Tenant.id), [{"name": f"Copy {self.copies}", "default_language": "nl"}]
        ).scalar_one()
        integration_id = database.activate_securex(tenant_id, DEMO_COMPANY)
        db.session.commit()
        return tenant_id, integration_id

    def write_people(self) -> float:
        """Employees, their new ids read back by provider ID, contracts, one commit: as a sync writes them."""
        tenant_id, integration_id = self.new_tenant()
        employees = [
            {
                **{k: v for k, v in row.items() if k != "id"},
                "tenant_id": tenant_id,
                "integration_id": integration_id,
                "probable_duplicate_of_id": None,
            }
            for row in self.employees
        ]
        started = time.perf_counter()
        db.session.execute(insert(Employee.__table__), employees)
        new_ids = dict(
            db.session.execute(select(Employee.provider_id, Employee.id).where(Employee.integration_id == integration_id)).all()
        )
        db.session.execute(
            insert(WageContract.__table__),
            [
                {
                    **{k: v for k, v in row.items() if k not in ("id", "provider_of_employee")},
                    "tenant_id": tenant_id,
                    "employee_id": new_ids[row["provider_of_employee"]],
                }
                for row in self.contracts
            ],
        )
        db.session.commit()
        elapsed = time.perf_counter() - started
        self.written["employees"] = self.count(Employee, tenant_id)
        self.written["wage contracts"] = self.count(WageContract, tenant_id)
        return elapsed

    def write_report(self, with_changes: bool) -> float:
        """One line per person in a new run's report: bare, or with the change log the run page shows."""
        tenant_id, integration_id = self.new_tenant()
        run_id = new_run(tenant_id, integration_id)
        lines = [
            {
                **{k: v for k, v in row.items() if k not in ("id", "employee_id")},
                "tenant_id": tenant_id,
                "run_id": run_id,
                "changes": row["changes"] if with_changes else None,
            }
            for row in self.lines
        ]
        started = time.perf_counter()
        db.session.execute(insert(SyncRunEmployee.__table__), lines)
        db.session.commit()
        elapsed = time.perf_counter() - started
        self.written["report lines"] = self.count(SyncRunEmployee, tenant_id)
        return elapsed

    @staticmethod
    def count(model: type[db.Model], tenant_id: int) -> int:
        return fresh(select(func.count()).select_from(model).where(model.tenant_id == tenant_id))[0][0]


def measure(employees: int, workdir: Path) -> tuple[dict[str, float], dict[str, int]]:
    """Seconds of each part, and rows: the sync's own and each copy's."""
    from portal.runs import sync_runs

    with in_process(employees, workdir, "least") as (app, urls, tenant_id, integration_id):
        run_id = new_run(tenant_id, integration_id)
        started = time.perf_counter()
        sync_runs.execute_run(run_id, app.config)
        full = time.perf_counter() - started
        integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
        same_rows = SameRowsElsewhere(integration_id, run_id)
        parts = {
            "fetch floor": best_of(lambda: fetch_floor(urls["securex"], DEMO_COMPANY)),
            "write floor": best_of(lambda: database.bulk_write_floor(integration_id)),
            "write floor, upsert with the unique keys": best_of(lambda: database.bulk_write_floor(integration_id, upsert=True)),
            "read records": best_of(lambda: read_seconds(integration, app.config)),
            "write into the schema": best_of(same_rows.write_people),
            "report lines, bare": best_of(lambda: same_rows.write_report(with_changes=False)),
            "report lines, with change log": best_of(lambda: same_rows.write_report(with_changes=True)),
        }
        rows = {
            "employees": len(same_rows.employees),
            "wage contracts": len(same_rows.contracts),
            "report lines": len(same_rows.lines),
        }
        rows.update({f"{name} written": count for name, count in same_rows.written.items()})
    floor = parts["fetch floor"] + parts["write floor"]
    upsert_floor = parts["fetch floor"] + parts["write floor, upsert with the unique keys"]
    least = parts["fetch floor"] + parts["read records"] + parts["write into the schema"] + parts["report lines, bare"]
    return {
        "full sync (in-process)": full,
        **parts,
        "floor": floor,
        "floor with the upsert": upsert_floor,
        "least (fetch, read, write into the schema, bare report)": least,
        "least / floor": least / floor,
        "least / floor with the upsert": least / upsert_floor,
        "full sync / floor": full / floor,
    }, rows


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory(prefix="flexsync-least-") as scratch:
        figures, rows = measure(size, Path(scratch))
    print(
        f"{size} employees, {'postgresql' if os.environ.get('DATABASE_URL', '').startswith('postgresql') else 'sqlite'}, "
        f"best of {REPEATS} s"
    )
    for name, value in figures.items():
        print(f"{name:<58}{value:8.3f}")
    print(", ".join(f"{name} {count}" for name, count in rows.items()))
