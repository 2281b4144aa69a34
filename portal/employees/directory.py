"""What an HR admin still does after a sync: find people, end employments, review
external users, merge probable duplicates and decide on e-mail discrepancies.

The list is built for 50,000 employees: one query for the page, one for the facts of
its rows (provider, budget, status, sync problem), never one per row.
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, case, delete, exists, func, or_, select, tuple_, update
from sqlalchemy.orm import aliased

from portal.runs.employee_store import local_employee
from portal.extensions import db
from portal.models import (
    Budget,
    BudgetChange,
    Discrepancy,
    DiscrepancyStatus,
    Employee,
    EmployeeAccount,
    Integration,
    Invitation,
    RunState,
    SyncRun,
    SyncRunEmployee,
    WageContract,
)
from portal.providers.base import PERSONAL_FIELDS, FieldPolicy, Provider
from portal.providers.registry import connector_class
from portal.sync import state
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from portal.sync.removals import next_sync_reactivates


class EmployeeStatus(enum.StrEnum):
    ACTIVE = "active"
    INVITED = "invited"
    NOT_INVITED = "not_invited"
    DEACTIVATED = "deactivated"
    EXTERNAL = "external"


class ListFilter(enum.StrEnum):
    # How admins find new arrivals: the sync creates people, never their budget.
    NO_BUDGET = "no_budget"
    NOT_INVITED = "not_invited"
    EXTERNAL = "external"
    DEACTIVATED = "deactivated"
    SYNC_PROBLEM = "sync_problem"
    PROBABLE_DUPLICATE = "probable_duplicate"
    EMAIL_CHANGES = "email_changes"


class SortBy(enum.StrEnum):
    NAME = "name"
    EMAIL = "email"
    ENTITY = "entity"
    LAST_SYNCED = "last_synced"


SORT_COLUMNS: dict[SortBy, tuple[ColumnElement, ...]] = {
    SortBy.NAME: (Employee.last_name, Employee.first_name),
    SortBy.EMAIL: (Employee.email,),
    SortBy.ENTITY: (Employee.entity_ref, Employee.last_name),
    SortBy.LAST_SYNCED: (Employee.last_synced_at,),
}

def field_policy(provider: Provider, field: str) -> FieldPolicy:
    """The connector's own policy: e.g. Liantis sends the language on the first sync only,
    after which the employee's choice wins, so that field is not locked."""
    return connector_class(provider).field_policies.get(field, FieldPolicy.OVERWRITE)


def locked_fields(employee: Employee, provider: Provider | None) -> frozenset[str]:
    """The personal fields the admin may not edit here: the provider is master."""
    if employee.integration_id is None or provider is None:
        return frozenset()
    return frozenset(f for f in PERSONAL_FIELDS if field_policy(provider, f) is not FieldPolicy.FIRST_SYNC_ONLY)


# --- The list ---------------------------------------------------------------------

def _has_budget(year: int) -> ColumnElement[bool]:
    return exists().where(Budget.employee_id == Employee.id, Budget.year == year)


def _has_account() -> ColumnElement[bool]:
    return exists().where(EmployeeAccount.employee_id == Employee.id)


def _was_invited() -> ColumnElement[bool]:
    return exists().where(Invitation.employee_id == Employee.id)


def _latest_finished_runs() -> Select:
    """The latest finished run of every integration, computed once per query.

    Newest first along `ix_sync_runs_history`, stopping at the first finished run: at most
    one run per integration is open, so that is one or two index steps however long the
    history is, where grouping every past run took a full pass over 100,000 of them.
    """
    integration = aliased(Integration)
    latest = (
        select(SyncRun.id)
        .where(SyncRun.integration_id == integration.id, SyncRun.status.not_in([RunState.QUEUED, RunState.RUNNING]))
        .order_by(SyncRun.id.desc())
        .limit(1)
        .correlate(integration)
        .scalar_subquery()
    )
    return select(latest).select_from(integration)


def _has_sync_problem() -> ColumnElement[bool]:
    """The employee's line in the latest finished run of their integration is a failure:
    an older failure that a later run fixed is no problem any more. Uncorrelated, so
    50,000 employees cost one pass over the latest runs' failures, not one each."""
    failed_lines = (
        select(SyncRunEmployee.employee_id, SyncRun.integration_id)
        .join(SyncRun, SyncRun.id == SyncRunEmployee.run_id)
        .where(SyncRunEmployee.run_id.in_(_latest_finished_runs()), SyncRunEmployee.action == Action.FAIL)
    )
    return tuple_(Employee.id, Employee.integration_id).in_(failed_lines)


def _has_open_discrepancy() -> ColumnElement[bool]:
    return exists().where(Discrepancy.employee_id == Employee.id, Discrepancy.status == DiscrepancyStatus.OPEN)


def _status() -> ColumnElement[str]:
    return case(
        (Employee.active.is_(False), EmployeeStatus.DEACTIVATED.value),
        (Employee.external.is_(True), EmployeeStatus.EXTERNAL.value),
        (_has_account(), EmployeeStatus.ACTIVE.value),
        (_was_invited(), EmployeeStatus.INVITED.value),
        else_=EmployeeStatus.NOT_INVITED.value,
    )


def _filter_condition(chosen: ListFilter, year: int) -> ColumnElement[bool]:
    return {
        ListFilter.NO_BUDGET: and_(Employee.active.is_(True), ~_has_budget(year)),
        ListFilter.NOT_INVITED: and_(
            Employee.active.is_(True), Employee.external.is_(False), ~_has_account(), ~_was_invited()
        ),
        ListFilter.EXTERNAL: and_(Employee.active.is_(True), Employee.external.is_(True)),
        ListFilter.DEACTIVATED: Employee.active.is_(False),
        ListFilter.SYNC_PROBLEM: and_(Employee.integration_id.is_not(None), _has_sync_problem()),
        ListFilter.PROBABLE_DUPLICATE: and_(Employee.active.is_(True), Employee.probable_duplicate_of_id.is_not(None)),
        ListFilter.EMAIL_CHANGES: _has_open_discrepancy(),
    }[chosen]


def _search_condition(text: str) -> ColumnElement[bool]:
    pattern = f"%{text.lower()}%"
    full_name = func.lower(Employee.first_name + " " + Employee.last_name)
    return or_(full_name.like(pattern), Employee.email.like(pattern), func.lower(Employee.employee_number).like(pattern))


def employees_query(
    year: int, chosen: ListFilter | None = None, search: str = "", sort: SortBy = SortBy.NAME, descending: bool = False
) -> Select:
    statement = select(Employee)
    if chosen is not None:
        statement = statement.where(_filter_condition(chosen, year))
    if search:
        statement = statement.where(_search_condition(search))
    columns = [c.desc() if descending else c.asc() for c in SORT_COLUMNS[sort]]
    return statement.order_by(*columns, Employee.id)


@dataclass(frozen=True, slots=True)
class RowFacts:
    provider: Provider | None
    budget: Decimal | None
    status: EmployeeStatus
    sync_problem: bool


def row_facts(employee_ids: Sequence[int], year: int) -> dict[int, RowFacts]:
    """Everything the list shows beyond the employee row, for one page, in one query."""
    if not employee_ids:
        return {}
    rows = db.session.execute(
        select(Employee.id, Integration.provider, Budget.amount, _status(), _has_sync_problem())
        .outerjoin(Integration, Integration.id == Employee.integration_id)
        .outerjoin(Budget, and_(Budget.employee_id == Employee.id, Budget.year == year))
        .where(Employee.id.in_(employee_ids))
    ).all()
    return {
        row[0]: RowFacts(provider=row[1], budget=row[2], status=EmployeeStatus(row[3]), sync_problem=bool(row[4]))
        for row in rows
    }


def status_of(employee: Employee) -> EmployeeStatus:
    return EmployeeStatus(db.session.execute(select(_status()).where(Employee.id == employee.id)).scalar_one())


def provider_of(employee: Employee) -> Provider | None:
    if employee.integration_id is None:
        return None
    return db.session.execute(select(Integration.provider).where(Integration.id == employee.integration_id)).scalar()


@dataclass(frozen=True, slots=True)
class SyncProblem:
    reason: Reason | None
    run_id: int


def latest_sync_problem(employee: Employee) -> SyncProblem | None:
    if employee.integration_id is None:
        return None
    line = db.session.execute(
        select(SyncRunEmployee)
        .join(SyncRun, SyncRun.id == SyncRunEmployee.run_id)
        .where(
            SyncRunEmployee.employee_id == employee.id,
            SyncRun.integration_id == employee.integration_id,
            SyncRunEmployee.run_id.in_(_latest_finished_runs()),
            SyncRunEmployee.action == Action.FAIL,
        )
    ).scalar_one_or_none()
    return SyncProblem(reason=line.reason, run_id=line.run_id) if line else None


def open_discrepancies(employee: Employee) -> list[Discrepancy]:
    return list(
        db.session.execute(
            select(Discrepancy)
            .where(Discrepancy.employee_id == employee.id, Discrepancy.status == DiscrepancyStatus.OPEN)
            .order_by(Discrepancy.id)
        ).scalars()
    )


# --- Ending employment --------------------------------------------------------------

def as_local_employee(employee: Employee) -> state.LocalEmployee:
    """The engine's view of this employee, so pages ask the same rules the sync applies."""
    return local_employee(employee, employee.wage_contract)


def sync_would_reactivate(employee: Employee, today: date) -> bool:
    return next_sync_reactivates(as_local_employee(employee), today)


def deactivate(employee: Employee) -> None:
    """As the sync does for people removed at the provider: no access, budget kept but frozen."""
    employee.active = False
    employee.access_revoked = True
    employee.budget_frozen = True


def end_employment(employee: Employee, last_day: date) -> None:
    deactivate(employee)
    employee.employment_ended_on = last_day


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
        exists().where(WageContract.employee_id == employee.id),
        exists().where(Employee.probable_duplicate_of_id == employee.id),
    )
    return db.session.execute(select(or_(*checks))).scalar_one()


def keep_external(employee: Employee) -> None:
    employee.external = False


def remove(employee: Employee) -> bool:
    """Deactivated when anything refers to them, deleted otherwise. True when deleted."""
    if has_history(employee):
        deactivate(employee)
        return False
    db.session.delete(employee)
    return True


# The fields the duplicate brings from the provider. Not the e-mail: the existing person
# keeps their login, and the next sync applies the provider's e-mail policy to it.
MERGED_FIELDS = tuple(f for f in PERSONAL_FIELDS if f != "email")


def merge_duplicate(duplicate: Employee, existing: Employee) -> None:
    """The existing person keeps budget and history and takes over the duplicate's
    provider ID, so the next sync matches them by ID and creates no one again."""
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
    for model in (SyncRunEmployee, Discrepancy):
        db.session.execute(
            update(model).where(model.employee_id == duplicate.id).values(employee_id=existing.id),
            execution_options={"synchronize_session": False},
        )
    db.session.flush()
    remove(duplicate)


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


def accept_discrepancy(discrepancy: Discrepancy, employee: Employee) -> None:
    new_email = state.normalize_email(discrepancy.provider_value or "")
    taken = db.session.execute(
        select(Employee.id).where(Employee.email == new_email, Employee.id != employee.id)
    ).scalar()
    if taken is not None:
        raise EmailInUse(new_email)
    employee.email = new_email
    discrepancy.status = DiscrepancyStatus.ACCEPTED


def dismiss_discrepancy(discrepancy: Discrepancy) -> None:
    discrepancy.status = DiscrepancyStatus.DISMISSED
