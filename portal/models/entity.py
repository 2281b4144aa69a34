from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.tenancy import TenantScoped

# An entity's name, as the admin types it or the provider sends it.
NAME_MAX_LENGTH = 200


class Entity(TenantScoped, db.Model):
    """A part of the company on the platform (a venue, a site): employees belong to one.

    The admin adds and names them (the entities page) and maps Connexie's venues onto
    them; for the provider entities nobody maps (the generic HR system's ticked entities,
    Securex and Liantis) the sync makes one, named as the provider names it, that the
    admin may rename.
    """

    __tablename__ = "entities"
    __table_args__ = (UniqueConstraint("integration_id", "provider_ref", name="uq_entities_integration_provider_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    # Set for an entity made for a provider's entity: which integration, and its ID there.
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id", name="fk_entities_integration_id"))
    provider_ref: Mapped[str | None] = mapped_column(String(100))
