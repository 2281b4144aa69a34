"""The hours register: the worked shifts an admin looks through, corrects by hand or
imports from a CSV file. What of it goes to Connexie is `connexie_export`'s work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Row, func, select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.hours import csv_import
from portal.hours.rules import Period
from portal.models import Employee, WorkedShift


def latest_month() -> Period:
    """Where the table opens: the month of the latest shift, usually the one payroll waits for."""
    latest = db.session.execute(select(func.max(WorkedShift.day))).scalar_one_or_none()
    return Period.of(latest or date.today())


def shifts_page(period: Period, employee_id: int | None, page: int, per_page: int) -> Pagination:
    """The month's shifts by day and name; one person's only when `employee_id` is given."""
    statement = (
        select(WorkedShift)
        .join(Employee, WorkedShift.employee_id == Employee.id)
        .where(WorkedShift.day.between(period.start, period.end))
        .order_by(WorkedShift.day, Employee.last_name, Employee.first_name, WorkedShift.starts_at)
    )
    if employee_id:
        statement = statement.where(WorkedShift.employee_id == employee_id)
    return db.paginate(statement.options(contains_eager(WorkedShift.employee)), page=page, per_page=per_page, error_out=False)


def people_with_shifts() -> Sequence[Row[int, str, str]]:
    """Everyone with a shift in the register, for the table's employee filter."""
    return db.session.execute(
        select(Employee.id, Employee.first_name, Employee.last_name)
        .where(Employee.id.in_(select(WorkedShift.employee_id)))
        .order_by(Employee.last_name, Employee.first_name)
    ).all()


def save_shift(shift: WorkedShift, values: Mapping[str, Any]) -> None:
    """A correction by hand, `values` by field name; `updated_at` moves, so an exported
    shift shows as changed since its export."""
    for name, value in values.items():
        setattr(shift, name, value)
    shift.updated_at = datetime.utcnow()
    db.session.commit()


# --- CSV import -----------------------------------------------------------------------


def read_csv(content: bytes) -> csv_import.ImportResult:
    """The file's shifts and errors; its e-mail addresses name active employees only."""
    return csv_import.read_shifts(content, employee_ids_by_email())


def employee_ids_by_email() -> dict[str, int]:
    return dict(db.session.execute(select(Employee.email, Employee.id).where(Employee.active.is_(True))).all())


def save_rows(rows: list[csv_import.ShiftRow]) -> tuple[int, int, int]:
    """Adds new shifts and updates the ones already in the register (same person, day
    and start), so importing a file twice changes nothing. Returns added, updated,
    and how many of the updated ones had been exported already."""
    keys = {(r.employee_id, r.day, r.starts_at) for r in rows}
    existing = {
        (s.employee_id, s.day, s.starts_at): s
        for s in db.session.execute(
            select(WorkedShift).where(
                WorkedShift.employee_id.in_({k[0] for k in keys}),
                WorkedShift.day.between(min(k[1] for k in keys), max(k[1] for k in keys)),
            )
        ).scalars()
    }
    added = updated = exported = 0
    now = datetime.utcnow()
    for row in rows:
        values = dict(
            ends_at=row.ends_at,
            break_minutes=row.break_minutes,
            meals=row.meals,
            allowance_amount=row.allowance_amount,
            approved=row.approved,
        )
        shift = existing.get((row.employee_id, row.day, row.starts_at))
        if shift is None:
            db.session.add(WorkedShift(employee_id=row.employee_id, day=row.day, starts_at=row.starts_at, **values))
            added += 1
        elif any(getattr(shift, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(shift, name, value)
            shift.updated_at = now
            updated += 1
            exported += shift.exported_at is not None
    db.session.commit()
    return added, updated, exported
