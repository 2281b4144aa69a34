"""Who leaves: removals at the provider, external users, and local-only endings.

Deactivating on absence is only safe when the provider listed *everyone*: a fetch
that broke half-way would otherwise deactivate half the company. So removal and
external checks take a `FetchCompleted`, which cannot exist for an incomplete fetch.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import date

from portal.sync.outcomes import N_, Reason
from portal.sync.plan import EmployeeDecision, deactivation
from portal.sync.state import LocalEmployee

# English source text, marked for the catalogue; the web layer wraps it in gettext.
REACTIVATION_WARNING = N_(
    "{name} still has an active contract at {provider}: the next sync will activate them"
    " again. End the employment at {provider} too."
)


class IncompleteFetch(Exception):
    """The provider's list cannot be trusted to be complete; nobody is deactivated."""


@dataclass(frozen=True, slots=True)
class FetchCompleted:
    """Proof that the run read the provider's whole employee list, every page of it."""

    seen_provider_ids: frozenset[str]
    # Every item the pages held, unreadable records included.
    records_received: int
    # The total the provider announced, when it does.
    reported_total: int | None = None

    def __post_init__(self) -> None:
        # An empty list is far more often a provider fault than a company without staff.
        if not self.seen_provider_ids:
            raise IncompleteFetch("the provider listed no employees")
        if self.reported_total is not None and self.records_received < self.reported_total:
            raise IncompleteFetch(f"received {self.records_received} of {self.reported_total} employees")


def plan_removals(
    fetch: FetchCompleted, synced_employees: Iterable[LocalEmployee], moved: Set[int] = frozenset()
) -> tuple[EmployeeDecision, ...]:
    """Employees the provider no longer lists: deactivated (access revoked, budget
    frozen), never deleted, as Payhawk does for people removed from the HR system.

    `moved`: the accounts of people the run met under a new provider ID with the same
    e-mail (`Reason.ENTITY_MOVE`). Their old ID is gone because they moved to another
    entity, not because they left: "an entity change is not handled by the integration",
    so their account stays as it is, active, until support moves it.
    """
    return tuple(
        deactivation(employee, Reason.REMOVED_AT_PROVIDER)
        for employee in synced_employees
        if employee.provider_id is not None
        and employee.active
        and employee.provider_id not in fetch.seen_provider_ids
        and employee.local_id not in moved
    )


def find_external(fetch: FetchCompleted, employees: Iterable[LocalEmployee], first_sync: bool) -> tuple[LocalEmployee, ...]:
    """Payhawk: users the initial sync could not match by e-mail "are considered external"
    and reported to the admin, who keeps or removes them. Only the first sync does this:
    people added by hand later are not strangers. `fetch` is required because after a
    partial fetch real employees would look unmatched."""
    if not first_sync:
        return ()
    return tuple(e for e in employees if not e.ever_synced and not e.external and e.active)


def next_sync_reactivates(employee: LocalEmployee, today: date) -> bool:
    """Whether ending this employment only in Flexsync will be undone by the next sync.

    Uses the wage contract as the last sync saw it: pages never ask the provider.
    """
    contract = employee.wage_contract
    return employee.ever_synced and contract is not None and contract.is_active_on(today)
