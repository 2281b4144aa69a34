"""An employee's personal details as the admin edits them in Flexsync: only the fields
the provider does not master (`directory.locked_fields`), and the phone verification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Employee, Integration, SyncRun, SyncRunEmployee
from portal.providers.base import Provider
from portal.sync.plan import Action

# How far back the page looks for the sync that brought the phone number: the latest syncs
# that updated the employee, enough for a number that the HR system changes now and then.
PHONE_CHANGE_LOOKBACK = 50


def save_personal_details(employee: Employee, values: Mapping[str, Any]) -> None:
    """`values` by field name; the page checked them (the phone is in E.164 by then), and
    `directory.email_taken` for the e-mail. A new phone number must be verified again."""
    if "phone" in values and (values["phone"] or None) != employee.phone:
        employee.phone_verified = False
    for name, value in values.items():
        setattr(employee, name, value)
    employee.email = employee.email.strip().lower()
    employee.language = employee.language or None
    db.session.commit()


def save_phone_verification(employee: Employee, verified: bool) -> None:
    # Someone without a phone number has nothing to verify.
    employee.phone_verified = verified and bool(employee.phone)
    db.session.commit()


@dataclass(frozen=True)
class PhoneChange:
    provider: Provider
    at: datetime


def phone_changed_by_sync(employee: Employee) -> PhoneChange | None:
    """The sync that brought the number the employee has not verified yet, if one did: the
    generic HR system's new number must be verified again (PRODUCT.md, overwrite-and-reverify),
    and the admin tells it apart from a number nobody has verified yet."""
    if not employee.phone or employee.phone_verified:
        return None
    run_time = func.coalesce(SyncRun.finished_at, SyncRun.started_at, SyncRun.queued_at)
    rows = db.session.execute(
        select(SyncRunEmployee.changes, run_time, Integration.provider)
        .join(SyncRun, SyncRun.id == SyncRunEmployee.run_id)
        .join(Integration, Integration.id == SyncRun.integration_id)
        .where(SyncRunEmployee.employee_id == employee.id, SyncRunEmployee.action == Action.UPDATE)
        .order_by(SyncRunEmployee.id.desc())
        .limit(PHONE_CHANGE_LOOKBACK)
    ).all()
    for changes, at, provider in rows:
        for change in changes or ():
            if change.get("field") == "phone":
                return PhoneChange(provider, at) if change.get("new") == employee.phone else None
    return None
