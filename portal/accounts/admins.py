"""A company's HR admins: who has access and since when, invitations (sent, resent,
revoked) and removing someone's access. Customer success and the company's own admins
act through the same functions.

`User` holds staff too, so it is not tenant-scoped: every lookup here names the company.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.accounts import account_mail, audit, links, users
from portal.extensions import db
from portal.models import AuditAction, LinkPurpose, Role, Tenant, User


class AdminStatus(enum.StrEnum):
    ACTIVE = "active"
    # Invited; the link may have expired, then a resend helps.
    INVITED = "invited"
    INVITATION_EXPIRED = "invitation_expired"


@dataclass(frozen=True)
class AdminRow:
    user: User
    status: AdminStatus
    # Access since (active) or invited at (pending).
    since: datetime | None
    invited_by: str | None


class CannotInvite(Exception):
    """The address is not an e-mail address, or another login already uses it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CannotRemove(Exception):
    """Nobody removes their own access, and a company keeps at least one admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def admin_of(tenant: Tenant, user_id: int) -> User | None:
    """An HR admin of this company with access or an invitation; None for anyone else."""
    return db.session.execute(
        select(User).where(
            User.id == user_id, User.tenant_id == tenant.id, User.role == Role.HR_ADMIN, User.deactivated_at.is_(None)
        )
    ).scalar_one_or_none()


def _admins(tenant: Tenant) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(User.tenant_id == tenant.id, User.role == Role.HR_ADMIN, User.deactivated_at.is_(None))
            .order_by(func.lower(User.email))
        ).scalars()
    )


def _row(user: User, now: datetime) -> AdminRow:
    if user.has_password:
        return AdminRow(user, AdminStatus.ACTIVE, user.activated_at, None)
    link = links.latest_link(user)
    inviter = link.created_by if link else None
    status = AdminStatus.INVITED if link and link.is_open(now) else AdminStatus.INVITATION_EXPIRED
    return AdminRow(user, status, link.created_at if link else None, (inviter.name or inviter.email) if inviter else None)


def admins_page(tenant: Tenant) -> list[AdminRow]:
    now = links.now()
    return [_row(user, now) for user in _admins(tenant)]


def active_admin_count(tenant: Tenant) -> int:
    return sum(1 for user in _admins(tenant) if user.has_password)


def invite(tenant: Tenant, email: str, name: str, by: User) -> User:
    """Makes (or gives back) the admin's login and e-mails a 72-hour set-password link in
    the company's language. Committed before sending: a mail server that is down loses
    nothing, a resend delivers it. Raises `CannotInvite`, or `mail.MailUnavailable` after committing."""
    address = users.normalised_email(email)
    if not users.looks_like_email(address):
        raise CannotInvite("not_an_email")
    user = users.user_with_email(address)
    if user is None:
        user = User(email=address, name=name.strip(), role=Role.HR_ADMIN, tenant_id=tenant.id, password_hash="")
        db.session.add(user)
        db.session.flush()
    elif user.tenant_id != tenant.id or user.role is not Role.HR_ADMIN:
        raise CannotInvite("taken")
    elif user.deactivated_at is None and user.has_password:
        raise CannotInvite("already_admin")
    else:
        # Removed earlier, or invited and never came: a fresh start.
        users.start_over(user)
        user.name = name.strip() or user.name
    user.invited_by_id = by.id
    audit.record(AuditAction.ADMIN_INVITED, by, address, tenant.id)
    return _send(user, tenant, by)


def resend(tenant: Tenant, user: User, by: User) -> User:
    """A new link (the earlier one stops working). Raises `mail.MailUnavailable` after committing."""
    audit.record(AuditAction.INVITATION_RESENT, by, user.email, tenant.id)
    return _send(user, tenant, by)


def _send(user: User, tenant: Tenant, by: User) -> User:
    issued = links.issue(user, LinkPurpose.INVITATION, by)
    db.session.commit()
    account_mail.send_invitation(user, tenant, by, issued.url)
    issued.link.sent_at = links.now()
    db.session.commit()
    return user


def revoke(tenant: Tenant, user: User, by: User) -> None:
    """A pending invitation withdrawn: its link stops working and the login is closed."""
    users.deactivate(user, links.now())
    audit.record(AuditAction.INVITATION_REVOKED, by, user.email, tenant.id)
    db.session.commit()


def remove(tenant: Tenant, user: User, by: User) -> None:
    """Ends the admin's access and every session they have. Raises `CannotRemove`."""
    if user.id == by.id:
        raise CannotRemove("yourself")
    if user.has_password and active_admin_count(tenant) <= 1:
        raise CannotRemove("last_admin")
    users.deactivate(user, links.now())
    audit.record(AuditAction.ACCESS_REMOVED, by, user.email, tenant.id)
    db.session.commit()
