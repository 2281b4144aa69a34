"""Texts about who has access: the audit trail's actions and an admin's status, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.models import AuditAction

AUDIT_ACTIONS = {
    AuditAction.STAFF_CREATED: _l("created a customer success account"),
    AuditAction.USER_DEACTIVATED: _l("deactivated a login"),
    AuditAction.COMPANY_CREATED: _l("created the company"),
    AuditAction.COMPANY_DEACTIVATED: _l("deactivated the company"),
    AuditAction.COMPANY_REACTIVATED: _l("reactivated the company"),
    AuditAction.COMPANY_EXPORTED: _l("exported the company's data"),
    AuditAction.COMPANY_ERASED: _l("erased the company and all its data"),
    AuditAction.ADMIN_INVITED: _l("invited an HR admin"),
    AuditAction.INVITATION_RESENT: _l("resent an invitation"),
    AuditAction.INVITATION_REVOKED: _l("revoked an invitation"),
    AuditAction.ACCESS_REMOVED: _l("removed an admin's access"),
    AuditAction.PASSWORD_SET: _l("chose a password"),
    AuditAction.PASSWORD_RESET_REQUESTED: _l("asked for a password reset link"),
    AuditAction.PASSWORD_CHANGED: _l("changed a password"),
    AuditAction.TWO_FACTOR_ENROLLED: _l("turned on two-factor sign-in"),
    AuditAction.TWO_FACTOR_DISABLED: _l("turned off two-factor sign-in"),
    AuditAction.RECOVERY_CODE_USED: _l("logged in with a recovery code"),
    AuditAction.RECOVERY_CODES_RENEWED: _l("made new recovery codes"),
    AuditAction.TWO_FACTOR_REQUIRED: _l("required two-factor sign-in for every admin"),
    AuditAction.TWO_FACTOR_OPTIONAL: _l("made two-factor sign-in optional"),
}

ADMIN_STATUSES = {
    "active": _l("has access"),
    "invited": _l("invited"),
    "invitation_expired": _l("invitation expired"),
}


def audit_action(action: AuditAction) -> str:
    return str(AUDIT_ACTIONS[action])


def admin_status(status: str) -> str:
    return str(ADMIN_STATUSES[status])
