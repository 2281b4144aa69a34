"""What an admin changed in an activated integration's set-up, as audit entries: one per
field that changed, values as the admin chose them (names, not IDs), never a secret.

The wizard's first choices are not changes: they belong to the activation's own entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from portal.accounts import audit
from portal.extensions import db
from portal.models import AuditAction, Entity, Integration, User
from portal.runs.sync_scope import INACTIVE, VENUES

SYNC_MODE = "sync_mode"
# How often the changes are synced between two nightly syncs (minutes; None: off).
DELTA_EVERY_MINUTES = "delta_every_minutes"
# Connexie's venues are mapped one by one: each venue is a field of its own.
VENUE = "venue"


def record_settings(
    integration: Integration, old: Mapping[str, Any], new: Mapping[str, Any], by: User, names: Mapping[str, str] | None = None
) -> None:
    """One entry per field that differs between `old` and `new` (as `Integration.settings`
    holds them, or `{SYNC_MODE: …}`). `names`: the provider's venues or entities by ID, as
    the configure step listed them."""
    if integration.activated_at is None:
        return
    for detail in settings_changes(old, new, names or {}):
        _record(integration, by, detail)


def record_secrets(integration: Integration, old: Mapping[str, Any], new: Mapping[str, Any], by: User) -> None:
    """A new API token on an activated integration: the entry says it changed, never what it is."""
    if integration.activated_at is None:
        return
    for field in sorted(new):
        if new[field] != old.get(field):
            _record(integration, by, {"field": field, "changed": True})


def _record(integration: Integration, by: User, detail: dict[str, Any]) -> None:
    audit.record(AuditAction.INTEGRATION_SETTING_CHANGED, by, integration.provider.value, integration.tenant_id, detail=detail)


def settings_changes(old: Mapping[str, Any], new: Mapping[str, Any], names: Mapping[str, str]) -> list[dict[str, Any]]:
    changes = []
    for field in sorted(set(old) | set(new)):
        if field == VENUES:
            changes += _venue_changes(old.get(field) or {}, new.get(field) or {}, names)
            continue
        before, after = _readable(old.get(field), names), _readable(new.get(field), names)
        if before != after:
            changes.append({"field": field, "old": before, "new": after})
    return changes


def _readable(value: Any, names: Mapping[str, str]) -> str | None:
    """Lists (entities, excluded employees) in one text, in order, so a new order is no change."""
    if value is None:
        return None
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(names.get(str(item), str(item)) for item in value)) or None
    return str(value)


def _venue_changes(old: Mapping[str, str], new: Mapping[str, str], names: Mapping[str, str]) -> list[dict[str, Any]]:
    entities = _entity_names({*old.values(), *new.values()} - {INACTIVE})
    changes = []
    for venue in sorted(set(old) | set(new), key=lambda venue: names.get(venue, venue)):
        if old.get(venue) != new.get(venue):
            changes.append(
                {
                    "field": VENUE,
                    "item": names.get(venue, venue),
                    "old": _mapped_to(old.get(venue), entities),
                    "new": _mapped_to(new.get(venue), entities),
                }
            )
    return changes


def _mapped_to(value: str | None, entities: Mapping[str, str]) -> str | None:
    # Inactive stays a code, for the reader's language; an entity by the name it has now.
    if value is None or value == INACTIVE:
        return value
    return entities.get(value, value)


def _entity_names(ids: set[str]) -> dict[str, str]:
    numbers = [int(value) for value in ids if value and value.isdigit()]
    if not numbers:
        return {}
    return {
        str(entity_id): name
        for entity_id, name in db.session.execute(select(Entity.id, Entity.name).where(Entity.id.in_(numbers)))
    }
