"""The database model, one module per thing an HR admin talks about."""

from portal.models.account_link import LinkPurpose, SetPasswordLink
from portal.models.audit import AuditAction, AuditEntry
from portal.models.budget import Budget, BudgetChange
from portal.models.employee import Discrepancy, DiscrepancyStatus, Employee, SelectionEntry, WageContract
from portal.models.entity import Entity
from portal.models.hours import OPEN_EXPORT_STATES, ExportState, HoursExport, WorkedShift
from portal.models.integration import Integration, IntegrationState
from portal.models.invitation import EmployeeAccount, Invitation
from portal.models.login_failure import LoginFailure
from portal.models.notification import Notification
from portal.models.problem import EmployeeProblem
from portal.models.recovery_code import RecoveryCode
from portal.models.sync_run import OPEN_STATES, Phase, RunKind, RunState, SyncRun, SyncRunEmployee, Trigger
from portal.models.tenant import Tenant
from portal.models.user import Role, User

__all__ = [
    "OPEN_EXPORT_STATES",
    "OPEN_STATES",
    "AuditAction",
    "AuditEntry",
    "Budget",
    "BudgetChange",
    "Discrepancy",
    "DiscrepancyStatus",
    "Employee",
    "EmployeeAccount",
    "EmployeeProblem",
    "Entity",
    "ExportState",
    "HoursExport",
    "Integration",
    "IntegrationState",
    "Invitation",
    "LinkPurpose",
    "LoginFailure",
    "Notification",
    "Phase",
    "RecoveryCode",
    "Role",
    "RunKind",
    "RunState",
    "SelectionEntry",
    "SetPasswordLink",
    "SyncRun",
    "SyncRunEmployee",
    "Tenant",
    "Trigger",
    "User",
    "WageContract",
    "WorkedShift",
]
