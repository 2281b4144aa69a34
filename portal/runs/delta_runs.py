"""Syncs of the changes only: which integrations are due one, where the last complete run
left the cursor, and a full sync asked for while one is open.

The rules of the cursor are plain functions (`portal.sync.changes`); this module keeps
the cursor on the integration. `sync_runs` carries the runs out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import aliased

from portal import tenancy
from portal.extensions import db
from portal.models import OPEN_STATES, Integration, RunKind, SyncRun, Trigger, User
from portal.providers.registry import CONNECTORS
from portal.sync import changes

# The providers whose connector lists only the people changed since a moment.
PROVIDERS_LISTING_CHANGES = frozenset(provider for provider, connector in CONNECTORS.items() if connector.supports_delta)


def due(active: Select[Any], now: datetime) -> list[Integration]:
    """Of the `active` integrations, those whose provider lists changes, whose admin left
    the syncs of changes on, and whose newest run (of any kind) was queued at least their
    interval ago."""
    # The newest run of each integration, found by the history index (tenant, integration, id).
    earlier = aliased(SyncRun)
    newest = (
        select(func.max(earlier.id))
        .where(earlier.tenant_id == Integration.tenant_id, earlier.integration_id == Integration.id)
        .correlate(Integration)
        .scalar_subquery()
    )
    candidates = db.session.execute(
        active.add_columns(SyncRun.queued_at)
        .outerjoin(SyncRun, SyncRun.id == newest)
        .where(Integration.provider.in_(sorted(PROVIDERS_LISTING_CHANGES)), Integration.delta_every_minutes.is_not(None))
    ).all()
    return [
        integration
        for integration, last_queued_at in candidates
        if last_queued_at is None or now - last_queued_at >= timedelta(minutes=integration.delta_every_minutes)
    ]


def widen(run: SyncRun, trigger: Trigger, user: User | None) -> None:
    """A full sync asked for while a sync of changes is open makes that run a full one: it
    lists everyone once its changes are applied (`sync_runs._fetch`). Joining it as it
    was would skip the night's full sync, the one that finds removals."""
    with tenancy.acting_for(run.tenant_id):
        db.session.execute(
            update(SyncRun)
            .where(SyncRun.id == run.id, SyncRun.status.in_(OPEN_STATES))
            .values(kind=RunKind.FULL, trigger=trigger, started_by_id=user.id if user is not None else None),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
        db.session.refresh(run)


def cursor_of(integration: Integration) -> changes.Cursor | None:
    if integration.delta_cursor is None or integration.delta_cursor_scope is None:
        return None
    return changes.Cursor(integration.delta_cursor, integration.delta_cursor_scope)


def move_cursor(integration: Integration, first_answer_at: datetime | None, scope: str) -> None:
    """A complete run, full or of changes: the next sync of changes starts from its first
    answer (on the provider's clock); the caller commits."""
    cursor = changes.next_cursor(first_answer_at.astimezone(UTC).replace(tzinfo=None) if first_answer_at else None, scope)
    if cursor is not None:
        integration.delta_cursor = cursor.since
        integration.delta_cursor_scope = cursor.scope
