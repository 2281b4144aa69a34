from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class LoginFailure(db.Model):
    """One failed log-in, kept for the rate-limit window only (see `portal/accounts/login_limit.py`).

    In the database rather than Redis so log-in keeps its limit when Redis is down, and
    every web worker process counts the same failures.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<lower-cased e-mail> <client IP>": one person guessing from one place.
    attempt_key: Mapped[str] = mapped_column(String(320), index=True)
    failed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
