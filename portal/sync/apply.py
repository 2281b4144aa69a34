"""The state a decision leads to, so that writing it is mechanical.

The persistence layer can write `decision.changes` column by column, or compute the
whole new employee here; the tests use it to check that a re-sync writes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from portal.sync.plan import EmployeeDecision
from portal.sync.state import LocalEmployee, WageContract

_WAGE_PREFIX = "wage_contract."


def apply_decision(
    employee: LocalEmployee | None, decision: EmployeeDecision, new_local_id: int | None = None
) -> LocalEmployee | None:
    """The employee after the decision; `new_local_id` names the row a CREATE makes."""
    if decision.created is not None:
        if new_local_id is None:
            raise ValueError("a created employee needs its new local id")
        return decision.created.as_employee(new_local_id, with_wage_contract=True)
    if employee is None or not decision.updates:
        return employee
    personal, wage = split_changes(decision)
    if wage:
        contract = employee.wage_contract
        personal["wage_contract"] = (
            WageContract(**wage) if contract is None else replace(contract, **wage)  # type: ignore[arg-type]
        )
    return replace(employee, **personal)  # type: ignore[arg-type]


def split_changes(decision: EmployeeDecision) -> tuple[dict[str, object], dict[str, object]]:
    """The new values of a decision: the employee's, and their wage contract's."""
    personal, wage = {}, {}
    for change in decision.updates:
        if change.field.startswith(_WAGE_PREFIX):
            wage[change.field[len(_WAGE_PREFIX) :]] = change.new
        else:
            personal[change.field] = change.new
    return personal, wage
