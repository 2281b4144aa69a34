from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedJSON
from portal.extensions import db
from portal.models.tenant import Tenant
from portal.models.types import enum_column
from portal.models.user import User
from portal.providers.base import Provider
from portal.sync.state import SyncMode
from portal.tenancy import TenantScoped


class IntegrationState(enum.StrEnum):
    # Made available by customer success; the admin has not activated it (yet).
    AVAILABLE = "available"
    ACTIVE = "active"
    # The provider refused our grant (revoked, invalid): the admin must connect again.
    RECONNECT_NEEDED = "reconnect_needed"
    # Switched off by the admin; synced employees stay as they are.
    DISABLED = "disabled"


DEFAULT_DELTA_EVERY_MINUTES = 15


class Integration(TenantScoped, db.Model):
    """One provider for one company: whether CS made it available, and how it is set up."""

    __tablename__ = "integrations"
    __table_args__ = (UniqueConstraint("tenant_id", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[Provider] = mapped_column(enum_column(Provider))
    available: Mapped[bool] = mapped_column(default=False)
    state: Mapped[IntegrationState] = mapped_column(enum_column(IntegrationState), default=IntegrationState.AVAILABLE)
    sync_mode: Mapped[SyncMode | None] = mapped_column(enum_column(SyncMode))
    provider_company_id: Mapped[str | None] = mapped_column(String(100))
    provider_company_name: Mapped[str | None] = mapped_column(String(200))
    # Read only when used (a sync, the wizard): every page that shows an integration
    # would otherwise decrypt its secrets.
    credentials: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, deferred=True)
    # Provider-specific set-up: venue and code mapping, synced entities, exclusions.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    activated_at: Mapped[datetime | None]
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    first_synced_at: Mapped[datetime | None]
    # Kept by every run's end for the fleet page, which sorts 10,000 companies by them:
    # the last finished run, and how many finished runs in a row ended in Error or Partial.
    last_run_id: Mapped[int | None] = mapped_column(index=True)
    failed_runs_in_a_row: Mapped[int] = mapped_column(default=0, server_default="0")
    # Providers that list changes: a sync of the changes every this many minutes, None
    # when the admin switched it off (the nightly full sync still runs).
    delta_every_minutes: Mapped[int | None] = mapped_column(default=DEFAULT_DELTA_EVERY_MINUTES, server_default="15")
    # Where the next sync of changes starts, on the provider's clock (UTC), and the
    # fingerprint of the settings it was reached under (`portal.sync.changes`).
    delta_cursor: Mapped[datetime | None]
    delta_cursor_scope: Mapped[str | None] = mapped_column(String(32))

    activated_by: Mapped[User | None] = relationship()
    tenant: Mapped[Tenant] = relationship(foreign_keys="Integration.tenant_id")

    @property
    def is_activated(self) -> bool:
        return self.state in (IntegrationState.ACTIVE, IntegrationState.RECONNECT_NEEDED)
