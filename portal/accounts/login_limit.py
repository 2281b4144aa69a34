"""Failed log-ins are limited per e-mail address and client IP: a password cannot be
guessed faster than MAX_FAILURES tries per WINDOW, while the same person elsewhere, or
a colleague behind the same IP, can still log in."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.models import LoginFailure

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def attempt_key(email: str, client_ip: str | None) -> str:
    return f"{email.strip().lower()} {client_ip or '-'}"[:320]


def is_blocked(key: str, now: datetime) -> bool:
    recent = db.session.execute(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.attempt_key == key, LoginFailure.failed_at > now - WINDOW)
    ).scalar_one()
    return recent >= MAX_FAILURES


def record_failure(key: str, now: datetime) -> None:
    # Old rows are of no use to any window: dropping them here keeps the table small.
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - WINDOW))
    db.session.add(LoginFailure(attempt_key=key, failed_at=now))
    db.session.commit()


def clear_failures(key: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.attempt_key == key))
    db.session.commit()
