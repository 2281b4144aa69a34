"""What each state is called on screen, in the admin's language: `{{ value|label }}`."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from portal.employees.directory import EmployeeStatus
from portal.integrations.overview import CardState
from portal.models import ExportState, IntegrationState, RunState, Trigger
from portal.sync.plan import Action
from portal.sync.state import SyncMode

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
    },
}


def label(member: enum.Enum | None) -> str:
    if member is None:
        return "—"
    return str(LABELS[type(member)][member])


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
    "entity_ref": _l("Entity"),
    "active": _l("Active"),
    "phone_verified": _l("Phone verified"),
    "external": _l("External"),
    "wage_contract.provider_id": _l("Contract ID at the provider"),
    "wage_contract.wage_type": _l("Wage type"),
    "wage_contract.worker_class": _l("Worker class"),
    "wage_contract.provider_gross_amount": _l("Gross amount at the provider"),
    "wage_contract.gross_salary": _l("Gross salary"),
    "wage_contract.salary_period": _l("Salary period"),
    "wage_contract.converted_with_weekly_hours": _l("Weekly hours used for the monthly salary"),
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
