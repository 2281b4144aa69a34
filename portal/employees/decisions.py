"""What an HR admin decides after a sync: end an employment, keep or remove an external
user, merge a probable duplicate, accept or dismiss an e-mail discrepancy.

Each decision is committed here; finding the people it is about is `directory`'s work.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, exists, or_, select, update

from portal.accounts import audit
from portal.employees.directory import as_local_employee, email_taken
from portal.extensions import db
from portal.models import (
    AuditAction,
    AuditEntry,
    Budget,
    BudgetChange,
    Discrepancy,
    DiscrepancyStatus,
    Employee,
    EmployeeAccount,
    EmployeeProblem,
    Invitation,
    SyncRunEmployee,
    User,
    WageContract,
)
from portal.providers.base import PERSONAL_FIELDS
from portal.sync import state
from portal.sync.removals import next_sync_reactivates

# --- Ending employment --------------------------------------------------------------


def sync_would_reactivate(employee: Employee, today: date) -> bool:
    return next_sync_reactivates(as_local_employee(employee), today)


def _deactivate(employee: Employee) -> None:
    """As the sync does for people removed at the provider: no access, budget kept but frozen."""
    employee.active = False
    employee.access_revoked = True
    employee.budget_frozen = True


def end_employment(employee: Employee, last_day: date, by: User) -> None:
    _deactivate(employee)
    employee.employment_ended_on = last_day
    _record(AuditAction.EMPLOYMENT_ENDED, employee, by, {"field": "last_day", "new": last_day.isoformat()})
    db.session.commit()


def _record(action: AuditAction, employee: Employee, by: User, detail: dict | None) -> None:
    audit.record(action, by, audit.employee_subject(employee), employee.tenant_id, detail=detail, employee_id=employee.id)


# --- External users and probable duplicates ----------------------------------------


def has_history(employee: Employee) -> bool:
    """Anything that must survive the person: budgets, invitations, an account, sync lines."""
    checks = (
        exists().where(Budget.employee_id == employee.id),
        exists().where(BudgetChange.employee_id == employee.id),
        exists().where(Invitation.employee_id == employee.id),
        exists().where(EmployeeAccount.employee_id == employee.id),
        exists().where(SyncRunEmployee.employee_id == employee.id),
        exists().where(Discrepancy.employee_id == employee.id),
        exists().where(EmployeeProblem.employee_id == employee.id),
        exists().where(AuditEntry.employee_id == employee.id),
        exists().where(WageContract.employee_id == employee.id),
        exists().where(Employee.probable_duplicate_of_id == employee.id),
    )
    return db.session.execute(select(or_(*checks))).scalar_one()


def keep_external(employee: Employee, by: User) -> None:
    employee.external = False
    _record(AuditAction.EXTERNAL_KEPT, employee, by, None)
    db.session.commit()


def remove_external(employee: Employee, by: User) -> bool:
    """An external user the admin does not keep; True when deleted, False when only deactivated."""
    subject = audit.employee_subject(employee)
    deleted = _remove(employee)
    audit.record(AuditAction.EXTERNAL_REMOVED, by, subject, employee.tenant_id, employee_id=None if deleted else employee.id)
    db.session.commit()
    return deleted


def _remove(employee: Employee) -> bool:
    """Deactivated when anything refers to them, deleted otherwise. True when deleted."""
    if has_history(employee):
        _deactivate(employee)
        return False
    db.session.delete(employee)
    return True


# The fields the duplicate brings from the provider. Not the e-mail: the existing person
# keeps their login, and the next sync applies the provider's e-mail policy to it.
MERGED_FIELDS = (*(f for f in PERSONAL_FIELDS if f != "email"), "entity_id")


def merge_duplicate(duplicate: Employee, existing: Employee, by: User) -> None:
    """The existing person keeps budget and history and takes over the duplicate's
    provider ID, so the next sync matches them by ID and creates no one again."""
    _record(AuditAction.EMPLOYEES_MERGED, existing, by, {"duplicate": audit.employee_subject(duplicate)})
    integration_id, provider_id = duplicate.integration_id, duplicate.provider_id
    duplicate.integration_id = duplicate.provider_id = None
    duplicate.probable_duplicate_of_id = None
    db.session.flush()  # (integration, provider ID) is unique: free it first
    existing.integration_id, existing.provider_id = integration_id, provider_id
    existing.last_synced_at = duplicate.last_synced_at
    existing.external = False
    for field in MERGED_FIELDS:
        value = getattr(duplicate, field)
        if value is not None:
            setattr(existing, field, value)
    _move_wage_contract(duplicate, existing)
    for model in (SyncRunEmployee, Discrepancy, EmployeeProblem, AuditEntry):
        db.session.execute(
            update(model).where(model.employee_id == duplicate.id).values(employee_id=existing.id),
            execution_options={"synchronize_session": False},
        )
    db.session.flush()
    _remove(duplicate)
    db.session.commit()


def _move_wage_contract(duplicate: Employee, existing: Employee) -> None:
    contract = duplicate.wage_contract
    if contract is None:
        return
    if existing.wage_contract is not None:
        # The provider's contract is the one that counts now: it came with the provider ID.
        db.session.execute(delete(WageContract).where(WageContract.employee_id == existing.id))
        db.session.expire(existing, ["wage_contract"])
    db.session.flush()
    contract.employee_id = existing.id
    db.session.flush()
    db.session.expire(duplicate, ["wage_contract"])
    db.session.expire(existing, ["wage_contract"])


# --- E-mail discrepancies ------------------------------------------------------------


class EmailInUse(Exception):
    """Another employee of the company already has the e-mail the provider sends."""


def accept_discrepancy(discrepancy: Discrepancy, employee: Employee, by: User) -> None:
    new_email = state.normalize_email(discrepancy.provider_value or "")
    if email_taken(new_email, employee):
        raise EmailInUse(new_email)
    _record(AuditAction.EMAIL_CHANGE_APPLIED, employee, by, {"field": "email", "old": employee.email, "new": new_email})
    employee.email = new_email
    discrepancy.status = DiscrepancyStatus.ACCEPTED
    db.session.commit()


def dismiss_discrepancy(discrepancy: Discrepancy, employee: Employee, by: User) -> None:
    """The e-mail stays; the entry keeps what the provider proposed."""
    detail = {"field": "email", "old": employee.email, "new": discrepancy.provider_value}
    _record(AuditAction.EMAIL_CHANGE_DISMISSED, employee, by, detail)
    discrepancy.status = DiscrepancyStatus.DISMISSED
    db.session.commit()
