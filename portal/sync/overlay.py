"""What a run's earlier pages would have written, kept in memory instead.

A run plans each page against the database as its earlier pages left it: someone
created on page 1 holds their e-mail on page 3, a local user matched by e-mail is no
longer unmatched. A preview writes nothing, so it carries those decisions here and lays
them over what it loads for each page, exactly as the written rows would have been read.
A first sync keeps the people it wrote here too, while they are all its company has
(`employee_store.CreatedByThisRun`), instead of reading them back page after page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from itertools import count

from portal.sync.apply import apply_decision
from portal.sync.lookup import PageLookup
from portal.sync.plan import BatchPlan
from portal.sync.state import LocalEmployee, LocalState, Selection, person_key


class Overlay:
    def __init__(self) -> None:
        # Local id -> the employee as the run would have written them; created ones get
        # negative ids, which no row has.
        self.changed: dict[int, LocalEmployee] = {}
        self.selections: dict[str, Selection] = {}
        self.new_ids = count(-1, -1)
        # Where to look for carried employees, by every key a page looks up; a stale entry
        # (an e-mail changed since) is harmless: `PageLookup.may_match` checks again.
        self._by_key: dict[object, set[int]] = {}

    def state(self, loaded: LocalState, lookup: PageLookup) -> LocalState:
        """`loaded` as the database holds it now, and the page's `lookup`: the state the
        run would load for the page, its earlier pages written."""
        if not self.changed and not self.selections:
            return loaded
        kept = [e for e in loaded.employees if e.local_id not in self.changed]
        carried = [self.changed[i] for i in sorted(self._candidates(lookup))]
        selections = {**loaded.selections}
        selections.update((p, self.selections[p]) for p in lookup.provider_ids if p in self.selections)
        return LocalState((*kept, *(e for e in carried if lookup.may_match(e))), selections)

    def apply(self, plan: BatchPlan, state: LocalState, created_ids: Mapping[str, int] | None = None) -> None:
        """What writing the page's decisions would have done (`employee_store.write_decisions`);
        `created_ids`: the rows the new employees got, where they were written."""
        by_id = {e.local_id: e for e in state.employees}
        for decision in plan.decisions:
            if decision.newly_offered and decision.provider_id is not None:
                self.selections[decision.provider_id] = Selection.PARKED
            if decision.created is not None:
                # Without their wage contracts: a later page only finds a new employee by an
                # e-mail, an ID or a name (a probable duplicate), and never brings them in step
                # with a record (their ID is then a duplicate). Building them cost a preview a
                # tenth of its time; kept by a first sync, they were a third of its memory.
                local_id = next(self.new_ids) if created_ids is None else created_ids[decision.provider_id or ""]
                self._remember(decision.created.as_employee(local_id, with_wage_contract=False))
            elif not decision.updates:
                continue
            elif decision.local_id in by_id and (after := apply_decision(by_id[decision.local_id], decision)) is not None:
                # The row is written as this integration's, whichever synced it before.
                self._remember(replace(after, synced_by_other_integration=False))

    def current(self, employee: LocalEmployee) -> LocalEmployee:
        """The employee as the run would have left them."""
        return self.changed.get(employee.local_id, employee)

    def _remember(self, employee: LocalEmployee) -> None:
        self.changed[employee.local_id] = employee
        name = person_key(employee.first_name, employee.last_name)
        keys = (
            ("id", employee.provider_id),
            ("email", employee.email),
            # A namesake has the same start date or employee number too: a first sync's
            # earlier pages hold hundreds of people of each common name.
            ("name and start", name, employee.start_date),
            ("name and number", name, employee.employee_number),
        )
        for key in keys:
            self._by_key.setdefault(key, set()).add(employee.local_id)

    def _candidates(self, lookup: PageLookup) -> set[int]:
        keys: Iterable[object] = (
            *(("id", p) for p in lookup.known_ids),
            *(("email", e) for e in lookup.emails),
            *(("name and start", n, start) for n, found in lookup.identities.items() for start, _ in found if start is not None),
            *(("name and number", n, number) for n, found in lookup.identities.items() for _, number in found if number),
        )
        return {local_id for key in keys for local_id in self._by_key.get(key, ())}
