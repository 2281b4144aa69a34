"""The audit log of a company: who gave or took access, set up an integration, decided about an employee, or looked as support."""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from portal import tenancy
from portal.extensions import db
from portal.models import AuditAction, AuditEntry, Employee, User
from portal.pagination import BoundedPagination, paginate_growing

# Who acted when no one was logged in: the operator on the server, anyone at the reset form,
# or a company's first sync.
COMMAND_LINE = "command line"
RESET_FORM = "password reset form"
FIRST_SYNC = "first sync"
# `AuditEntry.subject`'s column: a name of thousands of characters is kept cut short.
SUBJECT_LENGTH = 254


class Kind(enum.StrEnum):
    """What the log's filter offers: the admin looks for integrations, people, logins or support's visits."""

    INTEGRATIONS = "integrations"
    EMPLOYEES = "employees"
    ACCESS = "access"
    SUPPORT = "support"


# An action's code starts with what it is about ("integration.activated"); all others concern access.
_KIND_OF_PREFIX = {"integration": Kind.INTEGRATIONS, "employee": Kind.EMPLOYEES, "support": Kind.SUPPORT}


def kind_of(action: AuditAction) -> Kind:
    return _KIND_OF_PREFIX.get(action.value.split(".", 1)[0], Kind.ACCESS)


def actions_of(kind: Kind) -> list[AuditAction]:
    return [action for action in AuditAction if kind_of(action) is kind]


def record(
    action: AuditAction,
    actor: User | None,
    subject: str = "",
    tenant_id: int | None = None,
    *,
    via: str = COMMAND_LINE,
    detail: dict[str, Any] | None = None,
    employee_id: int | None = None,
) -> AuditEntry:
    """Adds the entry to the session; the caller's commit writes it with the change it describes."""
    entry = AuditEntry(
        action=action,
        actor_id=actor.id if actor else None,
        actor=actor.email if actor else via,
        subject=subject[:SUBJECT_LENGTH],
        tenant_id=tenant_id,
        at=datetime.utcnow(),
        detail=detail,
        employee_id=employee_id,
    )
    db.session.add(entry)
    return entry


def employee_subject(employee: Employee) -> str:
    """Name and e-mail: the log tells two people of the same name apart, and is searched by either."""
    return f"{employee.display_name} ({employee.email})"


def entries_for(tenant_id: int, actions: Collection[AuditAction] | None = None, limit: int = 50) -> list[AuditEntry]:
    """The latest entries of one company about access (or of the `actions` named), for
    customer success (who act for no tenant)."""
    with tenancy.acting_for(tenant_id):
        statement = entries(actions or actions_of(Kind.ACCESS)).limit(limit)
        return list(db.session.execute(statement).scalars())


def entries(actions: Collection[AuditAction] = (), person: str = "") -> Select:
    """Newest first, of the current tenant; all actions unless some are named. `person`: part
    of the actor's e-mail or name, or of the subject (an employee's name or e-mail, an admin's e-mail)."""
    statement = select(AuditEntry)
    if actions:
        statement = statement.where(AuditEntry.action.in_(actions))
    if person:
        pattern = f"%{person.lower()}%"
        statement = statement.outerjoin(User, User.id == AuditEntry.actor_id).where(
            or_(
                func.lower(AuditEntry.actor).like(pattern),
                func.lower(AuditEntry.subject).like(pattern),
                func.lower(User.name).like(pattern),
            )
        )
    return statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def entries_page(kind: Kind | None, person: str, page: int, per_page: int) -> BoundedPagination:
    """One page of the log. An HR admin's request reads their own company; customer success
    call this inside `tenancy.acting_for` the company they opened."""
    return paginate_growing(entries(actions_of(kind) if kind else (), person), max(page, 1), per_page)


def actor_names(entries: Iterable[AuditEntry]) -> dict[int, str]:
    """The names of the logins that acted, by id: the log keeps only their e-mail."""
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    if not ids:
        return {}
    return {user_id: name for user_id, name in db.session.execute(select(User.id, User.name).where(User.id.in_(ids))) if name}
