"""Between the sync engine and the database: load what a page may touch, write what it decided.

The engine (`portal/sync`) plans on plain `LocalEmployee` records; this module builds
them from the rows a page of provider records can match, and writes the decisions back
in bulk — one INSERT per kind of row and one executemany UPDATE per page, inside the
caller's transaction, so a page is applied whole or not at all.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from enum import Enum

from sqlalchemy import func, insert, or_, select, tuple_, update

from portal.extensions import db
from portal.models import Discrepancy, DiscrepancyStatus, Employee, Integration, SelectionEntry, SyncRunEmployee, WageContract
from portal.providers.base import EmployeeRecord, RecordError
from portal.sync.apply import apply_decision
from portal.sync.diff import provider_value
from portal.sync.plan import Action, EmployeeDecision
from portal.sync.state import LocalEmployee, LocalState, Selection, lookup_keys, person_key
from portal.sync.state import WageContract as SyncedWageContract

# Columns of `employees` the engine decides; the rest (budget, invitations…) are the admin's.
ENGINE_COLUMNS = tuple(f.name for f in fields(LocalEmployee) if f.name not in ("local_id", "wage_contract"))
CONTRACT_COLUMNS = tuple(f.name for f in fields(SyncedWageContract))


def local_employee(row: Employee, contract: WageContract | None, integration_id: int | None = None) -> LocalEmployee:
    values = {name: getattr(row, name) for name in ENGINE_COLUMNS}
    if integration_id is not None and row.provider_id is not None and row.integration_id != integration_id:
        # Another provider's IDs live in another namespace: never a match by ID here, but
        # still "synced", so its e-mail makes a newcomer an entity-move error, not a twin.
        values["provider_id"] = f"integration-{row.integration_id}:{row.provider_id}"
    return LocalEmployee(
        local_id=row.id,
        **values,
        wage_contract=None if contract is None else SyncedWageContract(**{c: getattr(contract, c) for c in CONTRACT_COLUMNS}),
    )


def load_state(integration: Integration, records: Sequence[EmployeeRecord | RecordError]) -> LocalState:
    """Every local employee a page of records may match: by provider ID, by e-mail, and
    by name for the probable-duplicate check; plus the selection of those provider IDs."""
    keys = lookup_keys(r for r in records if isinstance(r, EmployeeRecord))
    provider_ids = {r.provider_id for r in records if r.provider_id}
    namesakes = _namesakes(_newcomers(integration, records, provider_ids))
    conditions = []
    if provider_ids:
        conditions.append((Employee.integration_id == integration.id) & Employee.provider_id.in_(provider_ids))
    if keys.emails:
        conditions.append(Employee.email.in_(keys.emails))
    if namesakes:
        conditions.append(Employee.id.in_(namesakes))
    if not conditions:
        return LocalState()
    rows = db.session.execute(
        select(Employee, WageContract).outerjoin(WageContract, WageContract.employee_id == Employee.id).where(or_(*conditions))
    ).all()
    employees = tuple(
        local_employee(row, contract, integration.id)
        for row, contract in rows
        if row.provider_id in provider_ids and row.integration_id == integration.id
        or row.email in keys.emails
        or row.id in namesakes
    )
    selections = {}
    if provider_ids:
        selections = dict(
            db.session.execute(
                select(SelectionEntry.provider_id, SelectionEntry.selection).where(
                    SelectionEntry.integration_id == integration.id, SelectionEntry.provider_id.in_(provider_ids)
                )
            ).all()
        )
    return LocalState(employees, selections)


def _newcomers(
    integration: Integration, records: Sequence[EmployeeRecord | RecordError], provider_ids: set[str]
) -> list[EmployeeRecord]:
    """The records this integration has not synced yet: only a newcomer is checked for a
    probable duplicate, so a resync needs no name candidates at all."""
    known = set()
    if provider_ids:
        known = set(
            db.session.execute(
                select(Employee.provider_id).where(Employee.integration_id == integration.id, Employee.provider_id.in_(provider_ids))
            ).scalars()
        )
    return [r for r in records if isinstance(r, EmployeeRecord) and r.provider_id not in known]


def _namesakes(newcomers: list[EmployeeRecord]) -> set[int]:
    """Ids of the local employees the probable-duplicate check can pick for these
    newcomers: the same whole name (`person_key`: casefold, not SQL lower) and the same
    start date or employee number.

    Done in three narrow queries so that a tenant of thousands of same-surname people
    never loads their rows: the distinct spellings of the surnames, the few people
    spelled like a newcomer, then their dates and numbers checked here.
    """
    wanted: dict[tuple[str, str], list[tuple[object, object]]] = defaultdict(list)
    for record in newcomers:
        key = person_key(record.first_name, record.last_name)
        wanted[key].append((record.start_date, provider_value(record, "employee_number")))
    if not wanted:
        return set()
    last_names = {last for _first, last in wanted}
    spellings = db.session.execute(
        select(Employee.first_name, Employee.last_name).where(func.lower(Employee.last_name).in_(last_names)).distinct()
    ).all()
    matching = [(first, last) for first, last in spellings if person_key(first, last) in wanted]
    if not matching:
        return set()
    rows = db.session.execute(
        select(Employee.id, Employee.first_name, Employee.last_name, Employee.start_date, Employee.employee_number).where(
            tuple_(Employee.first_name, Employee.last_name).in_(matching)
        )
    ).all()
    return {
        employee_id
        for employee_id, first, last, start_date, number in rows
        if any((wanted_start is not None and start_date == wanted_start) or (wanted_number and number == wanted_number)
               for wanted_start, wanted_number in wanted[person_key(first, last)])
    }


def write_decisions(
    integration: Integration,
    run_id: int,
    decisions: Sequence[EmployeeDecision],
    state: LocalState,
    records: Sequence[EmployeeRecord | RecordError],
    now: datetime,
) -> None:
    """Write one page's decisions, in the order the engine returned them."""
    by_local_id = {e.local_id: e for e in state.employees}
    records_by_id = {r.provider_id: r for r in records if isinstance(r, EmployeeRecord)}
    created_ids = _insert_created(integration, [d for d in decisions if d.action == Action.CREATE], now)
    _update_changed(
        integration,
        [(d, by_local_id[d.local_id]) for d in decisions if d.action != Action.CREATE and d.changes and d.local_id in by_local_id],
        now,
    )
    _park_newly_offered(integration, [d for d in decisions if d.newly_offered], records_by_id)
    _record_discrepancies(integration.tenant_id, run_id, [d for d in decisions if d.discrepancies], created_ids)
    _record_outcomes(integration.tenant_id, run_id, decisions, created_ids)


def _employee_values(employee: LocalEmployee) -> dict:
    return {name: getattr(employee, name) for name in ENGINE_COLUMNS}


def _contract_values(contract: SyncedWageContract) -> dict:
    return {name: getattr(contract, name) for name in CONTRACT_COLUMNS}


def _deactivation_flags(decision: EmployeeDecision) -> dict:
    return {"access_revoked": decision.revokes_access, "budget_frozen": decision.freezes_budget}


def _insert_created(integration: Integration, created: list[EmployeeDecision], now: datetime) -> dict[str, int]:
    """Insert new employees and their wage contracts; provider ID -> new employee id."""
    if not created:
        return {}
    new_employees = [apply_decision(None, d, new_local_id=0) for d in created]
    rows = [
        {
            **_employee_values(e),
            "tenant_id": integration.tenant_id,
            "integration_id": integration.id,
            "probable_duplicate_of_id": d.probable_duplicate_of,
            "last_synced_at": now,
        }
        for d, e in zip(created, new_employees, strict=True)
    ]
    ids = db.session.execute(insert(Employee).returning(Employee.id, Employee.provider_id, sort_by_parameter_order=True), rows).all()
    created_ids = {provider_id: employee_id for employee_id, provider_id in ids}
    contracts = [
        {**_contract_values(e.wage_contract), "tenant_id": integration.tenant_id, "employee_id": created_ids[e.provider_id]}
        for e in new_employees
        if e.wage_contract is not None
    ]
    if contracts:
        db.session.execute(insert(WageContract), contracts)
    return created_ids


def _update_changed(integration: Integration, changed: list[tuple[EmployeeDecision, LocalEmployee]], now: datetime) -> None:
    """Full-row updates grouped by statement shape: one executemany per shape."""
    if not changed:
        return
    employee_rows = []
    new_contracts, contract_rows = [], []
    contract_ids = _contract_ids([employee.local_id for _d, employee in changed if employee.wage_contract is not None])
    for decision, employee in changed:
        after = apply_decision(employee, decision)
        row = {"id": employee.local_id, **_employee_values(after), "integration_id": integration.id, "last_synced_at": now}
        if decision.action == Action.DEACTIVATE:
            row.update(_deactivation_flags(decision))
        elif after.active and not employee.active:
            row.update(access_revoked=False, budget_frozen=False)
        employee_rows.append(row)
        if after.wage_contract is not None and after.wage_contract != employee.wage_contract:
            values = _contract_values(after.wage_contract)
            if employee.local_id in contract_ids:
                contract_rows.append({"id": contract_ids[employee.local_id], **values})
            else:
                new_contracts.append({**values, "tenant_id": integration.tenant_id, "employee_id": employee.local_id})
    for shape_rows in _group_by_shape(employee_rows):
        db.session.execute(update(Employee), shape_rows)
    if contract_rows:
        db.session.execute(update(WageContract), contract_rows)
    if new_contracts:
        db.session.execute(insert(WageContract), new_contracts)


def _contract_ids(employee_ids: list[int]) -> dict[int, int]:
    if not employee_ids:
        return {}
    return dict(
        db.session.execute(select(WageContract.employee_id, WageContract.id).where(WageContract.employee_id.in_(employee_ids))).all()
    )


def _group_by_shape(rows: list[dict]) -> Iterable[list[dict]]:
    groups: dict[frozenset[str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    return groups.values()


def _park_newly_offered(integration: Integration, offered: list[EmployeeDecision], records: dict) -> None:
    """Selective mode: people seen for the first time wait in the selection window."""
    if not offered:
        return
    db.session.execute(
        insert(SelectionEntry),
        [
            {
                "tenant_id": integration.tenant_id,
                "integration_id": integration.id,
                "provider_id": d.provider_id,
                "selection": Selection.PARKED,
                "display_name": d.display_name[:500],
                "email": (records[d.provider_id].email or "")[:254] or None,
            }
            for d in offered
        ],
    )


def _record_discrepancies(tenant_id: int, run_id: int, decisions: list[EmployeeDecision], created_ids: dict[str, int]) -> None:
    """One open discrepancy per employee, field and provider value, however many runs see it."""
    wanted = []
    for decision in decisions:
        employee_id = decision.local_id or created_ids.get(decision.provider_id or "")
        for discrepancy in decision.discrepancies:
            wanted.append((employee_id, discrepancy.field, _text(discrepancy.local_value), _text(discrepancy.provider_value)))
    open_ones = set(
        db.session.execute(
            select(Discrepancy.employee_id, Discrepancy.field, Discrepancy.provider_value).where(
                Discrepancy.employee_id.in_({w[0] for w in wanted}), Discrepancy.status == DiscrepancyStatus.OPEN
            )
        ).all()
    )
    new_rows = [
        {"tenant_id": tenant_id, "employee_id": e, "field": f, "local_value": old, "provider_value": new,
         "first_seen_run_id": run_id, "status": DiscrepancyStatus.OPEN}
        for e, f, old, new in wanted
        if (e, f, new) not in open_ones
    ]
    if new_rows:
        db.session.execute(insert(Discrepancy), new_rows)


def _record_outcomes(tenant_id: int, run_id: int, decisions: Sequence[EmployeeDecision], created_ids: dict[str, int]) -> None:
    """The run's drill-down: every employee something happened to; unchanged ones leave no line."""
    rows = [
        {
            "tenant_id": tenant_id,
            "run_id": run_id,
            "employee_id": d.local_id or created_ids.get(d.provider_id or ""),
            "provider_id": d.provider_id,
            "display_name": d.display_name[:300],
            "action": d.action,
            "reason": d.reason,
            "changes": [{"field": c.field, "old": _text(c.old), "new": _text(c.new)} for c in d.changes] or None,
        }
        for d in decisions
        if d.action != Action.UNCHANGED
    ]
    if rows:
        db.session.execute(insert(SyncRunEmployee), rows)


def _text(value: object) -> str | None:
    """Change-log values as the admin reads them."""
    if value is None:
        return None
    return str(value.value) if isinstance(value, Enum) else str(value)


def synced_employees(integration: Integration) -> list[LocalEmployee]:
    """Active employees this integration masters, for the removal check at the end of a run."""
    rows = db.session.execute(
        select(Employee).where(Employee.integration_id == integration.id, Employee.active.is_(True), Employee.provider_id.is_not(None))
    ).scalars()
    return [local_employee(row, None) for row in rows]


def mark_external(employee_ids: Iterable[int]) -> None:
    """Payhawk's rule: local users the first sync could not match are shown as external."""
    ids = list(employee_ids)
    if ids:
        db.session.execute(update(Employee).where(Employee.id.in_(ids)).values(external=True))


def unmatched_local_employees() -> list[LocalEmployee]:
    rows = db.session.execute(
        select(Employee).where(Employee.provider_id.is_(None), Employee.active.is_(True), Employee.external.is_(False))
    ).scalars()
    return [local_employee(row, None) for row in rows]
