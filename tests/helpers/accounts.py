"""Logins that are not the demo's: real staff and HR admins with their own password and
second factor, links read from e-mails, and codes an authenticator app would show."""

from __future__ import annotations

import re
import time

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Role, Tenant, User

from .pages import csrf_token_from

PASSWORD = "a long enough secret"
LINK = re.compile(r"https?://\S+/account/password/\d+/[A-Za-z0-9_\-]+")


def add_login(email: str, role: Role = Role.HR_ADMIN, company: str | None = "Demo NV", password: str = PASSWORD) -> int:
    """A login as an accepted invitation leaves it (inside an app context); its id."""
    from datetime import datetime

    tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == company)).scalar_one() if company else None
    user = User(email=email, name=email.split("@")[0].title(), role=role, tenant_id=tenant_id, activated_at=datetime.utcnow())
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user.id


def user_named(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def audit_actions() -> list[str]:
    return [entry.action.value for entry in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def link_in(text: str) -> str:
    match = LINK.search(text)
    assert match, f"no set-password link in: {text!r}"
    return match.group(0)


def link_in_mail(message) -> str:
    return link_in(message.get_body(("plain",)).get_content())


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def totp_code(secret: str, ahead: int = 0) -> str:
    """The code an authenticator app shows now (`ahead` steps of 30 s later: the server
    accepts the next step too, and never a step twice)."""
    import pyotp

    return pyotp.TOTP(secret).at(time.time() + 30 * ahead)


def secret_on(page_html: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7]+)<', page_html)
    assert match, "no TOTP secret on the page"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict, form_page: str | None = None):
    """Posts the form of a page the way a browser does: with the page's CSRF token."""
    token = csrf_token_from(client.get(form_page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def log_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password})


def log_in_with_code(client: FlaskClient, email: str, secret: str, password: str = PASSWORD, ahead: int = 0):
    response = log_in(client, email, password)
    assert response.headers["Location"].endswith("/two-factor/code"), response.headers.get("Location")
    return post_form(client, "/two-factor/code", {"code": totp_code(secret, ahead)})
