"""What Flexsync keeps of a company, and for how long: run lines pruned after the
retention period, a company's data handed over as CSV files, and a company erased.

Erasure works from the model itself, not from a list someone keeps: every table with a
`tenant_id` column loses that company's rows, every table that only points at one of its
users loses those rows, and a reference kept elsewhere to one of its users is cleared. A
table added tomorrow is covered the same way (tests/test_company_data.py checks every table).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Column, Table, delete, select, update
from sqlalchemy.orm import InstrumentedAttribute

from portal import tenancy
from portal.accounts import audit
from portal.extensions import db
from portal.models import AuditAction, Employee, Integration, SyncRun, SyncRunEmployee, Tenant, User, WageContract
from portal.models.login_failure import LoginFailure

# Runs are pruned of their lines this many at a time: short transactions beside a nightly sync.
PRUNE_CHUNK = 500


def prune_run_lines(older_than: datetime) -> int:
    """Deletes the per-employee lines of runs finished before `older_than`, every company's;
    the runs and their counts stay. Returns how many runs were pruned."""
    pruned = 0
    while True:
        run_ids = list(
            db.session.execute(
                select(SyncRun.id)
                .where(SyncRun.finished_at < older_than, SyncRun.lines_pruned_at.is_(None))
                .order_by(SyncRun.id)
                .limit(PRUNE_CHUNK)
            ).scalars()
        )
        if not run_ids:
            return pruned
        db.session.execute(delete(SyncRunEmployee).where(SyncRunEmployee.run_id.in_(run_ids)))
        db.session.execute(update(SyncRun).where(SyncRun.id.in_(run_ids)).values(lines_pruned_at=datetime.utcnow()))
        db.session.commit()
        pruned += len(run_ids)


# --- Export ---------------------------------------------------------------------------

EMPLOYEE_COLUMNS = (
    "id",
    "provider_id",
    "email",
    "first_name",
    "last_name",
    "language",
    "start_date",
    "employee_number",
    "phone",
    "active",
    "external",
    "employment_ended_on",
    "last_synced_at",
)
CONTRACT_COLUMNS = (
    "employee_id",
    "provider_id",
    "wage_type",
    "worker_class",
    "provider_gross_amount",
    "gross_salary",
    "salary_period",
    "start_date",
    "end_date",
    "work_regime_pct",
    "contract_type",
    "wage_code",
)
RUN_COLUMNS = (
    "id",
    "integration_id",
    "trigger",
    "status",
    "queued_at",
    "started_at",
    "finished_at",
    "created",
    "updated",
    "unchanged",
    "skipped",
    "failed",
    "deactivated",
    "error_code",
)


def export_zip(tenant: Tenant, by: User) -> bytes:
    """The company's employees, wage contracts and runs as CSV files in one zip; the
    export itself is audited (personal data leaving Flexsync)."""
    buffer = io.BytesIO()
    with tenancy.acting_for(tenant.id), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("employees.csv", _csv(EMPLOYEE_COLUMNS, _rows(Employee, EMPLOYEE_COLUMNS, Employee.id)))
        archive.writestr("wage_contracts.csv", _csv(CONTRACT_COLUMNS, _rows(WageContract, CONTRACT_COLUMNS, WageContract.id)))
        archive.writestr("sync_runs.csv", _csv(RUN_COLUMNS, _rows(SyncRun, RUN_COLUMNS, SyncRun.id)))
    audit.record(AuditAction.COMPANY_EXPORTED, by, tenant.name, tenant.id)
    db.session.commit()
    return buffer.getvalue()


def _rows(model: type, columns: Sequence[str], order: InstrumentedAttribute[int]) -> Iterable[tuple]:
    statement = select(*(getattr(model, name) for name in columns)).order_by(order)
    return db.session.execute(statement.execution_options(yield_per=1000))


def _csv(header: Sequence[str], rows: Iterable[tuple]) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow(_cell(value) for value in row)
    return text.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    return getattr(value, "value", value)


# --- Erasure --------------------------------------------------------------------------


def erase_company(tenant: Tenant, by: User) -> None:
    """Every row of the company gone, from every table; credentials first, in a commit of
    their own, so that nothing secret outlives a failure halfway. The audit entry that
    says who erased which company is kept outside the company's data (no tenant)."""
    tenant_id, name, vat = tenant.id, tenant.name, tenant.vat_number
    with tenancy.acting_for(tenant_id):
        db.session.execute(update(Integration).values(credentials=None))
        db.session.commit()
    users = list(db.session.execute(select(User.id, User.email).where(User.tenant_id == tenant_id)).all())
    user_ids = [user_id for user_id, _email in users]
    db.session.execute(update(Tenant).where(Tenant.id == tenant_id).values(shared_people_master_id=None))
    for table in reversed(db.metadata.sorted_tables):
        _clear_references(table, user_ids)
    for table in reversed(db.metadata.sorted_tables):
        if table.name == Tenant.__tablename__:
            continue
        if "tenant_id" in table.c:
            db.session.execute(delete(table).where(table.c.tenant_id == tenant_id))
        elif (owner := _user_owner(table)) is not None:
            db.session.execute(delete(table).where(owner.in_(user_ids)))
    for _user_id, email in users:
        # Failed log-ins are keyed "<e-mail> <address>": personal data of the company too.
        db.session.execute(delete(LoginFailure).where(LoginFailure.attempt_key.startswith(f"{email} ")))
    db.session.execute(delete(Tenant).where(Tenant.id == tenant_id))
    audit.record(AuditAction.COMPANY_ERASED, by, f"{name} ({vat})" if vat else name, None)
    db.session.commit()


def _user_columns(table: Table) -> list[Column]:
    return [column for column in table.c if any(fk.column.table.name == "users" for fk in column.foreign_keys)]


def _user_owner(table: Table) -> Column | None:
    """The column of a table that belongs to a user (a recovery code, a set-password link)."""
    return next((column for column in _user_columns(table) if not column.nullable), None)


def _clear_references(table: Table, user_ids: list[int]) -> None:
    """Rows that stay (another company's, staff's) may name one of the company's users as
    who did something: the name goes, the row stays."""
    if not user_ids:
        return
    for column in _user_columns(table):
        if column.nullable:
            db.session.execute(update(table).where(column.in_(user_ids)).values({column.name: None}))
