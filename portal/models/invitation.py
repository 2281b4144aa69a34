from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.tenancy import TenantScoped


class Invitation(TenantScoped, db.Model):
    """One invitation e-mail to the platform; a resend replaces the open one."""

    __tablename__ = "invitations"
    __table_args__ = (
        # With the tenant every query carries, so SQLite, which has no statistics, prefers this
        # to the tenant's index and the employees list does not read every invitation per row.
        Index("ix_invitations_employee_id", "employee_id", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    # Only the SHA-256 of the link's token: a database leak must not open accounts.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(2))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    # None while the mail server could not be reached: the admin resends.
    sent_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    replaced_at: Mapped[datetime | None]

    def is_open(self, now: datetime) -> bool:
        return self.used_at is None and self.replaced_at is None and now < self.expires_at


class EmployeeAccount(TenantScoped, db.Model):
    """The employee's own login on the platform, made when they accept an invitation."""

    __tablename__ = "employee_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    activated_at: Mapped[datetime] = mapped_column(server_default=func.now())
