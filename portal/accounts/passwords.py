"""Passwords: chosen with a set-password link, forgotten and reset, changed; a new password ends every other session."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from portal import mail
from portal.accounts import account_mail, audit, links, login_limit, users
from portal.extensions import db
from portal.models import AuditAction, LinkPurpose, SetPasswordLink, User

MIN_LENGTH = 10


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie of the user stops working at its next request."""
    user.session_version += 1


def set_with_link(link: SetPasswordLink, password: str) -> User:
    """The link's user gets the password; the link is used up and other sessions end."""
    user = link.user
    at = datetime.utcnow()
    user.set_password(password)
    user.activated_at = user.activated_at or at
    link.used_at = at
    end_sessions(user)
    action = AuditAction.PASSWORD_CHANGED if link.purpose is LinkPurpose.RESET else AuditAction.PASSWORD_SET
    audit.record(action, user, user.email, user.tenant_id)
    db.session.commit()
    return user


def change(user: User, new_password: str) -> None:
    user.set_password(new_password)
    end_sessions(user)
    audit.record(AuditAction.PASSWORD_CHANGED, user, user.email, user.tenant_id)
    db.session.commit()


def reset_key(email: str, client_ip: str | None) -> str:
    return "reset " + login_limit.attempt_key(email, client_ip)


class TooManyResets(Exception):
    """More reset requests for this address from this place than the log-in limit allows."""


def request_reset(email: str, client_ip: str | None) -> None:
    """E-mails a one-hour link when the address belongs to someone with access; does
    nothing visible otherwise. Every request counts towards the limit, known address or not,
    so the answer (and the limit) tells nobody whether an address has a login."""
    key, now = reset_key(email, client_ip), datetime.utcnow()
    if login_limit.is_blocked(key, now):
        raise TooManyResets(email)
    login_limit.record_failure(key, now)
    user = users.user_with_email(email)
    if user is None or not user.is_active:
        return
    issued = links.issue(user, LinkPurpose.RESET, by=None)
    audit.record(AuditAction.PASSWORD_RESET_REQUESTED, None, user.email, user.tenant_id, via=audit.RESET_FORM)
    db.session.commit()
    try:
        account_mail.send_reset(user, user.tenant, issued.url)
    except mail.MailUnavailable:
        current_app.logger.warning("password reset for user %s not delivered", user.id, exc_info=True)
        return
    issued.link.sent_at = datetime.utcnow()
    db.session.commit()
