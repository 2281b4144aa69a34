"""Invitations to the platform: the sync brings people in, only an invitation lets them log in.

The link carries a random token; only its SHA-256 is stored. A link works once, for
seven days, and a resend makes every earlier link useless.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext
from sqlalchemy import exists, select, update
from werkzeug.security import generate_password_hash

from portal import mail
from portal.accounts import audit
from portal.extensions import db
from portal.models import AuditAction, Employee, EmployeeAccount, Invitation, Tenant, User

VALID_FOR = timedelta(days=7)


def now() -> datetime:
    return datetime.utcnow()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def language_for(employee: Employee, tenant: Tenant) -> str:
    if employee.language in current_app.config["LANGUAGES"]:
        return employee.language
    return tenant.default_language


class CannotInvite(Exception):
    """Deactivated people have no access, and people with an account need no invitation."""


def has_account(employee: Employee) -> bool:
    return db.session.execute(select(exists().where(EmployeeAccount.employee_id == employee.id))).scalar_one()


def invite(employee: Employee, tenant: Tenant, by: User) -> Invitation:
    """Creates the invitation and e-mails it. The row is committed before sending, so
    a mail server that is down loses nothing: the admin resends later.
    Raises `mail.MailUnavailable` after committing."""
    if not employee.active or has_account(employee):
        raise CannotInvite(employee.id)
    db.session.execute(
        update(Invitation)
        .where(Invitation.employee_id == employee.id, Invitation.used_at.is_(None), Invitation.replaced_at.is_(None))
        .values(replaced_at=now()),
        execution_options={"synchronize_session": False},
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        employee_id=employee.id,
        token_hash=_hash(token),
        language=language_for(employee, tenant),
        invited_by_id=by.id,
        expires_at=now() + VALID_FOR,
    )
    db.session.add(invitation)
    # Logged when made, not when delivered: an invitation the mail server refused is still the admin's act.
    audit.record(AuditAction.EMPLOYEE_INVITED, by, audit.employee_subject(employee), employee.tenant_id, employee_id=employee.id)
    db.session.commit()
    _send(invitation, employee, tenant, token)
    invitation.sent_at = now()
    db.session.commit()
    return invitation


def _send(invitation: Invitation, employee: Employee, tenant: Tenant, token: str) -> None:
    link = url_for("invitations.accept", token=token, _external=True)
    context = {"employee": employee, "tenant": tenant, "link": link, "valid_days": VALID_FOR.days}
    with force_locale(invitation.language):
        subject = gettext("%(company)s invites you to your flexible benefits", company=tenant.name)
        text_body = render_template("mail/invitation.txt", **context)
        html_body = render_template("mail/invitation.html", **context)
    mail.send_mail(employee.email, subject, text_body, html_body, language=invitation.language)


@dataclass
class BulkResult:
    sent: int = 0
    not_delivered: int = 0
    skipped: list[Employee] = field(default_factory=list)


def invite_many(employees: list[Employee], tenant: Tenant, by: User) -> BulkResult:
    result = BulkResult()
    for employee in employees:
        try:
            invite(employee, tenant, by)
        except CannotInvite:
            result.skipped.append(employee)
        except mail.MailUnavailable:
            current_app.logger.warning("invitation for employee %s not delivered", employee.id, exc_info=True)
            result.not_delivered += 1
        else:
            result.sent += 1
    return result


def latest_invitation(employee: Employee) -> Invitation | None:
    return db.session.execute(
        select(Invitation).where(Invitation.employee_id == employee.id).order_by(Invitation.id.desc()).limit(1)
    ).scalar_one_or_none()


def invited_employee(invitation: Invitation) -> Employee | None:
    return db.session.get(Employee, invitation.employee_id)


def open_invitation(token: str) -> Invitation | None:
    """The invitation behind a link, if the link still works. Called without a tenant:
    the token itself says which company it belongs to."""
    invitation = db.session.execute(select(Invitation).where(Invitation.token_hash == _hash(token))).scalar_one_or_none()
    if invitation is None or not invitation.is_open(now()):
        return None
    return invitation


def accept(invitation: Invitation, password: str) -> EmployeeAccount:
    invitation.used_at = now()
    account = EmployeeAccount(
        tenant_id=invitation.tenant_id,
        employee_id=invitation.employee_id,
        password_hash=generate_password_hash(password),
    )
    db.session.add(account)
    db.session.commit()
    return account
