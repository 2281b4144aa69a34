"""A preview: what the next sync would do, computed the way the run does it, writing nothing.

Every page is fetched through the connector as a run fetches it and planned by the same
engine against the same local state (`employee_store.load_looked_up`); where the run would
have written a page's decisions before reading the next, the preview keeps them in
memory (`portal.sync.overlay`). Entities the run would make get names and no rows, and
the removals and external users are found from the complete list, as at a run's end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from portal.models import Integration
from portal.providers.base import Connector, EmployeeRecord, Page, RecordError
from portal.runs import employee_store, sync_scope
from portal.runs.read_ahead import reading_ahead
from portal.sync.digest import SyncedRecord, split_unchanged
from portal.sync.lookup import page_lookup
from portal.sync.outcomes import Reason
from portal.sync.overlay import Overlay
from portal.sync.plan import plan_batch
from portal.sync.preview import Preview
from portal.sync.removals import FetchCompleted, find_external, plan_removals
from portal.sync.scope import SyncScope
from portal.sync.state import LocalState, SyncMode

# Told after every page: how many records were read, and the total when the provider says it.
Progress = Callable[[int, int | None], None]


@dataclass
class _Planning:
    """What the preview carries from page to page, as the run carries it in its rows."""

    integration: Integration
    scope: SyncScope
    synced: dict[str, SyncedRecord]
    preview: Preview
    overlay: Overlay = field(default_factory=Overlay)
    seen: set[str] = field(default_factory=set)
    # The accounts of people met under a new provider ID with their e-mail: not removals.
    moved: set[int] = field(default_factory=set)
    today: date = field(default_factory=date.today)


def preview_next_sync(integration: Integration, connector: Connector, progress: Progress) -> Preview:
    """Raises what a run would end in error for: `ProviderUnavailable`, `ReconnectNeeded`,
    `IncompleteFetch`."""
    target = employee_store.SyncTarget.of(integration)
    planning = _Planning(
        integration,
        sync_scope.scope_of(integration),
        employee_store.synced_records(target),
        Preview(first_sync=integration.first_synced_at is None),
    )
    total: int | None = None
    with reading_ahead(connector.employees()) as pages:
        for page in pages:
            _plan_page(planning, connector, page)
            planning.preview.received += len(page.raw)
            total = page.total
            progress(planning.preview.received, total)
    _plan_end(planning, FetchCompleted(frozenset(planning.seen), planning.preview.received, total))
    return planning.preview


def _plan_page(planning: _Planning, connector: Connector, page: Page) -> None:
    integration, preview = planning.integration, planning.preview
    target = employee_store.SyncTarget.of(integration)
    mode = integration.sync_mode or SyncMode.FULL
    split = split_unchanged(page.raw, planning.synced, planning.today, planning.seen, planning.scope.fingerprint)
    planning.seen |= split.unchanged
    records = [page.read(page.raw[position]) for position in split.to_plan]
    planning.scope = _with_entities_named(planning, records)
    lookup = page_lookup(records, planning.synced.keys(), planning.today, planning.scope)
    state = planning.overlay.state(employee_store.load_looked_up(target, lookup), lookup)
    plan = plan_batch(
        records,
        state,
        connector.field_policies,
        planning.today,
        mode,
        seen_earlier=planning.seen,
        scope=planning.scope,
        offer_synced=mode is SyncMode.SELECTIVE and preview.first_sync,
    )
    planning.overlay.apply(plan, state)
    planning.moved |= {d.local_id for d in plan.decisions if d.reason is Reason.ENTITY_MOVE and d.local_id is not None}
    preview.add_page(plan, state, records, len(split.unchanged))
    planning.seen |= plan.seen_provider_ids


def _with_entities_named(planning: _Planning, records: list[EmployeeRecord | RecordError]) -> SyncScope:
    """The entities the run would make for this page, named, with ids no row has."""
    made = sync_scope.entities_to_make(planning.scope, records, planning.integration.provider)
    planning.preview.new_entities += made.values()
    return planning.scope.with_created({ref: next(planning.overlay.new_ids) for ref in made})


def _plan_end(planning: _Planning, fetch: FetchCompleted) -> None:
    """The end of a run: who the provider no longer lists, and on a first sync the local
    users nobody was matched to."""
    target = employee_store.SyncTarget.of(planning.integration)
    unlisted = employee_store.unlisted_employees(target, fetch.seen_provider_ids)
    planning.preview.add(plan_removals(fetch, unlisted, planning.moved), LocalState(tuple(unlisted)))
    if planning.preview.first_sync:
        unmatched = [planning.overlay.current(e) for e in employee_store.unmatched_local_employees()]
        planning.preview.add_external(find_external(fetch, unmatched, first_sync=True))
