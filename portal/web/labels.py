"""What each state is called on screen, in the admin's language: `{{ value|label }}`."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from portal.employees import EmployeeStatus
from portal.integrations import CardState
from portal.models import IntegrationState, RunState, Trigger
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
    EmployeeStatus: {
        EmployeeStatus.ACTIVE: _l("active"),
        EmployeeStatus.INVITED: _l("invited"),
        EmployeeStatus.NOT_INVITED: _l("not invited"),
        EmployeeStatus.DEACTIVATED: _l("deactivated"),
        EmployeeStatus.EXTERNAL: _l("external"),
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
