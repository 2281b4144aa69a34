"""Sync runs: start or join one, carry it out page by page, close it with its outcome.

`request_sync` is what "Sync now" and the nightly schedule call; `execute_run` is what
the worker runs. The rules themselves live in `portal/sync` (plain functions); the
rows are read and written by `portal/employee_store`.
"""
from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from queue import Full, Queue

from flask import current_app
from redis.exceptions import RedisError
from rq import Retry
from rq.job import Job, JobStatus
from rq.rate_limit import RateLimit
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from portal import employee_store, run_summary, tenancy
from portal.extensions import db
from portal.integrations import open_run
from portal.models import Integration, IntegrationState, Phase, RunState, SyncRun, SyncRunEmployee, Trigger, User
from portal.providers.base import Connector, Credentials, EmployeeRecord, Page, ProviderUnavailable, ReconnectNeeded
from portal.providers.http import HttpSettings
from portal.providers.registry import connector_class, connector_for, options_from_config
from portal.queue import SYNC_QUEUE, queue, redis_connection
from portal.sync.digest import SyncedRecord, split_unchanged, valid_until
from portal.sync.outcomes import RunCounts, run_status
from portal.sync.plan import Action, plan_batch
from portal.sync.removals import FetchCompleted, IncompleteFetch, find_external, plan_removals
from portal.sync.state import LocalState, SyncMode
from portal.token_guard import IntegrationTokenGuard

log = logging.getLogger(__name__)

# Longer than any sane run of 50,000 employees; a run that stops reporting is closed sooner.
JOB_TIMEOUT_SECONDS = 3600
# A running sync reports after every page; this much silence means its worker died.
STALE_AFTER = timedelta(minutes=10)
JOB_RETRIES = 3
# Pages are committed together, at most this long apart: often enough for a progress bar
# polled every second, rarely enough that a resync is not mostly commits. A crash loses
# the pages since the last commit, which the retry applies again.
COMMIT_EVERY_S = 0.5
# How often the read-ahead thread checks whether the run still wants its page.
HANDOFF_POLL_S = 0.5
# A first sync refreshes the planner's statistics each time it has doubled what it created,
# from this many on: a small tenant's first sync leaves it to autovacuum (PostgreSQL
# samples 30,000 rows per ANALYZE, longer than such a whole run).
STATISTICS_AFTER = 1000
STATISTICS_GROWTH = 2


class SyncServiceUnavailable(Exception):
    """Redis cannot take the job: the admin is asked to try again, nothing is half-started."""


class ErrorCode:
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    RECONNECT_NEEDED = "reconnect_needed"
    INCOMPLETE_FETCH = "incomplete_fetch"
    WORKER_LOST = "worker_lost"
    INTERNAL = "internal"


def job_id(run: SyncRun) -> str:
    return f"sync-run-{run.id}"


def utcnow() -> datetime:
    return datetime.utcnow()


def request_sync(integration: Integration, trigger: Trigger, user: User | None = None) -> SyncRun:
    """Start a sync, or join the one already queued or running for this integration."""
    with tenancy.acting_for(integration.tenant_id):
        if (running := open_run(integration)) is not None:
            if not _is_stale(running):
                return running
            close_as_lost(running)
        run = SyncRun(
            tenant_id=integration.tenant_id,
            integration_id=integration.id,
            trigger=trigger,
            started_by_id=user.id if user is not None else None,
            status=RunState.QUEUED,
        )
        db.session.add(run)
        try:
            db.session.commit()
        except IntegrityError:
            # Someone else opened a run a moment ago: join theirs (the partial unique index).
            db.session.rollback()
            joined = open_run(integration)
            if joined is None:
                raise
            return joined
        try:
            _enqueue(run, integration)
        except RedisError as error:
            db.session.delete(run)
            db.session.commit()
            raise SyncServiceUnavailable(str(error)) from error
        return run


def _enqueue(run: SyncRun, integration: Integration) -> None:
    provider_limit = connector_class(integration.provider).max_concurrent_syncs
    queue(SYNC_QUEUE).enqueue(
        "jobs.sync.run_sync",
        run.id,
        job_id=job_id(run),
        job_timeout=JOB_TIMEOUT_SECONDS,
        retry=Retry(max=JOB_RETRIES),
        # Slow providers (Liantis) must not get every tenant's sync at once.
        rate_limit=RateLimit(f"provider-{integration.provider.value}", provider_limit),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        description=f"Sync {integration.provider.value} of tenant {integration.tenant_id} (run {run.id})",
    )


def _job_state(run: SyncRun) -> JobStatus | None:
    try:
        job = Job.fetch(job_id(run), connection=queue().connection)
    except Exception:  # noqa: BLE001 - a missing or unreadable job means nobody runs it
        return None
    return job.get_status(refresh=False)


def _is_stale(run: SyncRun) -> bool:
    if run.status is RunState.RUNNING and run.heartbeat_at is not None and utcnow() - run.heartbeat_at > STALE_AFTER:
        return True
    if utcnow() - (run.heartbeat_at or run.queued_at) < timedelta(seconds=30):
        return False
    try:
        state = _job_state(run)
    except RedisError:
        return False
    return state in (None, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def close_as_lost(run: SyncRun) -> None:
    _finish(run, RunState.ERROR, ErrorCode.WORKER_LOST, "The sync stopped without reporting back (worker lost).")
    db.session.commit()


def close_after_crash(run_id: int, detail: str) -> None:
    """The last attempt of a run crashed: close it now rather than wait for the stale check."""
    run = db.session.execute(select(SyncRun).where(SyncRun.id == run_id)).scalar_one_or_none()
    if run is not None and run.status.is_open:
        with tenancy.acting_for(run.tenant_id):
            _finish(run, RunState.ERROR, ErrorCode.INTERNAL, detail)
            db.session.commit()


def close_stale_runs() -> int:
    """Runs nobody carries out any more are closed as Error, never left 'running' forever."""
    closed = 0
    open_runs = db.session.execute(select(SyncRun).where(SyncRun.status.in_([RunState.QUEUED, RunState.RUNNING]))).scalars()
    for run in list(open_runs):
        if _is_stale(run):
            with tenancy.acting_for(run.tenant_id):
                close_as_lost(run)
            closed += 1
    return closed


def credentials_of(integration: Integration) -> Credentials:
    stored = dict(integration.credentials or {})
    return Credentials(
        provider_company_id=integration.provider_company_id,
        vat_number=integration.tenant.vat_number,
        api_token=stored.get("api_token"),
        access_token=stored.get("access_token"),
        refresh_token=stored.get("refresh_token"),
        expires_at=stored.get("expires_at"),
    )


def save_refreshed_credentials(integration: Integration, credentials: Credentials) -> None:
    if not credentials.changed:
        return
    integration.credentials = {
        **(integration.credentials or {}),
        "access_token": credentials.access_token,
        "refresh_token": credentials.refresh_token,
        "expires_at": credentials.expires_at,
    }
    credentials.changed = False


def connector_of(integration: Integration, config: dict) -> Connector:
    options = options_from_config(integration.provider, config)
    if config["SYNC_PAGE_SIZE"]:
        options["page_size"] = config["SYNC_PAGE_SIZE"]
    if connector_class(integration.provider).rotates_tokens:
        options["token_guard"] = IntegrationTokenGuard(integration.id, redis_connection())
    return connector_for(
        integration.provider,
        config["PROVIDER_URLS"][integration.provider.value],
        credentials_of(integration),
        http=HttpSettings(**config["PROVIDER_HTTP"]),
        **options,
    )


def execute_run(run_id: int, config: dict) -> None:
    """Carry out one run; safe to call again for the same run after any crash."""
    run = db.session.execute(select(SyncRun).where(SyncRun.id == run_id)).scalar_one_or_none()
    if run is None or not run.status.is_open:
        return
    with tenancy.acting_for(run.tenant_id):
        _execute(run, config)


def _execute(run: SyncRun, config: dict) -> None:
    integration = run.integration
    _start(run)
    connector = connector_of(integration, config)
    try:
        fetched = _fetch_and_apply(run, integration, connector)
        run.phase = Phase.FINISHING
        db.session.commit()
        fetch = FetchCompleted(frozenset(fetched.seen), fetched.received, fetched.total)
        _apply_removals(run, integration, fetch)
        counts = _counts_from_lines(run, fetched.received, fetched.counts.new_to_review)
        _finish(run, RunState(run_status(counts).value), counts=counts)
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
    save_refreshed_credentials(integration, connector.credentials)
    db.session.commit()
    run_summary.notify_admins(run, integration.tenant.default_language)
    db.session.commit()


def _start(run: SyncRun) -> None:
    if run.started_at is not None:
        # A retry after a crash: pages applied before it are now unchanged, and the
        # failures and skips of that attempt will be reported again, so drop them.
        db.session.execute(
            delete(SyncRunEmployee).where(SyncRunEmployee.run_id == run.id, SyncRunEmployee.action.in_([Action.FAIL, Action.SKIP]))
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

    seen: set[str] = field(default_factory=set)
    counts: RunCounts = field(default_factory=RunCounts)
    received: int = 0
    total: int | None = None
    created_when_analysed: int = 0


def _fetch_and_apply(run: SyncRun, integration: Integration, connector: Connector) -> _Fetched:
    target = employee_store.SyncTarget.of(integration)
    run_id = run.id
    policies = connector.field_policies
    mode = integration.sync_mode or SyncMode.FULL
    today = date.today()
    fetched = _Fetched()
    committed_at = time.monotonic()
    synced = employee_store.synced_records(target)
    with reading_ahead(connector.employees()) as pages:
        for page in pages:
            split = split_unchanged(page.raw, synced, today, fetched.seen)
            # Never planned, yet listing them again later in the run is a duplicate.
            fetched.seen |= split.unchanged
            records = [page.read(page.raw[position]) for position in split.to_plan]
            state = employee_store.load_state(target, records, synced.keys(), today)
            plan = plan_batch(records, state, policies, today, mode, seen_earlier=fetched.seen)
            in_step = {r.provider_id: SyncedRecord(split.digests[r.provider_id], valid_until(r, today))
                       for r in records if isinstance(r, EmployeeRecord) and r.provider_id in split.digests}
            employee_store.write_decisions(target, run_id, plan.decisions, state, records, utcnow(), in_step, synced)
            fetched.seen |= plan.seen_provider_ids
            fetched.received += len(page.raw)
            fetched.total = page.total
            fetched.counts += plan.counts + RunCounts(unchanged=len(split.unchanged))
            if plan.counts.created and fetched.counts.created >= max(STATISTICS_AFTER, STATISTICS_GROWTH * fetched.created_when_analysed):
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


@contextmanager
def reading_ahead(pages: Iterator[Page]) -> Iterator[Iterator[Page]]:
    """The provider's next page is fetched, in a thread, while this one is written.

    Pages come out in order, each once; an error of the provider is raised where its
    page would have come, after every page before it. The thread has its own app
    context (its own database session) and the caller's tenant; a run that stops early
    lets it go at its next page.
    """
    app = current_app._get_current_object()
    handoff: Queue[tuple[Page | None, BaseException | None]] = Queue(maxsize=1)
    stopping = threading.Event()

    def hand_over(item: tuple[Page | None, BaseException | None]) -> bool:
        while not stopping.is_set():
            try:
                handoff.put(item, timeout=HANDOFF_POLL_S)
                return True
            except Full:
                continue
        return False

    def fetch() -> None:
        with app.app_context():
            try:
                for page in pages:
                    if not hand_over((page, None)):
                        return
                hand_over((None, None))
            except BaseException as error:  # noqa: BLE001 - handed to the run, raised there
                hand_over((None, error))

    def handed_over() -> Iterator[Page]:
        while True:
            page, error = handoff.get()
            if error is not None:
                raise error
            if page is None:
                return
            yield page

    threading.Thread(target=contextvars.copy_context().run, args=(fetch,), name="provider-read-ahead", daemon=True).start()
    try:
        yield handed_over()
    finally:
        stopping.set()


def _report_progress(run: SyncRun, counts: RunCounts, received: int, total: int | None) -> None:
    run.fetched = received
    run.total = total
    for name in ("created", "updated", "unchanged", "skipped", "failed", "new_to_review"):
        setattr(run, name, getattr(counts, name))
    run.heartbeat_at = utcnow()


def _apply_removals(run: SyncRun, integration: Integration, fetch: FetchCompleted) -> None:
    target = employee_store.SyncTarget.of(integration)
    unlisted = employee_store.unlisted_employees(target, fetch.seen_provider_ids)
    removals = plan_removals(fetch, unlisted)
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


def _finish(run: SyncRun, status: RunState, error_code: str | None = None, detail: str | None = None, counts: RunCounts | None = None) -> None:
    run.status = status
    run.phase = Phase.DONE
    run.finished_at = utcnow()
    run.error_code = error_code
    run.error_detail = detail
    if counts is not None:
        for name in ("created", "updated", "unchanged", "skipped", "failed", "deactivated", "new_to_review"):
            setattr(run, name, getattr(counts, name))


def request_nightly_syncs() -> list[SyncRun]:
    """Every active integration of every tenant; the per-provider rate limit spreads them."""
    active = db.session.execute(select(Integration).where(Integration.state == IntegrationState.ACTIVE, Integration.available.is_(True))).scalars()
    return [request_sync(integration, Trigger.NIGHTLY) for integration in list(active)]
