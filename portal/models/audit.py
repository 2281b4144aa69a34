from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
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
    COMPANY_EXPORTED = "company.exported"
    # Kept without a tenant: the company it names is gone.
    COMPANY_ERASED = "company.erased"
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
    # Integrations (issue 19): `detail` holds what changed, e.g. {"field", "old", "new"}.
    INTEGRATION_MADE_AVAILABLE = "integration.made_available"
    INTEGRATION_MADE_UNAVAILABLE = "integration.made_unavailable"
    INTEGRATION_ACTIVATED = "integration.activated"
    INTEGRATION_SETTING_CHANGED = "integration.setting_changed"
    INTEGRATION_DISABLED = "integration.disabled"
    INTEGRATION_ENABLED = "integration.enabled"
    INTEGRATION_UNINSTALLED = "integration.uninstalled"
    SHARED_PEOPLE_MASTER_CHOSEN = "integration.master_chosen"
    # Employees.
    EMPLOYEES_MERGED = "employee.merged"
    EMAIL_CHANGE_APPLIED = "employee.email_change_applied"
    EMAIL_CHANGE_DISMISSED = "employee.email_change_dismissed"
    EMPLOYMENT_ENDED = "employee.employment_ended"
    BUDGET_ASSIGNED = "employee.budget_assigned"
    EMPLOYEE_INVITED = "employee.invited"
    # A local user the first sync could not match (Payhawk's rule), by the sync itself.
    EXTERNAL_FOUND = "employee.external_found"
    EXTERNAL_KEPT = "employee.external_kept"
    # Without `employee_id` when the person was deleted: the subject keeps who it was.
    EXTERNAL_REMOVED = "employee.external_removed"
    # Customer success read a company's employee data (support view).
    SUPPORT_VIEWED = "support.viewed"


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
    # What changed or what was read, for the entries that need more than a subject:
    # {"field": …, "old": …, "new": …} for a setting, {"page": …} for a support view.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The employee an action concerns (a budget, a merge, an e-mail change): their timeline shows it.
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", name="fk_audit_entries_employee_id"), index=True)

    tenant: Mapped[Tenant | None] = relationship()
