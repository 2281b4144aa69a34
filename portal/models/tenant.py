from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class Tenant(db.Model):
    """A client company of the platform; every piece of HR data belongs to one."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Stored normalised, e.g. "BE0123456749"; None until the admin fills it in.
    vat_number: Mapped[str | None] = mapped_column(String(20))
    default_language: Mapped[str] = mapped_column(String(2), default="nl")
    # Migrating customers must use selective sync (PRODUCT.md, sync modes).
    migrating: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Deactivated by customer success: nobody of the company can log in; its data stays.
    deactivated_at: Mapped[datetime | None]
    # Every HR admin of the company signs in with a second factor (customer success always do).
    two_factor_required: Mapped[bool] = mapped_column(default=False, server_default="0")
    # When two integrations list the same person (same e-mail), the one the admin chose
    # syncs them; None until chosen, and then whoever synced the person first keeps them.
    shared_people_master_id: Mapped[int | None] = mapped_column(
        ForeignKey("integrations.id", name="fk_tenants_shared_people_master_id", use_alter=True, ondelete="SET NULL")
    )
