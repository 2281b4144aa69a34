"""The audit trail of access: every invitation, password, second factor and deactivation, with who did it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal import tenancy
from portal.extensions import db
from portal.models import AuditAction, AuditEntry, User

# Who acted when no one was logged in: the operator on the server, or anyone at the reset form.
COMMAND_LINE = "command line"
RESET_FORM = "password reset form"


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
        subject=subject,
        tenant_id=tenant_id,
        at=datetime.utcnow(),
        detail=detail,
        employee_id=employee_id,
    )
    db.session.add(entry)
    return entry


def entries_for(tenant_id: int, limit: int = 50) -> list[AuditEntry]:
    """The latest entries of one company, for customer success (who act for no tenant)."""
    with tenancy.acting_for(tenant_id):
        return list(db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars())
