"""Yearly flex budgets: no provider sends them, the admin assigns them (every seed says so)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts import audit
from portal.extensions import db
from portal.models import AuditAction, Budget, BudgetChange, Employee, User

CURRENCIES = ("EUR",)
# Far above any flex plan; a figure beyond it is a typing error (an extra zero or two).
MAX_YEARLY_BUDGET = Decimal("100000")

T = TypeVar("T")


class BudgetFrozen(Exception):
    """A deactivated employee's budget is kept as it was, for the payroll to settle."""


def budget_for(employee: Employee, year: int) -> Budget | None:
    return db.session.execute(select(Budget).where(Budget.employee_id == employee.id, Budget.year == year)).scalar_one_or_none()


def assign_budget(employee: Employee, year: int, amount: Decimal, currency: str, by: User) -> bool:
    """Sets the budget, records the change and commits; False when it already was this amount."""
    return _committed(lambda: _set_budget(employee, year, amount, currency, by))


def _set_budget(employee: Employee, year: int, amount: Decimal, currency: str, by: User) -> bool:
    if employee.budget_frozen:
        raise BudgetFrozen(employee.id)
    budget = budget_for(employee, year)
    old_amount = budget.amount if budget is not None else None
    if old_amount == amount:
        return False
    if budget is None:
        budget = Budget(employee_id=employee.id, year=year, amount=amount, currency=currency)
        db.session.add(budget)
    budget.amount, budget.currency = amount, currency
    db.session.add(
        BudgetChange(
            employee_id=employee.id,
            year=year,
            old_amount=old_amount,
            new_amount=amount,
            currency=currency,
            changed_by_id=by.id,
        )
    )
    detail = {"field": "budget", "item": str(year), "old": _text(old_amount), "new": _text(amount), "currency": currency}
    audit.record(
        AuditAction.BUDGET_ASSIGNED,
        by,
        audit.employee_subject(employee),
        employee.tenant_id,
        detail=detail,
        employee_id=employee.id,
    )
    return True


def _text(amount: Decimal | None) -> str | None:
    # In cents either way: the form's "1300" and the stored 1300.00 are the same amount.
    return None if amount is None else str(amount.quantize(Decimal("0.01")))


@dataclass
class BulkResult:
    assigned: int = 0
    unchanged: int = 0
    frozen: list[Employee] = field(default_factory=list)


def assign_budgets(employees: list[Employee], year: int, amount: Decimal, currency: str, by: User) -> BulkResult:
    """The same budget for each of them, except frozen ones; committed once for all."""
    return _committed(lambda: _set_budgets(employees, year, amount, currency, by))


def _set_budgets(employees: list[Employee], year: int, amount: Decimal, currency: str, by: User) -> BulkResult:
    result = BulkResult()
    for employee in employees:
        try:
            changed = _set_budget(employee, year, amount, currency, by)
        except BudgetFrozen:
            result.frozen.append(employee)
            continue
        if changed:
            result.assigned += 1
        else:
            result.unchanged += 1
    return result


def _committed(assign: Callable[[], T]) -> T:
    """Assigns and commits. Two admins giving the same person a first budget for the same
    year at the same moment both insert it: the second one's commit fails on the unique
    (employee, year), and then its assignment simply runs again, on top of the first."""
    try:
        result = assign()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        result = assign()
        db.session.commit()
    return result


def history(employee: Employee) -> list[BudgetChange]:
    return list(
        db.session.execute(
            select(BudgetChange)
            .where(BudgetChange.employee_id == employee.id)
            .order_by(BudgetChange.changed_at.desc(), BudgetChange.id.desc())
        ).scalars()
    )
