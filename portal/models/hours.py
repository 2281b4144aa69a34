from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.employee import Employee
from portal.models.types import enum_column
from portal.models.user import User
from portal.tenancy import TenantScoped


class WorkedShift(TenantScoped, db.Model):
    """One shift an employee worked: the hours register the Connexie export reads."""

    __tablename__ = "worked_shifts"
    __table_args__ = (
        # A CSV imported twice updates its shifts instead of doubling them.
        UniqueConstraint("employee_id", "day", "starts_at"),
        Index("ix_worked_shifts_period", "tenant_id", "day", "employee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    day: Mapped[date]
    starts_at: Mapped[time]
    # Earlier than `starts_at` for a shift that ends after midnight.
    ends_at: Mapped[time]
    break_minutes: Mapped[int] = mapped_column(default=0)
    meals: Mapped[int] = mapped_column(default=0)
    # In euro: Connexie books an allowance as an amount under the mapped code.
    allowance_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    approved: Mapped[bool] = mapped_column(default=False)
    exported_at: Mapped[datetime | None]
    export_id: Mapped[int | None] = mapped_column(ForeignKey("hours_exports.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())

    employee: Mapped[Employee] = relationship()

    @property
    def changed_since_export(self) -> bool:
        return self.exported_at is not None and self.updated_at > self.exported_at


class ExportState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    # Connexie refused some lines (e.g. a code deactivated at Connexie since the mapping).
    PARTIAL = "partial"
    ERROR = "error"

    @property
    def is_open(self) -> bool:
        return self in OPEN_EXPORT_STATES


OPEN_EXPORT_STATES = (ExportState.QUEUED, ExportState.RUNNING)


class HoursExport(TenantScoped, db.Model):
    """One export of one month's hours to Connexie: who asked, how far it got, how it ended."""

    __tablename__ = "hours_exports"
    __table_args__ = (Index("ix_hours_exports_key", "export_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[ExportState] = mapped_column(enum_column(ExportState), default=ExportState.QUEUED)
    # The same key for every export of this period: Connexie replaces instead of adding.
    export_key: Mapped[str] = mapped_column(String(200))
    shifts_total: Mapped[int] = mapped_column(default=0)
    shifts_marked: Mapped[int] = mapped_column(default=0)
    lines_sent: Mapped[int] = mapped_column(default=0)
    lines_accepted: Mapped[int] = mapped_column(default=0)
    lines_rejected: Mapped[int] = mapped_column(default=0)
    # Connexie's own refusals, [{"index", "reason"}, …], to show the admin what did not book.
    rejected: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(String(50))
    error_detail: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[User | None] = relationship()

    @property
    def is_running(self) -> bool:
        return self.status is ExportState.RUNNING

    @property
    def last_heard_of(self) -> datetime:
        return self.started_at or self.created_at
