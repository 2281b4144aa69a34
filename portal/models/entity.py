from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.tenancy import TenantScoped


class Entity(TenantScoped, db.Model):
    """A part of the company on the platform (a venue, a site): Connexie venues map onto these."""

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
