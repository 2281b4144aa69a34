"""What an integration is at any moment, for the cards, the wizards and the console.

Plain functions over the models: routes call these, and so do the jobs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from croniter import croniter
from sqlalchemy import select

from portal import tenancy
from portal.accounts import audit
from portal.extensions import db
from portal.integrations import selection
from portal.models import AuditAction, AuditEntry, Integration, IntegrationState, RunState, SyncRun, User
from portal.providers.base import Provider
from portal.sync.state import SyncMode


class CardState(enum.StrEnum):
    NOT_AVAILABLE = "not_available"
    AVAILABLE = "available"
    ACTIVE = "active"
    # Active, but the last run ended in Error.
    ERROR = "error"
    RECONNECT_NEEDED = "reconnect_needed"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Card:
    provider: Provider
    state: CardState
    integration: Integration | None
    last_run: SyncRun | None
    open_run: SyncRun | None
    next_nightly_run: datetime | None
    # Selective sync: people offered since the admin last saved the selection window.
    to_review: int = 0


def integrations_by_provider() -> dict[Provider, Integration]:
    return {i.provider: i for i in db.session.execute(select(Integration)).scalars()}


def integration_for(provider: Provider) -> Integration | None:
    return db.session.execute(select(Integration).where(Integration.provider == provider)).scalar_one_or_none()


def last_run(integration: Integration) -> SyncRun | None:
    return db.session.execute(
        select(SyncRun)
        .where(SyncRun.integration_id == integration.id, SyncRun.status.not_in([RunState.QUEUED, RunState.RUNNING]))
        .order_by(SyncRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_run(integration: Integration) -> SyncRun | None:
    return db.session.execute(
        select(SyncRun).where(SyncRun.integration_id == integration.id, SyncRun.status.in_([RunState.QUEUED, RunState.RUNNING]))
    ).scalar_one_or_none()


def next_nightly_run(cron_expression: str, now: datetime) -> datetime:
    return croniter(cron_expression, now).get_next(datetime)


def card_for(provider: Provider, integration: Integration | None, nightly_cron: str, now: datetime) -> Card:
    if integration is None or not integration.available:
        return Card(provider, CardState.NOT_AVAILABLE, integration, None, None, None)
    finished = last_run(integration)
    running = open_run(integration)
    match integration.state:
        case IntegrationState.AVAILABLE:
            state = CardState.AVAILABLE
        case IntegrationState.DISABLED:
            state = CardState.DISABLED
        case IntegrationState.RECONNECT_NEEDED:
            state = CardState.RECONNECT_NEEDED
        case _:
            state = CardState.ERROR if finished is not None and finished.status is RunState.ERROR else CardState.ACTIVE
    nightly = next_nightly_run(nightly_cron, now) if state in (CardState.ACTIVE, CardState.ERROR) else None
    to_review = selection.to_review_count(integration) if integration.sync_mode is SyncMode.SELECTIVE else 0
    return Card(provider, state, integration, finished, running, nightly, to_review)


def set_availability(tenant_id: int, provider: Provider, available: bool, changed_by: User) -> Integration:
    """Customer success switches a provider on or off for one company, with an audit entry.

    Switching off an activated integration disables it: synced employees stay.
    """
    with tenancy.acting_for(tenant_id):
        integration = integration_for(provider)
        if integration is None:
            integration = Integration(provider=provider, available=available, settings={})
            db.session.add(integration)
        elif integration.available == available:
            return integration
        integration.available = available
        if not available and integration.is_activated:
            integration.state = IntegrationState.DISABLED
        action = AuditAction.INTEGRATION_MADE_AVAILABLE if available else AuditAction.INTEGRATION_MADE_UNAVAILABLE
        audit.record(action, changed_by, provider.value, tenant_id)
        db.session.commit()
        return integration


AVAILABILITY_CHANGES = (AuditAction.INTEGRATION_MADE_AVAILABLE, AuditAction.INTEGRATION_MADE_UNAVAILABLE)


def availability_history(tenant_id: int, limit: int = 50) -> list[AuditEntry]:
    """Who at customer success switched which provider on or off (the subject), newest first."""
    return audit.entries_for(tenant_id, AVAILABILITY_CHANGES, limit)
