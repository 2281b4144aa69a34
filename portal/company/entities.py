"""The company's entities (venues, sites) as its HR admin sees and names them.

Employees belong to one; Connexie's venues are mapped onto them in the settings, and
the sync names one after each provider entity synced without a mapping (the generic HR
system's ticked entities, Securex's and Liantis's), which the admin may rename here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Employee, Entity, Integration
from portal.models.entity import NAME_MAX_LENGTH
from portal.providers.base import Provider
from portal.texts.providers import PROVIDERS


class NameTaken(Exception):
    """Another entity of the company already has this name."""


@dataclass(frozen=True, slots=True)
class EntityRow:
    entity: Entity
    # How many active employees belong to it.
    employees: int
    # The provider whose entity the sync named it after; None when the admin added it.
    provider: Provider | None


def entity_rows() -> list[EntityRow]:
    """Every entity with its number of active employees and where it comes from, in one query."""
    counts = (
        select(Employee.entity_id, func.count().label("employees"))
        .where(Employee.active.is_(True), Employee.entity_id.is_not(None))
        .group_by(Employee.entity_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Entity, func.coalesce(counts.c.employees, 0), Integration.provider)
        .outerjoin(counts, counts.c.entity_id == Entity.id)
        .outerjoin(Integration, Integration.id == Entity.integration_id)
        .order_by(Entity.name, Entity.id)
    ).all()
    return [EntityRow(entity, employees, provider) for entity, employees, provider in rows]


def told_apart(entities: Iterable[tuple[int, str, Provider | None]]) -> dict[int, str]:
    """Entity id -> its name as the admin reads it; where another has the same name (a
    provider's entity the sync named like one of yours), with where each comes from, so no
    two read alike in a choice or in a change from one to the other."""
    entities = list(entities)
    names = Counter(name.casefold() for _id, name, _provider in entities)

    def origin(provider: Provider | None) -> str:
        return PROVIDERS[provider].name if provider else _("added by you")

    return {
        entity_id: f"{name} ({origin(provider)})" if names[name.casefold()] > 1 else name
        for entity_id, name, provider in entities
    }


def labels_of(entity_ids: set[int]) -> dict[int, str]:
    """The labels (`told_apart`) of these entities, told apart from every other of the company."""
    if not entity_ids:
        return {}
    rows = db.session.execute(
        select(Entity.id, Entity.name, Integration.provider).outerjoin(Integration, Integration.id == Entity.integration_id)
    ).all()
    return {entity_id: label for entity_id, label in told_apart(rows).items() if entity_id in entity_ids}


def _check_free(name: str, entity: Entity | None = None) -> str:
    """The name as stored (spaces tidied), unless another entity of the company has it."""
    name = " ".join(name.split())[:NAME_MAX_LENGTH]
    same_name = select(Entity.id).where(func.lower(Entity.name) == name.lower())
    if entity is not None:
        same_name = same_name.where(Entity.id != entity.id)
    if db.session.execute(same_name).first() is not None:
        raise NameTaken(name)
    return name


def add_entity(name: str) -> Entity:
    entity = Entity(name=_check_free(name))
    db.session.add(entity)
    db.session.commit()
    return entity


def rename_entity(entity: Entity, name: str) -> None:
    entity.name = _check_free(name, entity)
    db.session.commit()


def name_provider_entities(integration: Integration, places: Iterable[tuple[str, str]]) -> None:
    """A local entity for each (ID, name) of the provider's entities the admin chose to
    sync, named as the provider names it, unless one was made for it before (and maybe
    renamed since): the sync then files their people under it."""
    places = list(places)
    known = set(
        db.session.execute(
            select(Entity.provider_ref).where(
                Entity.integration_id == integration.id, Entity.provider_ref.in_([ref for ref, _ in places])
            )
        ).scalars()
    )
    db.session.add_all(
        Entity(
            tenant_id=integration.tenant_id,
            integration_id=integration.id,
            provider_ref=ref,
            name=(name.strip() or ref)[:NAME_MAX_LENGTH],
        )
        for ref, name in places
        if ref not in known
    )
