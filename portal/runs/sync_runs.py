"""Sync runs: start or join one, carry it out page by page, close it with its outcome.

`request_sync` is what "Sync now" and the nightly schedule call, `request_delta_syncs`
what the schedule of changes calls every minute; `execute_run` is what the worker runs.
A run of changes applies only the people the provider lists as changed since the
integration's cursor, with the same rules, and deactivates nobody; when the cursor
cannot be trusted it lists everyone instead and says why (its schedule and cursor:
`portal/runs/delta_runs.py`). The rules themselves live in `portal/sync` (plain
functions); the rows are read and written by `portal/runs/employee_store.py`; starting,
joining and closing are the lifecycle every background work shares
(`portal/runs/lifecycle.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rq.rate_limit import RateLimit
from sqlalchemy import Select, delete, func, select

from jobs.settings import SYNC_RUN
from portal import tenancy
from portal.extensions import db
from portal.integrations import connectors
from portal.integrations.overview import open_run
from portal.models import (
    OPEN_STATES,
    Integration,
    IntegrationState,
    Phase,
    RunKind,
    RunState,
    SyncRun,
    SyncRunEmployee,
    Tenant,
    Trigger,
    User,
)
from portal.observability import logs
from portal.providers.base import Connector, CursorRefused, EmployeeRecord, Page, ProviderUnavailable, ReconnectNeeded
from portal.providers.registry import connector_class
from portal.runs import delta_runs, employee_store, problems, summary, sync_scope
from portal.runs.lifecycle import ErrorCode, Lifecycle, utcnow
from portal.runs.read_ahead import reading_ahead
from portal.runs.reading_process import ReadPage, reading_in_a_process
from portal.sync import changes
from portal.sync.changes import FullSyncReason
from portal.sync.digest import SyncedRecord, raw_provider_id, split_unchanged, valid_until
from portal.sync.lookup import page_lookup
from portal.sync.outcomes import RunCounts, run_status
from portal.sync.plan import Action, plan_batch
from portal.sync.removals import FetchCompleted, IncompleteFetch, find_external, plan_removals
from portal.sync.scope import SyncScope
from portal.sync.state import LocalState, SyncMode

log = logging.getLogger(__name__)

# A running sync reports after every page; this much silence means its worker died.
STALE_AFTER = timedelta(minutes=10)
# Pages are committed together, at most this long apart: often enough for a progress bar
# polled every second, rarely enough that a resync is not mostly commits. A crash loses
# the pages since the last commit, which the retry applies again.
COMMIT_EVERY_S = 0.5
# A first sync refreshes the planner's statistics each time it has doubled what it created,
# from this many on: a small tenant's first sync leaves it to autovacuum (PostgreSQL
# samples 30,000 rows per ANALYZE, longer than such a whole run).
STATISTICS_AFTER = 1000
STATISTICS_GROWTH = 2
# What the log line at a run's end counts: numbers, never a person.
LOGGED_COUNTS = ("fetched", "created", "updated", "unchanged", "skipped", "failed", "deactivated", "rate_limited")


def _keep_fleet_columns(run: SyncRun) -> None:
    """The fleet page sorts every company's integrations by their last run and failures in a
    row, which it cannot compute from 10,000 histories per view: each run's end keeps them."""
    integration = run.integration
    if integration.last_run_id is not None and integration.last_run_id >= run.id:
        return
    # A partial run went through for everyone but a few: those are open problems, a column
    # of their own; only a run that stopped (an outage, a refused login) counts here.
    failed = run.status == RunState.ERROR
    integration.failed_runs_in_a_row = (integration.failed_runs_in_a_row or 0) + 1 if failed else 0
    integration.last_run_id = run.id


RUNS: Lifecycle[SyncRun] = Lifecycle(
    model=SyncRun,
    job=SYNC_RUN,
    status="status",
    open_states=OPEN_STATES,
    error_state=RunState.ERROR,
    silence_allowed=STALE_AFTER,
    lost_detail="The sync stopped without reporting back (worker lost).",
    on_finish=_keep_fleet_columns,
)
close_after_crash = RUNS.close_after_crash
close_stale_runs = RUNS.close_stale


def request_sync(integration: Integration, trigger: Trigger, user: User | None = None, kind: RunKind = RunKind.FULL) -> SyncRun:
    """Start a sync, or join the one already queued or running for this integration."""
    run = SyncRun(
        tenant_id=integration.tenant_id,
        integration_id=integration.id,
        trigger=trigger,
        kind=kind,
        started_by_id=user.id if user is not None else None,
        status=RunState.QUEUED,
    )
    provider = integration.provider.value
    joined = RUNS.start_or_join(
        lambda: open_run(integration),
        run,
        f"Sync {provider} of tenant {integration.tenant_id}",
        # Slow providers (Liantis) must not get every tenant's sync at once.
        RateLimit(f"provider-{provider}", connector_class(integration.provider).max_concurrent_syncs),
    )
    if kind is RunKind.FULL and joined.kind is RunKind.DELTA:
        delta_runs.widen(joined, trigger, user)
    return joined


def is_sync_of_changes(run_id: int) -> bool:
    """Whether the run, as it is now, reads only the people changed since its cursor."""
    return db.session.execute(select(SyncRun.kind).where(SyncRun.id == run_id)).scalar_one_or_none() is RunKind.DELTA


def execute_run(run_id: int, config: dict) -> None:
    """Carry out one run; safe to call again for the same run after any crash."""
    run = db.session.execute(select(SyncRun).where(SyncRun.id == run_id)).scalar_one_or_none()
    if run is None or not run.status.is_open:
        return
    with (
        tenancy.acting_for(run.tenant_id),
        logs.context(run_id=run.id, integration_id=run.integration_id, provider=run.integration.provider.value),
    ):
        log.info("sync run started")
        started = time.monotonic()
        _execute(run, config)
        counts = {name: getattr(run, name) for name in LOGGED_COUNTS}
        duration_ms = round((time.monotonic() - started) * 1000)
        outcome = {"status": run.status.value, "error_code": run.error_code, "counts": counts, "duration_ms": duration_ms}
        log.info("sync run ended: %s", run.status.value, extra=outcome)


def _execute(run: SyncRun, config: dict) -> None:
    integration = run.integration
    _start(run)
    connector = connectors.for_background_work(integration, config)
    try:
        fetched = _fetch(run, integration, connector)
        changes_only = run.kind is RunKind.DELTA
        run.phase = Phase.FINISHING
        if not changes_only:
            # Shown while the removals are planned; a run of changes plans none.
            db.session.commit()
            fetch = FetchCompleted(frozenset(fetched.seen), fetched.received, fetched.total)
            _apply_removals(run, integration, fetch)
        counts = _counts_from_lines(run, fetched.received, fetched.counts.new_to_review)
        # Not listing someone is not syncing them: a run of changes resolves only the problems of the people it listed.
        problems.reconcile(run, utcnow(), listed=fetched.seen if changes_only else None)
        _finish(run, RunState(run_status(counts, changes_only=changes_only).value), counts=counts)
        delta_runs.move_cursor(integration, fetched.first_answer_at, fetched.scope)
        integration.first_synced_at = integration.first_synced_at or utcnow()
    except ReconnectNeeded as error:
        db.session.rollback()
        integration.state = IntegrationState.RECONNECT_NEEDED
        _finish(run, RunState.ERROR, ErrorCode.RECONNECT_NEEDED, str(error))
    except ProviderUnavailable as error:
        db.session.rollback()
        _finish(run, RunState.ERROR, ErrorCode.PROVIDER_UNAVAILABLE, str(error))
    except IncompleteFetch as error:
        db.session.rollback()
        _finish(run, RunState.ERROR, ErrorCode.INCOMPLETE_FETCH, str(error))
    run.rate_limited += connector.http.rate_limited
    connectors.save_refreshed_credentials(integration, connector.credentials)
    db.session.commit()
    summary.notify_admins(run, integration.tenant.default_language, only_news_of_people=run.kind is RunKind.DELTA)
    db.session.commit()


def _start(run: SyncRun) -> None:
    if run.started_at is not None:
        # A retry after a crash: pages applied before it are now unchanged, and the
        # failures and skips of that attempt will be reported again, so drop them.
        db.session.execute(
            delete(SyncRunEmployee).where(
                SyncRunEmployee.run_id == run.id, SyncRunEmployee.action.in_([Action.FAIL, Action.SKIP])
            )
        )
        run.trigger = Trigger.RETRY
    run.status = RunState.RUNNING
    run.phase = Phase.FETCHING
    run.started_at = run.started_at or utcnow()
    run.heartbeat_at = utcnow()
    run.fetched = 0
    db.session.commit()


@dataclass
class _Fetched:
    """What the run has read so far, page after page."""

    # The settings' fingerprint the run planned under (`SyncScope.fingerprint`, hex).
    scope: str
    seen: set[str] = field(default_factory=set)
    counts: RunCounts = field(default_factory=RunCounts)
    received: int = 0
    total: int | None = None
    created_when_analysed: int = 0
    # The provider's time of its first answer, when it says it: the next cursor.
    first_answer_at: datetime | None = None


def _fetch(run: SyncRun, integration: Integration, connector: Connector) -> _Fetched:
    """A run of changes reads the changes since the cursor, when it can trust it; a full
    run (or one that cannot) reads everyone, and says why it did."""
    # The settings (venues, entities, exclusions) as the engine reads them.
    scope = sync_scope.scope_of(integration)
    if run.kind is RunKind.DELTA:
        since = changes.changes_since(delta_runs.cursor_of(integration), scope.fingerprint.hex(), utcnow())
        if isinstance(since, datetime):
            run.changes_since = since
            try:
                listing = connector.changed_employees(since.replace(tzinfo=UTC))
                fetched = _fetch_and_apply(run, integration, scope, connector, listing, changes_only=True)
            except CursorRefused:
                db.session.rollback()
                since = FullSyncReason.CURSOR_REFUSED
            else:
                # A full sync asked for meanwhile widened the run (`delta_runs.widen`): jobs keep what they read across commits.
                db.session.refresh(run, ["kind", "trigger", "started_by_id"])
                if run.kind is RunKind.DELTA:
                    return fetched
                # With the entities the changes brought in.
                scope = sync_scope.scope_of(integration)
        if isinstance(since, FullSyncReason):
            run.kind = RunKind.FULL
            run.full_sync_reason = since
            db.session.commit()
    return _fetch_and_apply(run, integration, scope, connector, connector.employees())


def _fetch_and_apply(
    run: SyncRun,
    integration: Integration,
    scope: SyncScope,
    connector: Connector,
    listing: Iterator[Page],
    changes_only: bool = False,
) -> _Fetched:
    target = employee_store.SyncTarget.of(integration)
    run_id = run.id
    policies = connector_class(integration.provider).field_policies
    mode = integration.sync_mode or SyncMode.FULL
    # A selective installation's first sync offers everyone, people synced before too
    # (an uninstall forgets the first sync: `activation.uninstall`).
    offer_synced = mode is SyncMode.SELECTIVE and integration.first_synced_at is None
    # A change of the settings changes every record's digest: the first run after it plans everyone.
    fingerprint = scope.fingerprint
    today = date.today()
    fetched = _Fetched(fingerprint.hex())
    committed_at = time.monotonic()
    # What the synced employees remember of their records: everyone's at once, or for a
    # run of changes (a few people of many) only the listed people's, page by page.
    synced = {} if changes_only else employee_store.synced_records(target)
    created = employee_store.CreatedByThisRun(target)
    with _reading(connector, listing, target, synced, today, fingerprint, changes_only) as pages:
        for number, page in enumerate(pages):
            if number == 0:
                fetched.first_answer_at = page.as_of
            split, records = page.split, page.records
            # Never planned, yet listing them again later in the run is a duplicate.
            fetched.seen |= split.unchanged
            scope = sync_scope.with_entities_for(target, scope, records, integration.provider)
            lookup = page_lookup(records, synced.keys(), today, scope)
            state = created.state(lookup)
            plan = plan_batch(
                records, state, policies, today, mode, seen_earlier=fetched.seen, scope=scope, offer_synced=offer_synced
            )
            in_step = {
                r.provider_id: SyncedRecord(split.digests[r.provider_id], valid_until(r, today))
                for r in records
                if isinstance(r, EmployeeRecord) and r.provider_id in split.digests
            }
            written = employee_store.write_decisions(target, run_id, plan.decisions, state, records, utcnow(), in_step, synced)
            created.written(plan, state, written)
            fetched.seen |= plan.seen_provider_ids
            fetched.received += page.received
            fetched.total = page.total
            fetched.counts += plan.counts + RunCounts(unchanged=len(split.unchanged))
            if plan.counts.created and fetched.counts.created >= max(
                STATISTICS_AFTER, STATISTICS_GROWTH * fetched.created_when_analysed
            ):
                employee_store.refresh_statistics()
                fetched.created_when_analysed = fetched.counts.created
            if time.monotonic() - committed_at >= COMMIT_EVERY_S:
                # Set only now: the run's row is flushed before every query of the next
                # page once it changed, and other sessions only see it committed.
                _report_progress(run, fetched.counts, fetched.received, fetched.total)
                db.session.commit()
                committed_at = time.monotonic()
    _report_progress(run, fetched.counts, fetched.received, fetched.total)
    db.session.commit()
    return fetched


def _reading(
    connector: Connector,
    listing: Iterator[Page],
    target: employee_store.SyncTarget,
    synced: dict[str, SyncedRecord],
    today: date,
    fingerprint: bytes,
    changes_only: bool,
) -> AbstractContextManager[Iterator[ReadPage]]:
    """The provider's pages, split and read. A run of everyone reads them in a process of
    its own; a run of changes lists a few people, and looks up what each page's people
    remember as the page comes, so it reads them in a thread."""

    def read_page(page: Page, seen: set[str]) -> ReadPage:
        split = split_unchanged(page.raw, synced, today, seen, fingerprint)
        records = [page.read(page.raw[position]) for position in split.to_plan]
        seen |= split.unchanged
        seen.update(record.provider_id for record in records if record.provider_id is not None)
        return ReadPage(split, records, len(page.raw), page.total, page.as_of)

    if not changes_only:
        return reading_in_a_process(listing, connector, read_page)

    def remembering(page: Page) -> Page:
        listed = {provider_id for raw in page.raw if (provider_id := raw_provider_id(raw)) is not None}
        synced.update(employee_store.synced_records(target, listed))
        return page

    @contextmanager
    def in_a_thread() -> Iterator[Iterator[ReadPage]]:
        seen: set[str] = set()
        with reading_ahead(listing) as pages:
            yield (read_page(remembering(page), seen) for page in pages)

    return in_a_thread()


def _report_progress(run: SyncRun, counts: RunCounts, received: int, total: int | None) -> None:
    run.fetched = received
    run.total = total
    for name in ("created", "updated", "unchanged", "skipped", "failed", "new_to_review"):
        setattr(run, name, getattr(counts, name))
    run.heartbeat_at = utcnow()


def _apply_removals(run: SyncRun, integration: Integration, fetch: FetchCompleted) -> None:
    target = employee_store.SyncTarget.of(integration)
    unlisted = employee_store.unlisted_employees(target, fetch.seen_provider_ids)
    removals = plan_removals(fetch, unlisted, employee_store.moved_between_entities(run.id))
    if removals:
        employee_store.write_decisions(target, run.id, removals, LocalState(tuple(unlisted)), [], utcnow())
    if integration.first_synced_at is None:
        externals = find_external(fetch, employee_store.unmatched_local_employees(), first_sync=True)
        employee_store.mark_external(e.local_id for e in externals)
    db.session.commit()


def _counts_from_lines(run: SyncRun, received: int, new_to_review: int) -> RunCounts:
    """The run's counts from its per-employee lines, so a resumed run counts every page once."""
    by_action = dict(
        db.session.execute(
            select(SyncRunEmployee.action, func.count()).where(SyncRunEmployee.run_id == run.id).group_by(SyncRunEmployee.action)
        ).all()
    )
    counted = sum(by_action.get(a, 0) for a in (Action.CREATE, Action.UPDATE, Action.SKIP, Action.FAIL))
    return RunCounts(
        created=by_action.get(Action.CREATE, 0),
        updated=by_action.get(Action.UPDATE, 0),
        unchanged=max(received - counted, 0),
        skipped=by_action.get(Action.SKIP, 0),
        failed=by_action.get(Action.FAIL, 0),
        deactivated=by_action.get(Action.DEACTIVATE, 0),
        new_to_review=new_to_review,
    )


def _finish(
    run: SyncRun,
    status: RunState,
    error_code: ErrorCode | None = None,
    detail: str | None = None,
    counts: RunCounts | None = None,
) -> None:
    RUNS.finish(run, status, error_code, detail)
    run.phase = Phase.DONE
    if counts is not None:
        for name in ("created", "updated", "unchanged", "skipped", "failed", "deactivated", "new_to_review"):
            setattr(run, name, getattr(counts, name))


def _active_integrations() -> Select[Any]:
    return (
        select(Integration)
        .join(Tenant, Tenant.id == Integration.tenant_id)
        # A deactivated company keeps its data as it was: nobody syncs it any more.
        .where(Integration.state == IntegrationState.ACTIVE, Integration.available.is_(True), Tenant.deactivated_at.is_(None))
    )


def nightly_integration_ids() -> list[int]:
    """Every active integration of every company still with us, as the night's syncs take them."""
    return list(db.session.execute(_active_integrations().with_only_columns(Integration.id).order_by(Integration.id)).scalars())


def request_nightly_syncs(integration_ids: Collection[int] | None = None) -> list[SyncRun]:
    """A sync for each of these integrations (all of the night's by default) still active;
    the per-provider rate limit spreads them."""
    active = _active_integrations()
    if integration_ids is not None:
        active = active.where(Integration.id.in_(integration_ids))
    return [request_sync(integration, Trigger.NIGHTLY) for integration in list(db.session.execute(active).scalars())]


def request_delta_syncs(now: datetime | None = None) -> list[SyncRun]:
    """A sync of the changes for every active integration due one (`delta_runs.due`); an
    integration with a run still open joins it: nothing new starts."""
    due = delta_runs.due(_active_integrations(), now or utcnow())
    return [request_sync(integration, Trigger.INTERVAL, kind=RunKind.DELTA) for integration in due]
