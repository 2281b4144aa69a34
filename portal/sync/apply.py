"""The state a decision leads to, so that writing it is mechanical.

The persistence layer can write `decision.changes` column by column, or compute the
whole new employee here; the tests use it to check that a re-sync writes nothing.
"""
from __future__ import annotations

from dataclasses import replace

from portal.sync.plan import Action, EmployeeDecision
from portal.sync.state import LocalEmployee, WageContract

_WAGE_PREFIX = "wage_contract."


def apply_decision(
    employee: LocalEmployee | None, decision: EmployeeDecision, new_local_id: int | None = None
) -> LocalEmployee | None:
    """The employee after the decision; `new_local_id` names the row a CREATE makes."""
    if decision.action == Action.CREATE:
        if new_local_id is None:
            raise ValueError("a created employee needs its new local id")
        employee = LocalEmployee(local_id=new_local_id, email="", first_name="", last_name="")
    if employee is None or not decision.changes:
        return employee
    personal = {c.field: c.new for c in decision.changes if not c.field.startswith(_WAGE_PREFIX)}
    wage = {
        c.field.removeprefix(_WAGE_PREFIX): c.new
        for c in decision.changes
        if c.field.startswith(_WAGE_PREFIX)
    }
    if wage:
        contract = employee.wage_contract
        personal["wage_contract"] = (
            WageContract(**wage) if contract is None else replace(contract, **wage)  # type: ignore[arg-type]
        )
    return replace(employee, **personal)  # type: ignore[arg-type]
