"""Activating an integration: where the wizard stands, the checks, and what each step stores.

Plain functions over the models; the wizard pages (portal/web/activation.py) and the
settings tab call them. The wizard keeps no state of its own: its step is read from
what is stored, so an admin who leaves to fix the VAT number comes back to the same step.
"""

from __future__ import annotations

import enum
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, update

from portal.accounts import audit
from portal.company import entities
from portal.company.vat import InvalidVat, VatProblem, normalise_belgian_vat
from portal.extensions import db
from portal.integrations import connectors, selection, setting_changes
from portal.models import (
    AuditAction,
    Employee,
    Integration,
    IntegrationState,
    RunState,
    SelectionEntry,
    SyncRun,
    Tenant,
    Trigger,
    User,
)
from portal.providers.base import (
    ActivationError,
    ActivationProblem,
    CompanyInfo,
    Credentials,
    Provider,
    ProviderError,
)
from portal.runs import preview_store, sync_runs, sync_scope
from portal.runs.lifecycle import ServiceUnavailable
from portal.sync.state import SyncMode

log = logging.getLogger(__name__)

# Securex and Liantis find the company by its VAT number (seeds: "op basis van het BTW nummer").
VAT_PROVIDERS = frozenset({Provider.SECUREX, Provider.LIANTIS})
# Connexie and the generic HR system need a choice of venues or entities before they can sync.
CONFIGURED_PROVIDERS = frozenset({Provider.CONNEXIE, Provider.HRIS})


class Step(enum.StrEnum):
    CONNECT = "connect"
    # Liantis only: consent was given, the company lookup has not succeeded yet.
    FIND_COMPANY = "find_company"
    CONFIGURE = "configure"
    MODE = "mode"
    # The mode is chosen: what the first sync would do, before anything is written.
    PREVIEW = "preview"


@dataclass(frozen=True)
class Problem:
    """Why a step failed, in terms the page can turn into a message and a fix."""

    problem: ActivationProblem
    vat_number: str | None = None
    vat_problem: VatProblem | None = None
    # For internal errors: what the admin quotes to support, and what support finds in the log.
    reference: str | None = None


class ActivationFailed(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.problem)
        self.problem = problem


def current_step(integration: Integration) -> Step:
    # `find_company` stores the company (an empty id for token providers) only on success.
    if integration.provider_company_id is None:
        consented = integration.provider is Provider.LIANTIS and integration.credentials
        return Step.FIND_COMPANY if consented else Step.CONNECT
    if integration.state is IntegrationState.RECONNECT_NEEDED:
        return Step.CONNECT
    if integration.provider in CONFIGURED_PROVIDERS and not integration.settings:
        return Step.CONFIGURE
    # Chosen, not yet active: a mode is only stored that early for the preview to use it.
    return Step.MODE if integration.sync_mode is None else Step.PREVIEW


def wizard_steps(integration: Integration) -> list[Step]:
    """The steps the wizard's indicator names, in order. Liantis's company lookup is part of Connect."""
    if integration.state is IntegrationState.RECONNECT_NEEDED and integration.sync_mode is not None:
        # A reconnect asks for the connection alone: `connected` ends the wizard there.
        return [Step.CONNECT]
    configure = [Step.CONFIGURE] if integration.provider in CONFIGURED_PROVIDERS else []
    return [Step.CONNECT, *configure, Step.MODE, Step.PREVIEW]


def connected(integration: Integration) -> bool:
    """After a successful connect: True when that was a reconnect and nothing else is asked."""
    if integration.state is IntegrationState.RECONNECT_NEEDED and integration.sync_mode is not None:
        integration.state = IntegrationState.ACTIVE
        db.session.commit()
        return True
    return False


def company_vat(tenant: Tenant) -> str:
    """The VAT number from Company details, normalised, or `ActivationFailed` saying what is wrong."""
    try:
        return normalise_belgian_vat(tenant.vat_number)
    except InvalidVat as error:
        problem = ActivationProblem.MISSING_VAT if error.problem is VatProblem.MISSING else ActivationProblem.INVALID_VAT
        raise ActivationFailed(Problem(problem, tenant.vat_number, error.problem)) from None


def internal_error(integration: Integration, detail: str) -> ActivationFailed:
    reference = secrets.token_hex(4).upper()
    log.error(
        "activation failed: reference=%s provider=%s tenant=%s detail=%s",
        reference,
        integration.provider.value,
        integration.tenant_id,
        detail,
    )
    return ActivationFailed(Problem(ActivationProblem.INTERNAL_ERROR, reference=reference))


def ask_provider(integration: Integration, credentials: Credentials, call: str) -> Any:
    """Call one connector method; every failure becomes an `ActivationFailed` the page can explain."""
    try:
        return getattr(connectors.for_wizard(integration, credentials, current_app.config), call)()
    except ActivationError as error:
        if error.problem is ActivationProblem.INTERNAL_ERROR:
            raise internal_error(integration, error.detail) from error
        raise ActivationFailed(Problem(error.problem, credentials.vat_number)) from error
    except ProviderError as error:
        raise internal_error(integration, f"{type(error).__name__}: {error}") from error
    except Exception as error:  # an unexpected answer must still end in a page with a reference
        log.exception("activation call %s failed", call)
        raise internal_error(integration, f"{type(error).__name__}: {error}") from error


def find_company(integration: Integration, tenant: Tenant, by: User, secret: dict[str, Any] | None = None) -> CompanyInfo:
    """Ask the provider which company this is; store it, and the secret that worked, only on success."""
    credentials = connectors.credentials_of(integration)
    if integration.provider in VAT_PROVIDERS:
        credentials.vat_number = company_vat(tenant)
    for key, value in (secret or {}).items():
        setattr(credentials, key, value)
    company = ask_provider(integration, credentials, "find_company")
    if secret is not None:
        setting_changes.record_secrets(integration, integration.credentials or {}, secret, by)
        integration.credentials = secret
    connectors.save_refreshed_credentials(integration, credentials)
    integration.provider_company_id = company.provider_company_id
    integration.provider_company_name = company.name
    # Maybe another account now: its changes since the old cursor are not everyone's.
    integration.delta_cursor = None
    db.session.commit()
    return company


def token_credentials(access_token: str, refresh_token: str | None, expires_at: float | None) -> dict[str, Any]:
    return {"access_token": access_token, "refresh_token": refresh_token, "expires_at": expires_at}


def store_consent(integration: Integration, token: dict[str, Any]) -> None:
    """Liantis consent given: keep the tokens (encrypted), and forget any earlier company."""
    integration.credentials = token_credentials(token["access_token"], token.get("refresh_token"), token.get("expires_at"))
    integration.provider_company_id = None
    integration.provider_company_name = None
    db.session.commit()


def provider_choices(integration: Integration, tenant: Tenant, call: str) -> list[Any]:
    """Venues, codes or entities straight from the provider, for the configure step."""
    return list(ask_provider(integration, connectors.credentials_of(integration), call))


def company_entities() -> list[entities.EntityRow]:
    """The company's entities, that the configure step maps Connexie's venues onto, with where each comes from."""
    return entities.entity_rows()


def save_settings(integration: Integration, settings: dict[str, Any], by: User, listed: Iterable[Any] = ()) -> None:
    """The configure step's choices; the next sync uses them. `listed`: Connexie's venues or
    the HR system's entities as the step listed them (`id`, `name`), for the audit log; each
    HR system entity ticked gets a local entity named after it, which its people belong to once synced."""
    listed = list(listed)
    setting_changes.record_settings(integration, integration.settings or {}, settings, by, {i.id: i.name for i in listed})
    integration.settings = settings
    if integration.provider is Provider.HRIS:
        ticked = set(settings.get(sync_scope.ENTITIES) or ())
        entities.name_provider_entities(integration, [(e.id, e.name) for e in listed if e.id in ticked])
    db.session.commit()
    preview_store.discard(integration)


def allowed_modes(tenant: Tenant) -> tuple[SyncMode, ...]:
    # Migrating customers must use selective sync, or people excluded in their old
    # flex plan would suddenly be synced (Liantis seed, "Important for migration customers").
    return (SyncMode.SELECTIVE,) if tenant.migrating else (SyncMode.FULL, SyncMode.SELECTIVE)


def choose_mode(integration: Integration, mode: SyncMode) -> None:
    """The admin chose the sync mode: the wizard previews the first sync in that mode.
    Nothing is active yet; without Redis the preview step says so and offers to try again."""
    integration.sync_mode = mode
    db.session.commit()
    try:
        preview_store.start(integration)
    except ServiceUnavailable:
        log.warning("preview of integration %s not started: Redis unavailable", integration.id)


def back_to_settings(integration: Integration) -> None:
    """From the preview back to the settings: the mode is chosen again, and previewed again."""
    integration.sync_mode = None
    db.session.commit()
    preview_store.discard(integration)


def finish(integration: Integration, user: User) -> SyncRun | None:
    """The admin saw the preview and starts the first sync: the integration is active and
    the first sync starts in the mode chosen. Its run, read again so its state is the
    latest; None when the sync service could not take it (the nightly run will)."""
    integration.state = IntegrationState.ACTIVE
    integration.activated_at = datetime.now()
    integration.activated_by_id = user.id
    audit.record(
        AuditAction.INTEGRATION_ACTIVATED,
        user,
        integration.provider.value,
        integration.tenant_id,
        detail={"field": setting_changes.SYNC_MODE, "new": integration.sync_mode.value if integration.sync_mode else None},
    )
    db.session.commit()
    preview_store.discard(integration)
    try:
        run = sync_runs.request_sync(integration, Trigger.MANUAL, user)
    except ServiceUnavailable:
        return None
    # A worker may have taken it, or even finished it, since it was queued.
    db.session.refresh(run)
    return run


def change_mode(integration: Integration, mode: SyncMode, by: User) -> int:
    """Applies to people the provider shows from now on; redoing the selection of existing
    employees means uninstalling and re-installing (seed: "alleen voor toekomstige medewerkers").

    From selective to full: the people still waiting for review were never decided on,
    so they are future employees like any other and the next sync brings them in (their
    entries go: nothing points them to a selection window full sync does not have). The
    people the admin left out stay out. Returns how many were waiting.
    """
    released = 0
    if mode is SyncMode.FULL and integration.sync_mode is SyncMode.SELECTIVE:
        released = selection.to_review_count(integration)
        db.session.execute(
            delete(SelectionEntry).where(SelectionEntry.integration_id == integration.id, SelectionEntry.reviewed_at.is_(None))
        )
    old = integration.sync_mode.value if integration.sync_mode else None
    setting_changes.record_settings(integration, {setting_changes.SYNC_MODE: old}, {setting_changes.SYNC_MODE: mode.value}, by)
    integration.sync_mode = mode
    db.session.commit()
    preview_store.discard(integration)
    return released


class SyncStart(enum.StrEnum):
    """What became of the sync a saved selection asks for."""

    STARTED = "started"
    # Already under way: people on pages it has not reached yet are picked up by it.
    RUNNING = "running"
    UNAVAILABLE = "unavailable"
    # Disabled, or waiting for a reconnect: nothing is synced until then.
    NOT_ACTIVE = "not_active"


@dataclass(frozen=True)
class SelectionSaved:
    selected: int
    offered: int
    sync: SyncStart


def save_selection(
    integration: Integration,
    user: User,
    shown_ids: Iterable[int] = (),
    chosen_ids: Iterable[int] = (),
    select_all: bool = False,
    search: str = "",
) -> SelectionSaved:
    """The admin saved the selection window: record the choice and start the sync that
    brings the chosen people in (or join the one under way), so the choice does something."""
    if select_all:
        selection.select_all(integration, search)
    else:
        selection.save_choice(integration, list(shown_ids), list(chosen_ids))
    return SelectionSaved(
        selection.selected_count(integration), selection.offered_count(integration), start_sync(integration, user)
    )


def start_sync(integration: Integration, user: User) -> SyncStart:
    if integration.state is not IntegrationState.ACTIVE:
        return SyncStart.NOT_ACTIVE
    try:
        run = sync_runs.request_sync(integration, Trigger.MANUAL, user)
    except ServiceUnavailable:
        return SyncStart.UNAVAILABLE
    return SyncStart.RUNNING if run.status is RunState.RUNNING else SyncStart.STARTED


def set_delta_interval(integration: Integration, minutes: int | None, by: User) -> None:
    """How often the changes are synced between two nightly syncs; None switches it off."""
    setting_changes.record_settings(
        integration,
        {setting_changes.DELTA_EVERY_MINUTES: integration.delta_every_minutes},
        {setting_changes.DELTA_EVERY_MINUTES: minutes},
        by,
    )
    integration.delta_every_minutes = minutes
    db.session.commit()


def disable(integration: Integration, by: User) -> None:
    _set_state(integration, IntegrationState.DISABLED, AuditAction.INTEGRATION_DISABLED, by)


def enable(integration: Integration, by: User) -> None:
    _set_state(integration, IntegrationState.ACTIVE, AuditAction.INTEGRATION_ENABLED, by)


def _set_state(integration: Integration, state: IntegrationState, action: AuditAction, by: User) -> None:
    if integration.state is not state:
        integration.state = state
        audit.record(action, by, integration.provider.value, integration.tenant_id)
    db.session.commit()


def uninstall(integration: Integration, by: User) -> None:
    """Back to "available": the next activation starts the wizard and offers a new selection.

    Synced employees stay; only the connection and its choices go, and with them what
    the earlier installation's syncs remember: the next first sync is a first sync again
    (in selective mode it offers everyone the provider lists, people synced before too),
    and it plans every record instead of counting the ones it synced before unchanged.
    """
    db.session.execute(delete(SelectionEntry).where(SelectionEntry.integration_id == integration.id))
    db.session.execute(
        update(Employee)
        .where(Employee.integration_id == integration.id)
        .values(synced_record_digest=None, synced_record_valid_until=None)
    )
    integration.first_synced_at = None
    integration.delta_cursor = None
    integration.state = IntegrationState.AVAILABLE
    integration.credentials = None
    integration.settings = {}
    integration.sync_mode = None
    integration.provider_company_id = None
    integration.provider_company_name = None
    integration.activated_at = None
    integration.activated_by_id = None
    audit.record(AuditAction.INTEGRATION_UNINSTALLED, by, integration.provider.value, integration.tenant_id)
    db.session.commit()
