"""An employee's personal details as the admin edits them in Flexsync: only the fields
the provider does not master (`directory.locked_fields`), and the phone verification."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.extensions import db
from portal.models import Employee


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
