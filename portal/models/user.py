from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.crypto import EncryptedJSON
from portal.extensions import db
from portal.models.tenant import Tenant


class Role(enum.StrEnum):
    HR_ADMIN = "hr_admin"
    CUSTOMER_SUCCESS = "customer_success"


class User(UserMixin, db.Model):
    """Someone who logs in to the portal: an HR admin of one tenant, or CS staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32))
    # None for customer success, who work across all tenants.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(2))
    # Seeded by the demo only; a production start refuses to run while any exist.
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Set when the user first chose a password (an invitation accepted): "has access since".
    activated_at: Mapped[datetime | None]
    # Access removed (by a colleague, customer success or the operator); the row stays for the audit trail.
    deactivated_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Part of the session's login id: raising it (a new password, removed access) ends every session.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # {"secret": <base32>} once two-factor sign-in is enrolled; encrypted like provider credentials.
    totp: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON, deferred=True)
    totp_enabled_at: Mapped[datetime | None]
    # The last time step whose code was accepted: a code seen once is never accepted again.
    totp_last_step: Mapped[int | None]

    tenant: Mapped[Tenant | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        # An invited user has no password until they follow their link: nothing matches "".
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def is_active(self) -> bool:
        """Flask-Login's check: removed people and the people of a deactivated company are out."""
        return self.deactivated_at is None and (self.tenant is None or self.tenant.deactivated_at is None)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        # The session remembers the version it was made with; see `portal.security.load_user`.
        return f"{self.id}:{self.session_version}"

    @property
    def is_customer_success(self) -> bool:
        return self.role is Role.CUSTOMER_SUCCESS
