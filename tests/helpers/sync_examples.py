"""The vocabulary of the sync engine tests: a provider record, a local employee, a run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from portal.providers.base import EmployeeRecord, FieldPolicy, WageContractRecord, WageType
from portal.sync.apply import apply_decision
from portal.sync.plan import Action, BatchPlan, plan_batch
from portal.sync.state import LocalEmployee, LocalState, Selection, SyncMode

TODAY = date(2025, 3, 1)
LIANTIS_POLICIES = {"language": FieldPolicy.FIRST_SYNC_ONLY}
HRIS_POLICIES = {
    "email": FieldPolicy.NEVER_OVERWRITE_AND_ALERT,
    "phone": FieldPolicy.OVERWRITE_AND_REVERIFY,
}


def contract(**overrides: object) -> WageContractRecord:
    values: dict[str, object] = {
        "provider_id": "C-1",
        "wage_type": WageType.MONTHLY,
        "gross_amount": Decimal("3200.00"),
        "start_date": date(2024, 1, 1),
    }
    values.update(overrides)
    return WageContractRecord(**values)  # type: ignore[arg-type]


def record(provider_id: str = "P-1", **overrides: object) -> EmployeeRecord:
    values: dict[str, object] = {
        "provider_id": provider_id,
        "first_name": "An",
        "last_name": "Peeters",
        "email": f"{provider_id.lower()}@example.be",
        "language": "nl",
        "start_date": date(2024, 1, 1),
        "employee_number": provider_id,
        "contracts": (contract(provider_id=f"C-{provider_id}"),),
    }
    values.update(overrides)
    return EmployeeRecord(**values)  # type: ignore[arg-type]


def employee(local_id: int = 1, **overrides: object) -> LocalEmployee:
    values: dict[str, object] = {
        "local_id": local_id,
        "email": "an@example.be",
        "first_name": "An",
        "last_name": "Peeters",
    }
    values.update(overrides)
    return LocalEmployee(**values)  # type: ignore[arg-type]


def sync(
    records: list[EmployeeRecord],
    state: LocalState | None = None,
    policies: dict[str, FieldPolicy] | None = None,
    mode: SyncMode = SyncMode.FULL,
    today: date = TODAY,
) -> BatchPlan:
    return plan_batch(records, state or LocalState(), policies or {}, today, mode)


def apply_plan(state: LocalState, plan: BatchPlan) -> LocalState:
    """A tiny in-memory persistence layer: what the real one does with a plan."""
    by_id = {e.local_id: e for e in state.employees}
    selections = dict(state.selections)
    next_id = count(max(by_id, default=0) + 1)
    for decision in plan.decisions:
        if decision.newly_offered and decision.provider_id is not None:
            selections[decision.provider_id] = Selection.PARKED
        if not decision.changes:
            continue
        if decision.action == Action.CREATE:
            created = apply_decision(None, decision, next(next_id))
            assert created is not None
            by_id[created.local_id] = created
        else:
            assert decision.local_id is not None
            updated = apply_decision(by_id[decision.local_id], decision)
            assert updated is not None
            by_id[decision.local_id] = updated
    return LocalState(tuple(by_id.values()), selections)
