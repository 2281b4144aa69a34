"""The people who log in to the portal: HR admins and customer success staff."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, func, select

from portal.accounts import links
from portal.extensions import db
from portal.models import RecoveryCode, User

# What a person can type as an address; the mail server says the rest.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalised_email(email: str) -> str:
    return email.strip().lower()


def looks_like_email(email: str) -> bool:
    return len(email) <= 254 and bool(EMAIL.match(email))


def user_with_email(email: str) -> User | None:
    # Log-ins ignore case and surrounding spaces, as people type their address.
    return db.session.execute(select(User).where(func.lower(User.email) == normalised_email(email))).scalar_one_or_none()


def save_language(user: User, language: str) -> None:
    """The language the user picked, so their next log-in starts in it."""
    user.language = language
    db.session.commit()


def deactivate(user: User, at: datetime) -> None:
    """No more log-ins, no session, no working link; the row stays for the audit trail."""
    user.deactivated_at = at
    user.session_version += 1
    links.revoke_open_links(user)


def start_over(user: User) -> None:
    """Back to an invited user who has yet to choose a password and a second factor."""
    user.deactivated_at = None
    user.password_hash = ""
    user.activated_at = None
    user.totp = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.session_version += 1
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
