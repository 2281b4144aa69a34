"""Finding people after a sync: the employees list with its filters, search and sorting,
and the facts a row or a detail page shows (status, provider, locked fields, sync problem).
What the admin then decides about them lives in `decisions`.

The list is built for 50,000 employees: one query for the page, one for the facts of
its rows (provider, budget, status, sync problem), never one per row.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select

from portal.extensions import db
from portal.models import (
    Budget,
    Discrepancy,
    DiscrepancyStatus,
    Employee,
    EmployeeAccount,
    EmployeeProblem,
    Entity,
    Integration,
    Invitation,
)
from portal.providers.base import PERSONAL_FIELDS, FieldPolicy, Provider
from portal.providers.registry import connector_class
from portal.runs.employee_store import local_employee
from portal.sync import state
from portal.sync.outcomes import Reason


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
    # By the entity's name: `employees_query` joins it for this sort only.
    SortBy.ENTITY: (Entity.name, Employee.last_name),
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
    synced = frozenset(f for f in PERSONAL_FIELDS if field_policy(provider, f) is not FieldPolicy.FIRST_SYNC_ONLY)
    # The entity follows the provider's entity through the integration's settings.
    return synced | {"entity_id"}


# --- The list ---------------------------------------------------------------------


def _has_budget(year: int) -> ColumnElement[bool]:
    return exists().where(Budget.employee_id == Employee.id, Budget.year == year)


def _has_account() -> ColumnElement[bool]:
    return exists().where(EmployeeAccount.employee_id == Employee.id)


def _was_invited() -> ColumnElement[bool]:
    return exists().where(Invitation.employee_id == Employee.id)


def _has_sync_problem(cause: Reason | None = None) -> ColumnElement[bool]:
    """The employee has an open problem (portal/runs/problems.py), of this cause when given.
    Uncorrelated, so 50,000 employees cost one pass over the open problems, not one each."""
    open_problems = select(EmployeeProblem.employee_id).where(
        EmployeeProblem.resolved_at.is_(None), EmployeeProblem.employee_id.is_not(None)
    )
    if cause is not None:
        open_problems = open_problems.where(EmployeeProblem.reason == cause)
    return Employee.id.in_(open_problems)


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


def _filter_condition(chosen: ListFilter, year: int, cause: Reason | None = None) -> ColumnElement[bool]:
    return {
        ListFilter.NO_BUDGET: and_(Employee.active.is_(True), ~_has_budget(year)),
        ListFilter.NOT_INVITED: and_(Employee.active.is_(True), Employee.external.is_(False), ~_has_account(), ~_was_invited()),
        ListFilter.EXTERNAL: and_(Employee.active.is_(True), Employee.external.is_(True)),
        ListFilter.DEACTIVATED: Employee.active.is_(False),
        ListFilter.SYNC_PROBLEM: and_(Employee.integration_id.is_not(None), _has_sync_problem(cause)),
        ListFilter.PROBABLE_DUPLICATE: and_(Employee.active.is_(True), Employee.probable_duplicate_of_id.is_not(None)),
        ListFilter.EMAIL_CHANGES: _has_open_discrepancy(),
    }[chosen]


def _search_condition(text: str) -> ColumnElement[bool]:
    pattern = f"%{text.lower()}%"
    full_name = func.lower(Employee.first_name + " " + Employee.last_name)
    return or_(full_name.like(pattern), Employee.email.like(pattern), func.lower(Employee.employee_number).like(pattern))


def employees_query(
    year: int,
    chosen: ListFilter | None = None,
    search: str = "",
    sort: SortBy = SortBy.NAME,
    descending: bool = False,
    cause: Reason | None = None,
) -> Select:
    statement = select(Employee)
    if chosen is not None:
        statement = statement.where(_filter_condition(chosen, year, cause))
    if search:
        statement = statement.where(_search_condition(search))
    if sort is SortBy.ENTITY:
        statement = statement.outerjoin(Entity, Entity.id == Employee.entity_id)
    columns = [c.desc() if descending else c.asc() for c in SORT_COLUMNS[sort]]
    return statement.order_by(*columns, Employee.id)


def employees_page(
    year: int,
    chosen: ListFilter | None,
    search: str,
    sort: SortBy,
    descending: bool,
    page: int,
    per_page: int,
    cause: Reason | None = None,
) -> Pagination:
    statement = employees_query(year, chosen, search, sort, descending, cause)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def counts_by_filter(year: int, chosen: Sequence[ListFilter]) -> dict[ListFilter, int]:
    """How many people each filter lists, in one pass over the employees: the dashboard
    promises the very number of rows its link to the filtered list shows."""
    counts = [func.count().filter(_filter_condition(each, year)) for each in chosen]
    return dict(zip(chosen, db.session.execute(select(*counts).select_from(Employee)).one(), strict=True))


def employees_with_ids(ids: set[int]) -> list[Employee]:
    """Those of the ids that are this company's employees."""
    return list(db.session.execute(select(Employee).where(Employee.id.in_(ids))).scalars())


@dataclass(frozen=True, slots=True)
class RowFacts:
    provider: Provider | None
    budget: Decimal | None
    status: EmployeeStatus
    sync_problem: bool
    # The name of the employee's entity; None when they belong to none.
    entity: str | None = None


def row_facts(employee_ids: Sequence[int], year: int) -> dict[int, RowFacts]:
    """Everything the list shows beyond the employee row, for one page, in one query."""
    if not employee_ids:
        return {}
    rows = db.session.execute(
        select(Employee.id, Integration.provider, Budget.amount, _status(), _has_sync_problem(), Entity.name)
        .outerjoin(Integration, Integration.id == Employee.integration_id)
        .outerjoin(Budget, and_(Budget.employee_id == Employee.id, Budget.year == year))
        .outerjoin(Entity, Entity.id == Employee.entity_id)
        .where(Employee.id.in_(employee_ids))
    ).all()
    return {
        row[0]: RowFacts(provider=row[1], budget=row[2], status=EmployeeStatus(row[3]), sync_problem=bool(row[4]), entity=row[5])
        for row in rows
    }


def status_of(employee: Employee) -> EmployeeStatus:
    return EmployeeStatus(db.session.execute(select(_status()).where(Employee.id == employee.id)).scalar_one())


def provider_of(employee: Employee) -> Provider | None:
    if employee.integration_id is None:
        return None
    return db.session.execute(select(Integration.provider).where(Integration.id == employee.integration_id)).scalar()


def open_sync_problems(employee: Employee) -> list[EmployeeProblem]:
    """The employee's open problems, with when each was first seen and how many runs in a row failed."""
    return list(
        db.session.execute(
            select(EmployeeProblem)
            .where(EmployeeProblem.employee_id == employee.id, EmployeeProblem.resolved_at.is_(None))
            .order_by(EmployeeProblem.first_seen_at)
        ).scalars()
    )


def open_discrepancies(employee: Employee) -> list[Discrepancy]:
    return list(
        db.session.execute(
            select(Discrepancy)
            .where(Discrepancy.employee_id == employee.id, Discrepancy.status == DiscrepancyStatus.OPEN)
            .order_by(Discrepancy.id)
        ).scalars()
    )


# --- One person ----------------------------------------------------------------------


def as_local_employee(employee: Employee) -> state.LocalEmployee:
    """The engine's view of this employee, so pages ask the same rules the sync applies."""
    return local_employee(employee, employee.wage_contract)


def probable_duplicate_of(employee: Employee) -> Employee | None:
    if employee.probable_duplicate_of_id is None:
        return None
    return db.session.get(Employee, employee.probable_duplicate_of_id)


def email_taken(email: str, employee: Employee) -> bool:
    # One e-mail, one account per company (the same rule the sync follows).
    return (
        db.session.execute(
            select(Employee.id).where(Employee.email == state.normalize_email(email), Employee.id != employee.id)
        ).first()
        is not None
    )
