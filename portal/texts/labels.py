"""What each state is called on screen, in the admin's language: `{{ value|label }}`."""

from __future__ import annotations

import enum
import functools
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l

from portal.employees.directory import EmployeeStatus
from portal.i18n import current_locale
from portal.integrations.overview import CardState
from portal.models import DiscrepancyStatus, ExportState, IntegrationState, RunKind, RunState, Trigger
from portal.providers.base import ContractType, WageType, WorkerClass
from portal.providers.phones import display_phone
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from portal.sync.preview import Category
from portal.sync.state import SyncMode
from portal.texts.languages import language_name

# Keyed by enum class first: two enums may share a value ("active") with different meanings.
LABELS: dict[type[enum.Enum], dict[enum.Enum, str]] = {
    CardState: {
        CardState.NOT_AVAILABLE: _l("not available"),
        CardState.AVAILABLE: _l("available"),
        CardState.ACTIVE: _l("active"),
        CardState.ERROR: _l("error"),
        CardState.RECONNECT_NEEDED: _l("reconnect needed"),
        CardState.DISABLED: _l("disabled"),
    },
    IntegrationState: {
        IntegrationState.AVAILABLE: _l("available"),
        IntegrationState.ACTIVE: _l("active"),
        IntegrationState.RECONNECT_NEEDED: _l("reconnect needed"),
        IntegrationState.DISABLED: _l("disabled"),
    },
    SyncMode: {
        SyncMode.FULL: _l("Full (automatic)"),
        SyncMode.SELECTIVE: _l("Selective (semi-automatic)"),
    },
    RunState: {
        RunState.QUEUED: _l("queued"),
        RunState.RUNNING: _l("running"),
        RunState.SUCCESS: _l("Success"),
        RunState.PARTIAL: _l("Partial"),
        RunState.ERROR: _l("Error"),
    },
    Action: {
        Action.CREATE: _l("created"),
        Action.UPDATE: _l("updated"),
        Action.UNCHANGED: _l("unchanged"),
        Action.SKIP: _l("skipped"),
        Action.FAIL: _l("failed"),
        Action.DEACTIVATE: _l("deactivated"),
    },
    EmployeeStatus: {
        EmployeeStatus.ACTIVE: _l("active"),
        EmployeeStatus.INVITED: _l("invited"),
        EmployeeStatus.NOT_INVITED: _l("not invited"),
        EmployeeStatus.DEACTIVATED: _l("deactivated"),
        EmployeeStatus.EXTERNAL: _l("external"),
    },
    ExportState: {
        ExportState.QUEUED: _l("queued"),
        ExportState.RUNNING: _l("running"),
        ExportState.SUCCESS: _l("Exported"),
        ExportState.PARTIAL: _l("Partly exported"),
        ExportState.ERROR: _l("Error"),
    },
    Trigger: {
        Trigger.NIGHTLY: _l("nightly"),
        Trigger.MANUAL: _l("manual"),
        Trigger.RETRY: _l("retry"),
        Trigger.INTERVAL: _l("every few minutes"),
    },
    RunKind: {
        RunKind.FULL: _l("full sync"),
        RunKind.DELTA: _l("changes only"),
    },
    DiscrepancyStatus: {
        DiscrepancyStatus.OPEN: _l("waiting for your decision"),
        DiscrepancyStatus.ACCEPTED: _l("applied"),
        DiscrepancyStatus.DISMISSED: _l("dismissed"),
    },
    WageType: {
        WageType.HOURLY: _l("hourly"),
        WageType.MONTHLY: _l("monthly"),
    },
    WorkerClass: {
        WorkerClass.WHITE_COLLAR: _l("white-collar"),
        WorkerClass.BLUE_COLLAR: _l("blue-collar"),
    },
    # Short names of the causes, for filters; the run line explains each in a sentence.
    Reason: {
        Reason.MISSING_EMAIL: _l("no e-mail address"),
        Reason.BAD_DATE: _l("impossible date"),
        Reason.CONTRACT_ENDS_BEFORE_START: _l("contract ends before it starts"),
        Reason.NEGATIVE_SALARY: _l("negative salary"),
        Reason.UNKNOWN_WAGE_TYPE: _l("unknown wage type"),
        Reason.FIELD_TOO_LONG: _l("field too long"),
        Reason.MALFORMED: _l("unreadable record"),
        Reason.DUPLICATE_ID: _l("same ID twice"),
        Reason.UNREADABLE_VALUE: _l("unreadable value"),
        Reason.ENTITY_MOVE: _l("moved to another entity"),
        Reason.EMAIL_IN_USE: _l("e-mail address in use"),
        Reason.NO_ACTIVE_CONTRACT: _l("no active contract"),
        Reason.EXCLUDED: _l("excluded at the provider"),
        Reason.NOT_SELECTED: _l("not selected"),
        Reason.VENUE_INACTIVE: _l("venue inactive"),
        Reason.VENUE_NOT_MAPPED: _l("venue not mapped"),
        Reason.ENTITY_NOT_SYNCED: _l("entity not synced"),
        Reason.EXCLUDED_IN_SETTINGS: _l("excluded in the settings"),
        Reason.SYNCED_BY_OTHER_INTEGRATION: _l("synced by your other integration"),
        Reason.TAKEN_OVER: _l("taken over from your other integration"),
        Reason.REMOVED_AT_PROVIDER: _l("removed at the provider"),
        Reason.CONTRACTS_ENDED: _l("contracts ended"),
    },
    ContractType: {
        ContractType.FLEX: _l("flex (zero hours)"),
        ContractType.FIXED_HOURS: _l("fixed hours"),
    },
    # The headings of a preview; `texts.previews` says what each means.
    Category: {
        Category.FAILED: _l("Would fail"),
        Category.PROBABLE_DUPLICATE: _l("Probable duplicates"),
        Category.MATCHED_BY_EMAIL: _l("Matched to an existing user by e-mail"),
        Category.MATCHED_BY_PROVIDER_ID: _l("Matched by provider ID"),
        Category.CREATED: _l("Created as new users"),
        Category.OFFERED: _l("Offered in the selection window"),
        Category.LEFT_OUT: _l("Left out"),
        Category.DEACTIVATED: _l("Deactivated"),
        Category.EXTERNAL: _l("Local users left unmatched"),
    },
}


def label(member: enum.Enum | None) -> str:
    if member is None:
        return "—"
    return _label_in(type(member), member, current_locale())


@functools.cache
def _label_in(kind: type[enum.Enum], member: enum.Enum, locale: object) -> str:
    # Remembered per language: a history page shows 50 labels, each a catalogue lookup
    # through Flask-Babel's request context otherwise. The enum's type is part of the key:
    # members of two StrEnums with the same value (RunKind.FULL, SyncMode.FULL) are equal.
    return str(LABELS[kind][member])


# The change log names fields as the engine does; the admin reads these.
FIELD_LABELS = {
    "provider_id": _l("ID at the provider"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("E-mail"),
    "language": _l("Language"),
    "start_date": _l("Start date"),
    "employee_number": _l("Employee number"),
    "phone": _l("Phone"),
    "entity_id": _l("Entity"),
    # Change logs written before employees belonged to a local entity (the provider's ID).
    "entity_ref": _l("Entity"),
    "active": _l("Active"),
    "phone_verified": _l("Phone verified"),
    "external": _l("External"),
    # A whole contract, new or another one (a preview names it once, not field by field).
    "wage_contract": _l("Wage contract"),
    "wage_contract.provider_id": _l("Contract ID at the provider"),
    "wage_contract.wage_type": _l("Wage type"),
    "wage_contract.worker_class": _l("Worker class"),
    "wage_contract.provider_gross_amount": _l("Gross amount at the provider"),
    "wage_contract.gross_salary": _l("Gross salary"),
    "wage_contract.salary_period": _l("Salary period"),
    "wage_contract.converted_with_weekly_hours": _l("Weekly hours used for the monthly salary"),
    "wage_contract.weekly_hours": _l("Weekly hours"),
    "wage_contract.start_date": _l("Contract start"),
    "wage_contract.end_date": _l("Contract end"),
    "wage_contract.work_regime_pct": _l("Work regime (%)"),
    "wage_contract.employer_social_security_pct": _l("Employer social security (%)"),
    "wage_contract.contract_type": _l("Contract type"),
    "wage_contract.entity_ref": _l("Contract entity"),
    "wage_contract.wage_code": _l("Wage code"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


# The change log keeps values as text (`employee_store._text`): enums by value, booleans
# as "True"/"False", dates in ISO, amounts as decimals. Which field holds which kind:
ENUM_FIELDS: dict[str, type[enum.Enum]] = {
    "wage_contract.wage_type": WageType,
    "wage_contract.salary_period": WageType,
    "wage_contract.worker_class": WorkerClass,
    "wage_contract.contract_type": ContractType,
}
YES_NO_FIELDS = frozenset({"active", "phone_verified", "external"})
DATE_FIELDS = frozenset({"start_date", "wage_contract.start_date", "wage_contract.end_date"})
NUMBER_FIELDS = frozenset(
    {
        "wage_contract.provider_gross_amount",
        "wage_contract.gross_salary",
        "wage_contract.converted_with_weekly_hours",
        "wage_contract.weekly_hours",
        "wage_contract.work_regime_pct",
        "wage_contract.employer_social_security_pct",
    }
)
YES_NO = {"True": _l("yes"), "False": _l("no")}


def change_value(field: str, value: str | None) -> str:
    """A value of the change log as the admin reads it, in their language: labels for
    codes ("white_collar" -> "white-collar"), languages by name, dates and amounts in
    the reader's format, phones formatted; "—" for no value, never "None"."""
    if value is None or value == "":
        return "—"
    if field in ENUM_FIELDS:
        try:
            return label(ENUM_FIELDS[field](value))
        except (ValueError, KeyError):
            return value
    if field in YES_NO_FIELDS and value in YES_NO:
        return str(YES_NO[value])
    if field == "language":
        return language_name(value)
    if field == "phone":
        return display_phone(value)
    try:
        if field in DATE_FIELDS:
            return format_date(date.fromisoformat(value), "medium")
        if field in NUMBER_FIELDS:
            return format_decimal(Decimal(value))
    except (ValueError, InvalidOperation):
        return value
    return value
