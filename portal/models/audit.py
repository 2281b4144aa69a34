from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.tenant import Tenant
from portal.models.types import enum_column
from portal.tenancy import TenantScoped


class AuditAction(enum.StrEnum):
    STAFF_CREATED = "staff.created"
    USER_DEACTIVATED = "user.deactivated"
    COMPANY_CREATED = "company.created"
    COMPANY_DEACTIVATED = "company.deactivated"
    COMPANY_REACTIVATED = "company.reactivated"
    ADMIN_INVITED = "admin.invited"
    INVITATION_RESENT = "invitation.resent"
    INVITATION_REVOKED = "invitation.revoked"
    ACCESS_REMOVED = "access.removed"
    PASSWORD_SET = "password.set"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"
    PASSWORD_CHANGED = "password.changed"
    TWO_FACTOR_ENROLLED = "two_factor.enrolled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    RECOVERY_CODE_USED = "two_factor.recovery_code"
    RECOVERY_CODES_RENEWED = "two_factor.new_recovery_codes"
    TWO_FACTOR_REQUIRED = "company.two_factor_required"
    TWO_FACTOR_OPTIONAL = "company.two_factor_optional"


class AuditEntry(TenantScoped, db.Model):
    """Who did what to whose access, when, and for which company.

    Tenant-scoped, so a company's HR admins will read their own entries only; staff and
    command-line actions that concern no company have no tenant.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Overrides the mixin's column: staff accounts belong to no company.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)  # type: ignore[assignment]
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    # None for the operator's command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Kept as text: what the actor and the subject were called at the time.
    actor: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(254), default="")

    tenant: Mapped[Tenant | None] = relationship()
