from __future__ import annotations

import enum

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

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

    tenant: Mapped[Tenant | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_customer_success(self) -> bool:
        return self.role is Role.CUSTOMER_SUCCESS
