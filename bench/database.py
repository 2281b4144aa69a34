"""Throwaway databases for the benchmark, and what it seeds and reads in bulk.

SQLite: one file per phase in the work directory. PostgreSQL (DATABASE_URL set): one
database per phase created next to the given one and dropped at the end, so the
benchmark never touches the database it was pointed at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, UniqueConstraint, bindparam, create_engine, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.models import (
    Discrepancy,
    Employee,
    Integration,
    IntegrationState,
    RunState,
    SelectionEntry,
    SyncRun,
    SyncRunEmployee,
    Tenant,
    Trigger,
    WageContract,
)
from portal.providers.base import Provider
from portal.sync.state import Selection, SyncMode

# The rows a sync writes about people; the run's own row is bookkeeping, not counted.
DATA_TABLES = (Employee, WageContract, Discrepancy, SelectionEntry)
SEED_CHUNK = 5000


@contextmanager
def phase_database(base_url: str | None, workdir: Path, phase: str) -> Iterator[str]:
    """A fresh, empty database URL for one phase; removed afterwards."""
    if not base_url or not base_url.startswith("postgresql"):
        path = workdir / f"{phase}.db"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    url = make_url(base_url)
    name = f"{url.database}_bench_{phase}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def analyze_if_postgresql() -> None:
    """Planner statistics, as autovacuum has them by the time a nightly resync runs.

    A benchmark resync follows its first sync by seconds, before autovacuum analyses the
    10,000 new rows, and PostgreSQL then plans the page lookups for an empty table.
    SQLite is left alone: nothing analyses it in production either.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def activate_securex(tenant_id: int, company_id: str) -> int:
    """An active Securex integration in full mode, as the activation wizard leaves it."""
    return db.session.execute(
        insert(Integration).returning(Integration.id), [integration_row(tenant_id, company_id)]
    ).scalar_one()


def integration_row(tenant_id: int, company_id: str) -> dict:
    return {
        "tenant_id": tenant_id,
        "provider": Provider.SECUREX,
        "available": True,
        "state": IntegrationState.ACTIVE,
        "sync_mode": SyncMode.FULL,
        "provider_company_id": company_id,
        "credentials": {},
        "settings": {},
        "activated_at": datetime.utcnow(),
    }


def seed_fleet(companies: list[dict]) -> int:
    """One tenant with an active Securex integration per sandbox company, in bulk."""
    tenant_ids = (
        db.session.execute(
            insert(Tenant).returning(Tenant.id, sort_by_parameter_order=True),
            [{"name": f"Fleet {c['id']}", "vat_number": c["vat"], "default_language": "nl"} for c in companies],
        )
        .scalars()
        .all()
    )
    db.session.execute(insert(Integration), [integration_row(t, c["id"]) for t, c in zip(tenant_ids, companies, strict=True)])
    db.session.commit()
    return len(tenant_ids)


def seed_fleet_page(count: int) -> None:
    """`count` more companies as customer success sees them on the fleet page, in bulk: an
    integration each (every provider, every state) whose last nightly run ended half an hour
    ago, the fleet columns kept as each run's end keeps them; some in selective mode with
    people to review, and a Liantis outage (40 % of its companies unreachable)."""
    now = datetime.utcnow()
    providers = list(Provider)
    tenant_ids = (
        db.session.execute(
            insert(Tenant).returning(Tenant.id, sort_by_parameter_order=True),
            [{"name": f"Fleet company {n:05d}", "vat_number": f"BE1{n:09d}", "default_language": "nl"} for n in range(count)],
        )
        .scalars()
        .all()
    )
    rows = [_fleet_page_integration(n, tenant_id, providers[n % len(providers)], now) for n, tenant_id in enumerate(tenant_ids)]
    integration_ids = (
        db.session.execute(
            insert(Integration).returning(Integration.id, sort_by_parameter_order=True), [row for row, _run in rows]
        )
        .scalars()
        .all()
    )
    ran = [(integration_id, run) for integration_id, (_row, run) in zip(integration_ids, rows, strict=True) if run]
    run_ids = (
        db.session.execute(
            insert(SyncRun).returning(SyncRun.id, sort_by_parameter_order=True),
            [{**run, "integration_id": integration_id} for integration_id, run in ran],
        )
        .scalars()
        .all()
    )
    table = Integration.__table__
    db.session.execute(
        table.update().where(table.c.id == bindparam("integration")).values(last_run_id=bindparam("run")),
        [{"integration": integration_id, "run": run_id} for (integration_id, _run), run_id in zip(ran, run_ids, strict=True)],
    )
    db.session.execute(
        insert(SelectionEntry),
        [
            {
                "tenant_id": row["tenant_id"],
                "integration_id": integration_id,
                "provider_id": f"P{person}",
                "selection": Selection.PARKED,
                "display_name": f"Person {person}",
            }
            for integration_id, (row, _run) in zip(integration_ids, rows, strict=True)
            if row["sync_mode"] is SyncMode.SELECTIVE
            for person in range(3)
        ],
    )
    db.session.commit()


def _fleet_page_integration(n: int, tenant_id: int, provider: Provider, now: datetime) -> tuple[dict, dict | None]:
    """The n-th company's integration and its last run (None: never ran)."""
    mode = SyncMode.SELECTIVE if n % 10 == 3 else SyncMode.FULL
    row = integration_row(tenant_id, "C001") | {"provider": provider, "sync_mode": mode, "failed_runs_in_a_row": 0}
    if n % 50 == 7:
        return row | {"state": IntegrationState.AVAILABLE, "activated_at": None}, None
    status, failed, code = RunState.SUCCESS, 0, None
    if n % 50 == 11:
        row["state"] = IntegrationState.RECONNECT_NEEDED
        status, code = RunState.ERROR, "reconnect_needed"
    elif n % 50 == 13:
        row["state"] = IntegrationState.DISABLED
        status, code = RunState.ERROR, "internal"
    elif provider is Provider.LIANTIS and n % 5 < 2:
        status, code = RunState.ERROR, "provider_unavailable"
    elif n % 10 == 5:
        status, failed = RunState.PARTIAL, n % 7 + 1
    row["failed_runs_in_a_row"] = 0 if status is RunState.SUCCESS else n % 4 + 1
    run = {
        "tenant_id": tenant_id,
        "trigger": Trigger.NIGHTLY.value,
        "status": status.value,
        "phase": "done",
        "failed": failed,
        "error_code": code,
        "queued_at": now - timedelta(minutes=40),
        "started_at": now - timedelta(minutes=31),
        "finished_at": now - timedelta(minutes=30),
    }
    return row, run


def seed_history(tenant_id: int, integration_id: int, count: int) -> None:
    """Past nightly runs, oldest first, as a long-lived tenant's history holds them."""
    start = datetime.utcnow() - timedelta(days=count)
    table = SyncRun.__table__
    for first in range(0, count, SEED_CHUNK):
        rows = [
            {
                "tenant_id": tenant_id,
                "integration_id": integration_id,
                "trigger": Trigger.NIGHTLY.value,
                "status": RunState.SUCCESS.value,
                "phase": "done",
                "fetched": 100,
                "total": 100,
                "unchanged": 100,
                "queued_at": start + timedelta(days=n),
                "started_at": start + timedelta(days=n),
                "finished_at": start + timedelta(days=n, seconds=30),
            }
            for n in range(first, min(first + SEED_CHUNK, count))
        ]
        db.session.execute(insert(table), rows)
    db.session.commit()


def seed_hand_added(tenant_id: int, count: int) -> None:
    """People added by hand, with names no provider record matches."""
    table = Employee.__table__
    for first in range(0, count, SEED_CHUNK):
        rows = [
            {
                "tenant_id": tenant_id,
                "email": f"bench.{n}@demo.test",
                "first_name": "Bench",
                "last_name": f"Person{n:06d}",
                "language": "nl",
                "active": True,
            }
            for n in range(first, min(first + SEED_CHUNK, count))
        ]
        db.session.execute(insert(table), rows)
    db.session.commit()


def row_digests() -> dict[str, dict[int, str]]:
    """Table → row id → digest of the whole row, to count what a sync wrote."""
    digests = {}
    for model in DATA_TABLES:
        table = model.__table__
        digests[table.name] = {
            row.id: hashlib.blake2b(repr(tuple(row)).encode(), digest_size=16).hexdigest()
            for row in db.session.execute(select(table))
        }
    db.session.rollback()
    return digests


def rows_written(before: dict[str, dict[int, str]], after: dict[str, dict[int, str]]) -> int:
    """Rows of people's data inserted, updated or deleted between two digests."""
    changed = 0
    for name, old in before.items():
        new = after[name]
        changed += sum(1 for key in old.keys() | new.keys() if old.get(key) != new.get(key))
    return changed


def report_lines(run_id: int) -> int:
    """The run's own report lines (who was created, updated, skipped…): its log, counted apart."""
    lines = db.session.execute(
        select(func.count()).select_from(SyncRunEmployee).where(SyncRunEmployee.run_id == run_id)
    ).scalar_one()
    db.session.rollback()
    return lines


def bulk_write_floor(integration_id: int, upsert: bool = False) -> float:
    """Seconds to write the integration's employees and contracts again in one bulk
    INSERT per table and one commit, into empty copies of the tables: the floor of
    what any sync must pay to put those rows in the database.

    `upsert`: the copies keep the tables' unique constraints and each INSERT updates the
    row its key already holds (the floor `make bench` uses has neither)."""
    import time

    employees, contracts = synced_rows(integration_id)
    scratch = MetaData()
    copies = [
        (scratch_copy(model.__table__, scratch, upsert), UPSERT_KEYS[model], rows)
        for model, rows in ((Employee, employees), (WageContract, contracts))
    ]
    engine = db.engine
    scratch.create_all(engine)
    try:
        started = time.perf_counter()
        with engine.begin() as connection:
            for table, key, rows in copies:
                if rows:
                    connection.execute(upserting(table, key) if upsert else insert(table), rows)
        return time.perf_counter() - started
    finally:
        scratch.drop_all(engine)


def synced_rows(integration_id: int) -> tuple[list[dict], list[dict]]:
    """The rows a sync of the integration wrote, as column -> value: its employees, and
    their wage contracts."""
    employees = [
        dict(r._mapping) for r in db.session.execute(select(Employee.__table__).where(Employee.integration_id == integration_id))
    ]
    ids = {row["id"] for row in employees}
    contracts = [dict(r._mapping) for r in db.session.execute(select(WageContract.__table__)) if r.employee_id in ids]
    db.session.rollback()
    return employees, contracts


def scratch_copy(table: Table, metadata: MetaData, unique: bool = False) -> Table:
    """The same columns and primary key, without indexes; with the unique constraints if asked."""
    constraints = [
        UniqueConstraint(*(c.name for c in constraint.columns))
        for constraint in table.constraints
        if unique and isinstance(constraint, UniqueConstraint)
    ]
    return Table(
        f"bench_floor_{table.name}",
        metadata,
        *[Column(c.name, c.type, primary_key=c.primary_key) for c in table.columns],
        *constraints,
    )


# What a sync finds its rows by: an employee by the integration's provider ID, a
# contract by its employee.
UPSERT_KEYS = {Employee: ("integration_id", "provider_id"), WageContract: ("employee_id",)}


def upserting(table: Table, key: tuple[str, ...]):
    """INSERT … ON CONFLICT DO UPDATE on the key a sync finds the row by: a bulk upsert."""
    dialect_insert = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}[db.engine.dialect.name]
    statement = dialect_insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={c.name: statement.excluded[c.name] for c in table.columns if not c.primary_key and c.name not in key},
    )
