"""Texts of the audit log and of who has access: each action, what it changed, and an admin's status, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_currency, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.audit import COMMAND_LINE, FIRST_SYNC, RESET_FORM, Kind, kind_of
from portal.integrations.setting_changes import DELTA_EVERY_MINUTES, SYNC_MODE, VENUE
from portal.models import AuditAction, AuditEntry
from portal.providers.base import Provider
from portal.runs.sync_scope import INACTIVE
from portal.sync.state import SyncMode
from portal.texts.labels import change_value, field_label, label
from portal.texts.providers import PROVIDERS
from portal.texts.shortening import shortened

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
    AuditAction.INTEGRATION_MADE_AVAILABLE: _l("made an integration available"),
    AuditAction.INTEGRATION_MADE_UNAVAILABLE: _l("switched off an integration"),
    AuditAction.INTEGRATION_ACTIVATED: _l("activated an integration"),
    AuditAction.INTEGRATION_SETTING_CHANGED: _l("changed a setting of an integration"),
    AuditAction.INTEGRATION_DISABLED: _l("disabled an integration"),
    AuditAction.INTEGRATION_ENABLED: _l("enabled an integration again"),
    AuditAction.INTEGRATION_UNINSTALLED: _l("uninstalled an integration"),
    AuditAction.SHARED_PEOPLE_MASTER_CHOSEN: _l("chose the master of the people both integrations list"),
    AuditAction.EMPLOYEES_MERGED: _l("merged a probable duplicate"),
    AuditAction.EMAIL_CHANGE_APPLIED: _l("applied an e-mail change"),
    AuditAction.EMAIL_CHANGE_DISMISSED: _l("dismissed an e-mail change"),
    AuditAction.EMPLOYMENT_ENDED: _l("ended an employment"),
    AuditAction.BUDGET_ASSIGNED: _l("assigned a budget"),
    AuditAction.EMPLOYEE_INVITED: _l("invited an employee to the platform"),
    AuditAction.EXTERNAL_FOUND: _l("marked as an external user: the provider does not list them"),
    AuditAction.EXTERNAL_KEPT: _l("kept an external user"),
    AuditAction.EXTERNAL_REMOVED: _l("removed an external user"),
    AuditAction.SUPPORT_VIEWED: _l("looked at employee data for support"),
}

AUDIT_KINDS = {
    Kind.INTEGRATIONS: _l("Integrations"),
    Kind.EMPLOYEES: _l("Employees"),
    Kind.ACCESS: _l("Access"),
    Kind.SUPPORT: _l("Support views"),
}

# Who acted when no one was logged in.
ACTORS_WITHOUT_LOGIN = {
    COMMAND_LINE: _l("the operator, on the server"),
    RESET_FORM: _l("someone at the password reset form"),
    FIRST_SYNC: _l("the first sync"),
}

# The fields an audit entry names beyond an employee's own (`labels.FIELD_LABELS`).
AUDIT_FIELDS = {
    SYNC_MODE: _l("Sync mode"),
    DELTA_EVERY_MINUTES: _l("Sync changes every"),
    "api_token": _l("API token"),
    "meal_code": _l("Code for meals"),
    "allowance_code": _l("Code for allowances"),
    "entities": _l("Entities to sync"),
    "exclusions": _l("Excluded employees"),
    "last_day": _l("Last working day"),
    "shared_people_master": _l("Master"),
}
# Fields of which one item changed: a venue of Connexie's, the budget of one year.
AUDIT_ITEM_FIELDS = {
    VENUE: _l("Venue %(name)s"),
    "budget": _l("Budget %(year)s"),
}
# The pages of a support view that name no person.
SUPPORT_PAGES = {
    "employees": _l("the employees list"),
    "run": _l("sync run %(number)s"),
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


def audit_actor(entry: AuditEntry, names: Mapping[int, str]) -> str:
    """The login's name where it has one, else the e-mail it had then."""
    if entry.actor_id is None and entry.actor in ACTORS_WITHOUT_LOGIN:
        return str(ACTORS_WITHOUT_LOGIN[entry.actor])
    return names.get(entry.actor_id, entry.actor) if entry.actor_id is not None else entry.actor


def audit_subject(entry: AuditEntry) -> str:
    """Whom or what the action concerned: a provider by its name in the reader's language,
    the page a support view showed, or the name or e-mail kept with the entry."""
    detail = entry.detail or {}
    if kind_of(entry.action) is Kind.INTEGRATIONS and entry.subject in set(Provider):
        return str(PROVIDERS[Provider(entry.subject)].name)
    if entry.action is AuditAction.SUPPORT_VIEWED and detail.get("page") in SUPPORT_PAGES:
        return str(SUPPORT_PAGES[detail["page"]]) % {"number": detail.get("run_id", "")}
    return entry.subject


def audit_detail(entry: AuditEntry) -> str:
    """What changed, as "Field: old → new"; empty when the action says it all."""
    detail = entry.detail or {}
    if "duplicate" in detail:
        return _("Duplicate merged into them: %(person)s", person=shortened(detail["duplicate"]))
    if entry.action is AuditAction.SUPPORT_VIEWED and detail.get("q"):
        return _("Searched for “%(query)s”", query=shortened(detail["q"]))
    field = detail.get("field")
    if not field:
        return ""
    name = audit_field(field, shortened(detail.get("item")))
    if detail.get("changed"):
        # A secret: that it changed is all the log keeps.
        return _("%(field)s: changed", field=name)
    new = audit_value(field, detail.get("new"), detail)
    if "old" not in detail:
        return _("%(field)s: %(value)s", field=name, value=new)
    return _("%(field)s: %(old)s → %(new)s", field=name, old=audit_value(field, detail["old"], detail), new=new)


def audit_field(field: str, item: str | None = None) -> str:
    if field in AUDIT_ITEM_FIELDS:
        return str(AUDIT_ITEM_FIELDS[field]) % {"name": item or "", "year": item or ""}
    if field in AUDIT_FIELDS:
        return str(AUDIT_FIELDS[field])
    return field_label(field)


def audit_value(field: str, value: Any, detail: Mapping[str, Any]) -> str:
    """A value as the reader knows it: labels for codes, providers by name, dates and amounts
    in their format; a long one (a list of excluded employees) cut short."""
    return shortened(_value_text(field, value, detail))


def _value_text(field: str, value: Any, detail: Mapping[str, Any]) -> str:
    if field == DELTA_EVERY_MINUTES:
        return _("%(num)s minutes", num=value) if value else _("Off: only the nightly sync")
    if value is None or value == "":
        return "—"
    text = str(value)
    try:
        match field:
            case "sync_mode":
                return label(SyncMode(text))
            case "shared_people_master":
                return str(PROVIDERS[Provider(text)].name)
            case "venue" if text == INACTIVE:
                return _("Inactive")
            case "last_day":
                return format_date(date.fromisoformat(text), "medium")
            case "budget":
                return format_currency(Decimal(text), detail.get("currency") or "EUR")
    except (ValueError, InvalidOperation):
        return text
    return change_value(field, text)
