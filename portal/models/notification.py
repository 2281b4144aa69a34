from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.sync_run import SyncRun
from portal.tenancy import TenantScoped


class Notification(TenantScoped, db.Model):
    """An in-app message for a tenant's admins, e.g. the summary after a sync run."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # Where the notification leads, e.g. the sync run it summarises.
    link: Mapped[str | None] = mapped_column(String(500))
    # A sync summary is rendered from its run, in the reader's language; title and body
    # keep the text as it was written, for anything else and as a fallback.
    sync_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    read_at: Mapped[datetime | None]

    sync_run: Mapped[SyncRun | None] = relationship()
