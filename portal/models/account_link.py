from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import enum_column
from portal.models.user import User


class LinkPurpose(enum.StrEnum):
    # An HR admin invited by customer success or a colleague: 72 hours.
    INVITATION = "invitation"
    # The first password of a staff member made on the command line: 72 hours.
    FIRST_PASSWORD = "first_password"
    # "Forgot your password?": one hour.
    RESET = "reset"


class SetPasswordLink(db.Model):
    """One e-mailed or printed link that lets one user choose a password, once, for a while.

    Only a keyed hash of the link's token is stored: a database leak opens no account.
    """

    __tablename__ = "set_password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    # None while the mail server could not be reached: resend.
    sent_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    # A newer link, a revoked invitation or removed access makes this one useless.
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def is_open(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at
