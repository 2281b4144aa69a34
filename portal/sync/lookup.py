"""Which local employees one page of provider records may match, decided before anything is loaded.

The store loads exactly these from the database (`employee_store.load_looked_up`); a preview
adds, from memory, the employees the run's earlier pages would have written
(`overlay.Overlay`). Both ask the same `PageLookup`, so they pick the same people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date

from portal.providers.base import EmployeeRecord, RecordError
from portal.sync.diff import provider_value
from portal.sync.plan import may_be_created
from portal.sync.scope import EVERYONE, SyncScope
from portal.sync.state import LocalEmployee, lookup_keys, person_key

# A newcomer's start date and employee number: a namesake with either is a probable duplicate.
Identity = tuple[date | None, object]


@dataclass(frozen=True)
class PageLookup:
    # Every provider ID looked up: people synced before, and newcomers that may be created.
    provider_ids: frozenset[str]
    # Of those, the ones this integration has synced before: the only ones matched by ID.
    known_ids: frozenset[str]
    emails: frozenset[str]
    # The records that may lead to a new employee: only they are checked for a probable duplicate.
    newcomers: tuple[EmployeeRecord, ...]
    # Their start dates and employee numbers, by `person_key`.
    identities: Mapping[tuple[str, str], tuple[Identity, ...]]

    def is_namesake(self, first_name: str, last_name: str, start_date: date | None, number: object) -> bool:
        """Same whole name as a newcomer, and the same start date or employee number."""
        return any(
            (wanted_start is not None and start_date == wanted_start) or (wanted_number and number == wanted_number)
            for wanted_start, wanted_number in self.identities.get(person_key(first_name, last_name), ())
        )

    def may_match(self, employee: LocalEmployee) -> bool:
        """Whether the store would load this employee of the integration for the page."""
        return (
            employee.provider_id in self.known_ids
            or employee.email in self.emails
            or self.is_namesake(employee.first_name, employee.last_name, employee.start_date, employee.employee_number)
        )


def page_lookup(
    records: Sequence[EmployeeRecord | RecordError], synced_ids: Set[str], today: date, scope: SyncScope = EVERYONE
) -> PageLookup:
    """`synced_ids`: the provider IDs this integration has synced before (only looked up).

    A newcomer that cannot be created (excluded, left out by the settings, no running
    contract) is skipped before the planner looks at anything local, so nothing is
    looked up for it: on a resync those are most of the records left to plan.
    """
    newcomers = [
        r
        for r in records
        if isinstance(r, EmployeeRecord) and r.provider_id not in synced_ids and may_be_created(r, today, scope)
    ]
    considered = [r for r in records if r.provider_id in synced_ids] + newcomers
    keys = lookup_keys(r for r in considered if isinstance(r, EmployeeRecord))
    provider_ids = frozenset(r.provider_id for r in considered if r.provider_id)
    identities: dict[tuple[str, str], list[Identity]] = {}
    for record in newcomers:
        identities.setdefault(person_key(record.first_name, record.last_name), []).append(
            (record.start_date, provider_value(record, "employee_number"))
        )
    return PageLookup(
        provider_ids=provider_ids,
        known_ids=frozenset(p for p in provider_ids if p in synced_ids),
        emails=keys.emails,
        newcomers=tuple(newcomers),
        identities={key: tuple(found) for key, found in identities.items()},
    )
