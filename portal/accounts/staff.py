"""The operator's view of every login, from the server's command line: the first staff
account of a new installation, who exists, and ending someone's access."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts import audit, links, users
from portal.accounts.links import IssuedLink
from portal.extensions import db
from portal.models import AuditAction, LinkPurpose, Role, User


class StaffProblem(Exception):
    """Something the operator must change before the command can do its work; says what."""


def create_staff(email: str, name: str = "") -> IssuedLink:
    """A customer success account without a password, and the one-time link to choose it.

    Run again for someone who never chose a password (or was deactivated), it prints a fresh
    link and the earlier one stops working."""
    address = users.normalised_email(email)
    if not users.looks_like_email(address):
        raise StaffProblem(f"{email!r} is not an e-mail address.")
    user = users.user_with_email(address)
    if user is not None and (user.role is not Role.CUSTOMER_SUCCESS):
        raise StaffProblem(f"{address} is an HR admin of a company; staff need an address of their own.")
    if user is not None and user.has_password and user.deactivated_at is None:
        raise StaffProblem(f"{address} already has a password; they can use 'Forgot your password?' on the log-in page.")
    if user is None:
        user = User(email=address, name=name.strip(), role=Role.CUSTOMER_SUCCESS, password_hash="")
        db.session.add(user)
        db.session.flush()
    else:
        users.start_over(user)
        user.name = name.strip() or user.name
    issued = links.issue(user, LinkPurpose.FIRST_PASSWORD, by=None)
    audit.record(AuditAction.STAFF_CREATED, None, address)
    db.session.commit()
    return issued


def every_login() -> list[User]:
    return list(db.session.execute(select(User).options(joinedload(User.tenant)).order_by(User.role, User.email)).scalars())


def deactivate(email: str) -> User:
    user = users.user_with_email(email)
    if user is None:
        raise StaffProblem(f"No login has the address {email.strip()}.")
    if user.deactivated_at is not None:
        raise StaffProblem(f"{user.email} is already deactivated.")
    users.deactivate(user, datetime.utcnow())
    audit.record(AuditAction.USER_DEACTIVATED, None, user.email, user.tenant_id)
    db.session.commit()
    return user
