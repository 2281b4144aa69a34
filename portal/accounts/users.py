"""The people who log in to the portal: HR admins and customer success staff."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User


def user_with_email(email: str) -> User | None:
    # Log-ins ignore case and surrounding spaces, as people type their address.
    return db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()


def save_language(user: User, language: str) -> None:
    """The language the user picked, so their next log-in starts in it."""
    user.language = language
    db.session.commit()
