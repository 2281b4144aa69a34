"""The integration's settings as the sync engine reads them: one plain `SyncScope` per run.

Connexie: every venue is mapped to one of the company's entities or set to Inactive
(a venue left out of the mapping, e.g. one added at Connexie since, syncs nobody until
it is mapped). Generic HR system: only the ticked entities are synced, and the excluded
employee IDs or numbers never are. The provider entities synced without a mapping get a
local entity of their own: the HR system's ticked ones when the settings are saved
(`portal.company.entities.name_provider_entities`, named as the HR system names them),
any other (Securex's, Liantis's, one added at the provider since) here, the first time
a run meets it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select

from portal.extensions import db
from portal.models import Entity, Integration
from portal.models.entity import NAME_MAX_LENGTH
from portal.providers.base import EmployeeRecord, Provider, RecordError
from portal.runs.employee_store import SyncTarget
from portal.sync.outcomes import Reason
from portal.sync.scope import SyncScope, exclusion_key

# `Integration.settings`, as the configure step saves it (portal/web/integration_forms.py).
VENUES = "venues"
ENTITIES = "entities"
EXCLUSIONS = "exclusions"
# A Connexie venue not used on the platform: its team members are not synced.
INACTIVE = "inactive"
# How an entity the sync makes is named when the provider sends no name for it (stored
# data, in no one language: the admin renames it on the entities page).
UNNAMED_ENTITY = {
    Provider.SECUREX: "Securex",
    Provider.LIANTIS: "Liantis",
    Provider.CONNEXIE: "Connexie",
    Provider.HRIS: "HR system",
}


def scope_of(integration: Integration) -> SyncScope:
    """Who this integration's next run syncs, and into which local entity, from its settings
    and the company's choice of master for the people two integrations list."""
    takes_over = integration.tenant.shared_people_master_id == integration.id
    return replace(_settings_scope(integration), takes_over_shared_people=takes_over)


def _settings_scope(integration: Integration) -> SyncScope:
    settings: dict[str, Any] = integration.settings or {}
    excluded = frozenset(exclusion_key(str(item)) for item in settings.get(EXCLUSIONS) or () if str(item).strip())
    if integration.provider is Provider.CONNEXIE:
        return _connexie_scope(settings.get(VENUES) or {}, excluded)
    created = _entities_made_for(integration.id)
    if integration.provider is Provider.HRIS and settings.get(ENTITIES) is not None:
        ticked = frozenset(str(ref) for ref in settings[ENTITIES])
        return SyncScope(only=ticked, unlisted_reason=Reason.ENTITY_NOT_SYNCED, excluded=excluded, created=created)
    return SyncScope(excluded=excluded, created=created)


def _connexie_scope(venues: dict[str, Any], excluded: frozenset[str]) -> SyncScope:
    # Only this company's entities (the query is scoped to the tenant): a mapping that
    # names anything else maps nothing, and its venue syncs nobody.
    own = set(db.session.execute(select(Entity.id)).scalars())
    mapped: dict[str, int] = {}
    left_out: dict[str, Reason] = {}
    for venue, choice in venues.items():
        if choice == INACTIVE:
            left_out[str(venue)] = Reason.VENUE_INACTIVE
        elif str(choice).isdigit() and int(choice) in own:
            mapped[str(venue)] = int(choice)
    return SyncScope(
        mapped=mapped, left_out=left_out, only=frozenset(mapped), unlisted_reason=Reason.VENUE_NOT_MAPPED, excluded=excluded
    )


def _entities_made_for(integration_id: int) -> dict[str, int]:
    return {
        ref: entity_id
        for ref, entity_id in db.session.execute(
            select(Entity.provider_ref, Entity.id).where(Entity.integration_id == integration_id)
        ).all()
        if ref is not None
    }


def with_entities_for(
    target: SyncTarget, scope: SyncScope, records: Sequence[EmployeeRecord | RecordError], provider: Provider
) -> SyncScope:
    """The scope, with a local entity for every provider entity of this page's people in
    scope that has none yet: one INSERT and one read, and only when the page names a new
    entity (on a first sync, or when the provider adds one)."""
    wanted = entities_to_make(scope, records, provider)
    if not wanted:
        return scope
    db.session.execute(
        insert(Entity.__table__),
        [
            {"tenant_id": target.tenant_id, "integration_id": target.integration_id, "provider_ref": ref, "name": name}
            for ref, name in wanted.items()
        ],
    )
    made = db.session.execute(
        select(Entity.provider_ref, Entity.id).where(
            Entity.integration_id == target.integration_id, Entity.provider_ref.in_(list(wanted))
        )
    ).all()
    return scope.with_created({ref: entity_id for ref, entity_id in made if ref is not None})


def entities_to_make(scope: SyncScope, records: Sequence[EmployeeRecord | RecordError], provider: Provider) -> dict[str, str]:
    """Provider entity ref -> the name of the local entity a run makes for it, for this
    page's people in scope whose provider entity has none yet.

    Named as the provider names the entity when it sends a name (Securex); otherwise
    (Liantis) "<provider> <n>" in order of appearance, for the admin to rename: an
    entity is never shown by the provider's ID."""
    known = len(scope.created)
    return {
        ref: (name or f"{UNNAMED_ENTITY[provider]} {known + number}")[:NAME_MAX_LENGTH]
        for number, (ref, name) in enumerate(sorted(scope.entities_to_create(records).items()), start=1)
    }
