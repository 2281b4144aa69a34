"""Set-password links: a random token for one user, used once, for a while.

Only an HMAC of the token, keyed with the app's secret and bound to the user's id, is
stored: a database leak opens no account, and a token moved to another user's link is
worth nothing. A new link makes the user's earlier links useless.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import LinkPurpose, SetPasswordLink, User

VALID_FOR = {
    LinkPurpose.INVITATION: timedelta(hours=72),
    LinkPurpose.FIRST_PASSWORD: timedelta(hours=72),
    LinkPurpose.RESET: timedelta(hours=1),
}


def now() -> datetime:
    return datetime.utcnow()


def _hash(user_id: int, token: str) -> str:
    key = hashlib.sha256(b"flexsync set-password link " + current_app.config["SECRET_KEY"].encode()).digest()
    return hmac.new(key, f"{user_id}:{token}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    link: SetPasswordLink
    url: str


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL on FLEXSYNC_URL, never on the request's Host header: a link in an
    e-mail must not point wherever a forged request says."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def revoke_open_links(user: User) -> None:
    db.session.execute(
        update(SetPasswordLink)
        .where(SetPasswordLink.user_id == user.id, SetPasswordLink.used_at.is_(None), SetPasswordLink.revoked_at.is_(None))
        .values(revoked_at=now()),
        execution_options={"synchronize_session": False},
    )


def issue(user: User, purpose: LinkPurpose, by: User | None) -> IssuedLink:
    """A new link for the user (flushed, not committed); every earlier link stops working."""
    revoke_open_links(user)
    token, at = secrets.token_urlsafe(32), now()
    link = SetPasswordLink(
        user_id=user.id,
        token_hash=_hash(user.id, token),
        purpose=purpose,
        created_by_id=by.id if by else None,
        created_at=at,
        expires_at=at + VALID_FOR[purpose],
    )
    db.session.add(link)
    db.session.flush()
    return IssuedLink(link, public_url("accounts.set_password", user_id=user.id, token=token))


def open_link(user_id: int, token: str) -> SetPasswordLink | None:
    """The link behind a URL if it still works: not expired, used, revoked, altered or moved
    to another user, and its user still has access. Each of those answers None alike."""
    if len(token) > 100:
        return None
    link = db.session.execute(
        select(SetPasswordLink).where(SetPasswordLink.token_hash == _hash(user_id, token))
    ).scalar_one_or_none()
    if link is None or link.user_id != user_id or not link.is_open(now()) or not link.user.is_active:
        return None
    return link


def latest_link(user: User) -> SetPasswordLink | None:
    return db.session.execute(
        select(SetPasswordLink).where(SetPasswordLink.user_id == user.id).order_by(SetPasswordLink.id.desc()).limit(1)
    ).scalar_one_or_none()
