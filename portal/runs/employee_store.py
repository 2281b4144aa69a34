"""Between the sync engine and the database: load what a page may touch, write what it decided.

The engine (`portal/sync`) plans on plain `LocalEmployee` records; this module builds
them from the rows a page of provider records can match, and writes the decisions back
in bulk — one INSERT per kind of row and one executemany UPDATE per page, inside the
caller's transaction, so a page is applied whole or not at all.
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from functools import cached_property, lru_cache
from types import MappingProxyType

from sqlalchemy import Row, func, insert, or_, select, text, update
from sqlalchemy.orm import Bundle

from portal.accounts import audit
from portal.extensions import db
from portal.models import (
    AuditAction,
    Discrepancy,
    DiscrepancyStatus,
    Employee,
    Integration,
    SelectionEntry,
    SyncRunEmployee,
    WageContract,
)
from portal.models.employee import LOWER_WHOLE_NAME, SYNCED_COLUMNS, lower_whole_name
from portal.providers.base import EmployeeRecord, RecordError
from portal.sync.apply import apply_decision
from portal.sync.digest import SyncedRecord
from portal.sync.lookup import PageLookup
from portal.sync.outcomes import Reason
from portal.sync.overlay import Overlay
from portal.sync.plan import Action, BatchPlan, EmployeeDecision, NewEmployee
from portal.sync.state import LocalEmployee, LocalState, Selection
from portal.sync.state import WageContract as SyncedWageContract

CONTRACT_COLUMNS = tuple(f.name for f in fields(SyncedWageContract))


# Read as bundles of plain values, never as ORM objects: a page would otherwise fill the
# session with hundreds of objects that every later flush of the run walks through.
EMPLOYEE_READ = Bundle("employee", Employee.id, Employee.integration_id, *(getattr(Employee, name) for name in SYNCED_COLUMNS))
CONTRACT_READ = Bundle("contract", *(getattr(WageContract, name) for name in CONTRACT_COLUMNS))


def local_employee(
    employee: Employee | Row, contract: WageContract | Row | None, integration_id: int | None = None
) -> LocalEmployee:
    """The engine's view of an employee and their wage contract, each an ORM object or a
    bundle of its columns (a contract missing from an outer join reads as all None)."""
    values = {name: getattr(employee, name) for name in SYNCED_COLUMNS}
    if integration_id is not None and employee.provider_id is not None and employee.integration_id != integration_id:
        # Another provider's IDs live in another namespace: never a match by ID here, but
        # still "synced": its e-mail makes a newcomer of this one a person both integrations
        # list, whom the master integration syncs (`SyncScope.takes_over_shared_people`).
        values["provider_id"] = f"integration-{employee.integration_id}:{employee.provider_id}"
        values["synced_by_other_integration"] = True
    has_contract = contract is not None and contract.provider_id is not None
    return LocalEmployee(
        local_id=employee.id,
        **values,
        wage_contract=SyncedWageContract(**{name: getattr(contract, name) for name in CONTRACT_COLUMNS})
        if has_contract
        else None,
    )


@dataclass(frozen=True, slots=True)
class SyncTarget:
    """The integration a run writes for, as plain values: the ORM object expires at every
    page's commit and would be read again for each of them."""

    integration_id: int
    tenant_id: int

    @classmethod
    def of(cls, integration: Integration) -> SyncTarget:
        return cls(integration.id, integration.tenant_id)


def synced_records(target: SyncTarget, provider_ids: Collection[str] | None = None) -> dict[str, SyncedRecord]:
    """Provider ID -> what the employee synced from it remembers, for everyone the
    integration has synced (or only for `provider_ids`).

    A run reads it once, not once per page (one query per page cost as much as the
    rest of a resync's own work); it is a few dozen bytes a person. A run of changes,
    listing a few people of thousands, reads only theirs. An edit in Flexsync during
    the run clears the row's digest but not this copy, so someone edited before their
    page is planned by the next run, like someone edited just after it.
    """
    statement = select(Employee.provider_id, Employee.synced_record_digest, Employee.synced_record_valid_until).where(
        Employee.integration_id == target.integration_id, Employee.provider_id.is_not(None)
    )
    if provider_ids is not None:
        statement = statement.where(Employee.provider_id.in_(sorted(provider_ids)))
    return {provider_id: SyncedRecord(digest, until) for provider_id, digest, until in db.session.execute(statement)}


def load_looked_up(target: SyncTarget, lookup: PageLookup) -> LocalState:
    """Every local employee the page's records may match (`lookup.page_lookup`): by
    provider ID, by e-mail, and by name for the probable-duplicate check; plus the
    selection of those provider IDs."""
    namesakes = _namesakes(lookup)
    conditions = []
    if lookup.known_ids:
        conditions.append((Employee.integration_id == target.integration_id) & Employee.provider_id.in_(lookup.known_ids))
    if lookup.emails:
        conditions.append(Employee.email.in_(lookup.emails))
    if namesakes:
        conditions.append(Employee.id.in_(namesakes))
    employees: tuple[LocalEmployee, ...] = ()
    if conditions:
        rows = db.session.execute(
            select(EMPLOYEE_READ, CONTRACT_READ)
            .outerjoin(WageContract, WageContract.employee_id == Employee.id)
            .where(or_(*conditions))
        ).all()
        employees = tuple(
            local_employee(employee, contract, target.integration_id)
            for employee, contract in rows
            if (employee.provider_id in lookup.provider_ids and employee.integration_id == target.integration_id)
            or employee.email in lookup.emails
            or employee.id in namesakes
        )
    return LocalState(employees, _selections(target, lookup))


def _selections(target: SyncTarget, lookup: PageLookup) -> dict[str, Selection]:
    """Everyone's selection, people synced before included: someone unticked in the
    selection window, or offered again after a re-install, is left out too."""
    if not lookup.provider_ids:
        return {}
    return dict(
        db.session.execute(
            select(SelectionEntry.provider_id, SelectionEntry.selection).where(
                SelectionEntry.integration_id == target.integration_id,
                SelectionEntry.provider_id.in_(lookup.provider_ids),
            )
        ).all()
    )


# About 1 KB of memory a person: a bigger company's first sync goes on from the database,
# which holds them all.
REMEMBERED_AT_MOST = 20_000


class CreatedByThisRun:
    """The employees a run created, kept in memory while they are all its company has.

    A first sync looked each page's newcomers up in the database (by e-mail, and by name
    for the probable-duplicate check) and found there only what its own earlier pages had
    written: a quarter of its time. While the tenant holds no one else (one count a page),
    the run finds them here instead, as a preview does (`overlay.Overlay`). From the first
    page on which the tenant holds anyone else (it had employees, an admin added one,
    another integration synced some) the run asks the database, to its end. What an admin
    edits by hand, during the run, in someone the run wrote is not seen here: a later
    page then meets them as written (the database would have shown the edit).
    """

    def __init__(self, target: SyncTarget) -> None:
        self.target = target
        self.overlay: Overlay | None = Overlay()
        self.count = 0
        self.last_id: int | None = None

    def state(self, lookup: PageLookup) -> LocalState:
        """`load_looked_up`'s state for the page, from memory where it can be."""
        if self.overlay is not None and self._tenant_holds_others():
            self.overlay = None
        if self.overlay is None:
            return load_looked_up(self.target, lookup)
        selections = _selections(self.target, lookup) if self.selections_before_the_run else {}
        return self.overlay.state(LocalState((), selections), lookup)

    @cached_property
    def selections_before_the_run(self) -> bool:
        """Whether the integration's selection window held anyone when the run began (read
        on its first page). If not, the only selections its pages can meet are those the run
        parks itself, which the overlay keeps: an admin changes only the entries there are."""
        return (
            db.session.execute(
                select(SelectionEntry.id).where(SelectionEntry.integration_id == self.target.integration_id).limit(1)
            ).first()
            is not None
        )

    def written(self, plan: BatchPlan, state: LocalState, created_ids: Mapping[str, int]) -> None:
        """Remember what `write_decisions` wrote for the page."""
        if self.overlay is None:
            return
        self.overlay.apply(plan, state, created_ids)
        if created_ids:
            self.count += len(created_ids)
            self.last_id = max(self.last_id or 0, *created_ids.values())
        if self.count > REMEMBERED_AT_MOST:
            self.overlay = None

    def _tenant_holds_others(self) -> bool:
        # The same number of rows and the same highest id: someone added counts one more, and
        # in place of someone deleted (the run deletes no one) they get a higher id, unless
        # it was the run's last row, whose id SQLite may give again.
        # Two statements: alone, the highest id is one step down an index; beside count(*)
        # it is read off every row the count walks (SQLite: 3 µs against 230 µs at 10,000).
        last_id = db.session.execute(select(func.max(Employee.id))).scalar()
        count = db.session.execute(select(func.count(Employee.id))).scalar()
        return (count, last_id) != (self.count, self.last_id)


def _namesakes(lookup: PageLookup) -> set[int]:
    """Ids of the local employees the probable-duplicate check can pick for the page's
    newcomers: the same whole name (`person_key`: casefold, not SQL lower) and the same
    start date or employee number.

    The database finds the names by their lower-cased forms (indexed), in every form SQL
    `lower` may give, among the people with one of the newcomers' start dates or
    employee numbers (a first sync's earlier pages hold hundreds of namesakes, few with
    either); the exact rule is checked here. A newcomer with neither has no namesake.
    """
    identities = [identity for found in lookup.identities.values() for identity in found]
    start_dates = {start for start, _number in identities if start is not None}
    numbers = {number for _start, number in identities if number and isinstance(number, str)}
    if not start_dates and not numbers:
        return set()
    names = {
        lower_whole_name(last, first)
        for record in lookup.newcomers
        for last in _lower_forms(record.last_name)
        for first in _lower_forms(record.first_name)
    }
    rows = db.session.execute(
        select(Employee.id, Employee.first_name, Employee.last_name, Employee.start_date, Employee.employee_number).where(
            LOWER_WHOLE_NAME.in_(names),
            or_(Employee.start_date.in_(start_dates), Employee.employee_number.in_(numbers)),
        )
    ).all()
    return {
        employee_id
        for employee_id, first, last, start_date, number in rows
        if lookup.is_namesake(first, last, start_date, number)
    }


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@lru_cache(maxsize=4096)
def _lower_forms(name: str) -> frozenset[str]:
    """What SQL `lower` gives for this name as written, in capitals or title case: SQLite
    folds ASCII only ("MATHÉO" -> "mathÉo"), PostgreSQL all of Unicode. Cached: first
    names and surnames repeat across a company's pages."""
    name = " ".join(name.split())
    return frozenset(
        {name.casefold(), name.lower(), *(spelling.translate(_ASCII_LOWER) for spelling in (name, name.upper(), name.title()))}
    )


def write_decisions(
    target: SyncTarget,
    run_id: int,
    decisions: Sequence[EmployeeDecision],
    state: LocalState,
    records: Sequence[EmployeeRecord | RecordError],
    now: datetime,
    in_step: Mapping[str, SyncedRecord] = MappingProxyType({}),
    synced: Mapping[str, SyncedRecord] = MappingProxyType({}),
) -> dict[str, int]:
    """Write one page's decisions, in the order the engine returned them; returns the new
    employees' ids by provider ID.

    `in_step`: for each record planned, what its employee remembers once the decision is
    written; `synced`: what they remembered before. A decision that leaves the employee
    anything but in step with the record (a deactivation, a discrepancy left to the
    admin) makes the employee remember nothing, so the next run plans them again.
    """
    by_local_id = {e.local_id: e for e in state.employees}
    records_by_id = {r.provider_id: r for r in records if isinstance(r, EmployeeRecord)}

    def remembered(decision: EmployeeDecision) -> SyncedRecord:
        if decision.action == Action.DEACTIVATE or decision.discrepancies:
            return FORGOTTEN
        return in_step.get(decision.provider_id or "", FORGOTTEN)

    created_ids = _insert_created(target, [(d, new, remembered(d)) for d in decisions if (new := d.created) is not None], now)
    _update_changed(
        target,
        [(d, by_local_id[d.local_id], remembered(d)) for d in decisions if d.updates and d.local_id in by_local_id],
        now,
    )
    _remember_unchanged(
        [
            (d, memory)
            for d in decisions
            if d.action == Action.UNCHANGED and (memory := remembered(d)) != synced.get(d.provider_id or "", FORGOTTEN)
        ]
    )
    _park_newly_offered(target, [d for d in decisions if d.newly_offered], records_by_id)
    _record_discrepancies(target.tenant_id, run_id, [d for d in decisions if d.discrepancies], created_ids)
    _record_outcomes(target.tenant_id, run_id, decisions, created_ids)
    return created_ids


def _employee_values(employee: LocalEmployee) -> dict:
    return {name: getattr(employee, name) for name in SYNCED_COLUMNS}


def _contract_values(contract: SyncedWageContract) -> dict:
    return {name: getattr(contract, name) for name in CONTRACT_COLUMNS}


BLANK_EMPLOYEE = _employee_values(LocalEmployee(local_id=0, email="", first_name="", last_name=""))
# Ids per IN list: far below every database's limit on bound parameters.
IN_CHUNK = 1000
# What an employee remembers after a decision that leaves them out of step with the record.
FORGOTTEN = SyncedRecord(None, None)


def _deactivation_flags(decision: EmployeeDecision) -> dict:
    return {"access_revoked": decision.revokes_access, "budget_frozen": decision.freezes_budget}


def _insert_created(
    target: SyncTarget, created: list[tuple[EmployeeDecision, NewEmployee, SyncedRecord]], now: datetime
) -> dict[str, int]:
    """Insert new employees and their wage contracts; provider ID -> new employee id.

    Rows are the values the engine read off the record (`NewEmployee`), on top of the
    defaults of a blank employee.
    """
    if not created:
        return {}
    rows, contracts = [], []
    for decision, new, remembered in created:
        rows.append(
            {
                **BLANK_EMPLOYEE,
                **new.values,
                "tenant_id": target.tenant_id,
                "integration_id": target.integration_id,
                "probable_duplicate_of_id": decision.probable_duplicate_of,
                "last_synced_at": now,
                **_remembering(remembered),
            }
        )
        contracts.append(_contract_values(new.wage_contract))
    # No RETURNING: SQLite would insert row by row to return ids in order; reading the
    # page's new ids back by provider ID is one indexed query.
    db.session.execute(insert(Employee.__table__), rows)
    created_ids = dict(
        db.session.execute(
            select(Employee.provider_id, Employee.id).where(
                Employee.integration_id == target.integration_id, Employee.provider_id.in_([row["provider_id"] for row in rows])
            )
        ).all()
    )
    contract_rows = [
        {**wage, "tenant_id": target.tenant_id, "employee_id": created_ids[row["provider_id"]]}
        for wage, row in zip(contracts, rows, strict=True)
    ]
    if contract_rows:
        db.session.execute(insert(WageContract.__table__), contract_rows)
    return created_ids


def _update_changed(
    target: SyncTarget, changed: list[tuple[EmployeeDecision, LocalEmployee, SyncedRecord]], now: datetime
) -> None:
    """Updates of the changed columns only, grouped by statement shape: one executemany per shape.

    Not full rows: SQLite rewrites the entry of every index whose column an UPDATE sets,
    even to the value it had, and the employees have eight; a salary raise of 100 people
    wrote some 600 pages of indexes to the log instead of 100 rows (and their checkpoints).
    """
    if not changed:
        return
    employee_rows = []
    new_contracts, contract_rows = [], []
    contract_ids = _contract_ids([employee.local_id for _d, employee, _r in changed if employee.wage_contract is not None])
    for decision, employee, remembered in changed:
        after = apply_decision(employee, decision)
        row = {
            "id": employee.local_id,
            **_changed_values(_employee_values(employee), _employee_values(after)),
            "last_synced_at": now,
            **_remembering(remembered),
        }
        if after.provider_id != employee.provider_id or employee.synced_by_other_integration:
            # Bound now (matched by e-mail, taken over from another integration, whose ID may
            # even read the same): mastered by this one. Any other is this integration's already.
            row["integration_id"] = target.integration_id
        if decision.action == Action.DEACTIVATE:
            row.update(_deactivation_flags(decision))
        elif after.active and not employee.active:
            row.update(access_revoked=False, budget_frozen=False)
        employee_rows.append(row)
        if after.wage_contract is not None and after.wage_contract != employee.wage_contract:
            values = _contract_values(after.wage_contract)
            if employee.wage_contract is not None and employee.local_id in contract_ids:
                changed_values = _changed_values(_contract_values(employee.wage_contract), values)
                contract_rows.append({"id": contract_ids[employee.local_id], **changed_values})
            else:
                new_contracts.append({**values, "tenant_id": target.tenant_id, "employee_id": employee.local_id})
    for shape_rows in _group_by_shape(employee_rows):
        db.session.execute(update(Employee), shape_rows)
    for shape_rows in _group_by_shape(contract_rows):
        db.session.execute(update(WageContract), shape_rows)
    if new_contracts:
        db.session.execute(insert(WageContract), new_contracts)


def _changed_values(before: dict, after: dict) -> dict:
    return {name: value for name, value in after.items() if value != before[name]}


def _remember_unchanged(unchanged: list[tuple[EmployeeDecision, SyncedRecord]]) -> None:
    """Employees already in step with a record they did not remember (a local edit was
    undone, a record came back): only the memory is written, nothing they would see."""
    if unchanged:
        db.session.execute(update(Employee), [{"id": d.local_id, **_remembering(r)} for d, r in unchanged])


def _remembering(remembered: SyncedRecord) -> dict:
    return {"synced_record_digest": remembered.digest, "synced_record_valid_until": remembered.valid_until}


def _contract_ids(employee_ids: list[int]) -> dict[int, int]:
    if not employee_ids:
        return {}
    return dict(
        db.session.execute(
            select(WageContract.employee_id, WageContract.id).where(WageContract.employee_id.in_(employee_ids))
        ).all()
    )


def _group_by_shape(rows: list[dict]) -> Iterable[list[dict]]:
    groups: dict[frozenset[str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    return groups.values()


def _park_newly_offered(target: SyncTarget, offered: list[EmployeeDecision], records: dict) -> None:
    """Selective mode: people seen for the first time wait in the selection window."""
    if not offered:
        return
    db.session.execute(
        insert(SelectionEntry),
        [
            {
                "tenant_id": target.tenant_id,
                "integration_id": target.integration_id,
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
    if not decisions:
        return
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
        {
            "tenant_id": tenant_id,
            "employee_id": e,
            "field": f,
            "local_value": old,
            "provider_value": new,
            "first_seen_run_id": run_id,
            "status": DiscrepancyStatus.OPEN,
        }
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
            "problem_field": d.detail.field if d.detail else None,
            "problem_value": d.detail.value[:200] if d.detail else None,
            # A creation is one entry that names the record it came from (the line's provider
            # ID), not a change per field: the first sync writes thousands of them.
            "changes": None
            if d.action == Action.CREATE
            else [{"field": c.field, "old": _text(c.old), "new": _text(c.new)} for c in d.updates] or None,
        }
        for d in decisions
        if d.action != Action.UNCHANGED
    ]
    if rows:
        db.session.execute(insert(SyncRunEmployee.__table__), rows)


def _text(value: object) -> str | None:
    """Change-log values as the admin reads them."""
    if value is None or type(value) is str:
        return value
    return str(value.value) if isinstance(value, Enum) else str(value)


def unlisted_employees(target: SyncTarget, listed: Set[str]) -> list[LocalEmployee]:
    """Active employees this integration masters whose provider ID the run did not see,
    for the removal check at the end of a run: only they are read whole."""
    synced = db.session.execute(
        select(Employee.provider_id).where(
            Employee.integration_id == target.integration_id, Employee.active.is_(True), Employee.provider_id.is_not(None)
        )
    ).scalars()
    unlisted = sorted(set(synced) - listed)
    return [
        local_employee(employee, None)
        for start in range(0, len(unlisted), IN_CHUNK)
        for employee in db.session.execute(
            select(EMPLOYEE_READ).where(
                Employee.integration_id == target.integration_id, Employee.provider_id.in_(unlisted[start : start + IN_CHUNK])
            )
        ).scalars()
    ]


def moved_between_entities(run_id: int) -> set[int]:
    """The accounts of the people the run met under a new provider ID with their e-mail."""
    return set(
        db.session.execute(
            select(SyncRunEmployee.employee_id).where(
                SyncRunEmployee.run_id == run_id,
                SyncRunEmployee.reason == Reason.ENTITY_MOVE,
                SyncRunEmployee.employee_id.is_not(None),
            )
        ).scalars()
    )


def refresh_statistics() -> None:
    """Fresh planner statistics for the tables a sync reads by key.

    A first sync fills them from nearly empty, faster than autovacuum (PostgreSQL) or
    anything at all (SQLite) analyses them; planned for an empty table, every page's
    lookup by provider ID scans all of the tenant's employees instead of using the key.
    """
    for table in (Employee.__table__, WageContract.__table__):
        db.session.execute(text(f"ANALYZE {table.name}"))


def mark_external(employee_ids: Iterable[int]) -> None:
    """Payhawk's rule: local users the first sync could not match are shown as external;
    each one's timeline and the audit log say so, and since when."""
    ids = list(employee_ids)
    if ids:
        db.session.execute(update(Employee).where(Employee.id.in_(ids)).values(external=True))
        for employee in db.session.execute(select(Employee).where(Employee.id.in_(ids))).scalars():
            audit.record(
                AuditAction.EXTERNAL_FOUND,
                None,
                audit.employee_subject(employee),
                employee.tenant_id,
                via=audit.FIRST_SYNC,
                employee_id=employee.id,
            )


def unmatched_local_employees() -> list[LocalEmployee]:
    rows = db.session.execute(
        select(EMPLOYEE_READ).where(Employee.provider_id.is_(None), Employee.active.is_(True), Employee.external.is_(False))
    ).scalars()
    return [local_employee(employee, None) for employee in rows]
