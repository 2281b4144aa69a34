"""Forgot password: a link by e-mail that works once for one hour, the same answer whether
the address has a login or not, a limit on requests; a new password ends other sessions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from helpers.accounts import PASSWORD, add_login, audit_actions, link_in_mail, log_in, path_of, post_form
from helpers.logins import AuthActions
from portal.extensions import db
from portal.models import SetPasswordLink

NEW_PASSWORD = "a brand new secret"


def ask_reset(client, email: str, ip: str = "127.0.0.1"):
    from helpers.pages import csrf_token_from

    token = csrf_token_from(client.get("/account/forgot-password").get_data(as_text=True))
    return client.post("/account/forgot-password", data={"email": email, "csrf_token": token}, environ_base={"REMOTE_ADDR": ip})


def comparable(response) -> tuple[int, str]:
    """The page without what differs between any two requests: the CSRF token and the address typed."""
    body = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", response.get_data(as_text=True))
    body = re.sub(r'("X-CSRFToken": ")[^"]+', r"\1", body)
    return response.status_code, body.replace("unknown@demo.test", "ADDRESS").replace("known@demo.test", "ADDRESS")


def test_the_answer_is_the_same_for_an_unknown_address(app, smtp_server):
    with app.app_context():
        add_login("known@demo.test")
    known = ask_reset(app.test_client(), "known@demo.test")
    unknown = ask_reset(app.test_client(), "unknown@demo.test")
    assert comparable(known) == comparable(unknown)
    assert known.status_code == 200 and "Check your e-mail" in known.get_data(as_text=True)
    assert len(smtp_server.to("known@demo.test")) == 1 and smtp_server.to("unknown@demo.test") == []


def test_a_reset_link_works_once_and_the_old_password_stops_working(app, client, smtp_server):
    with app.app_context():
        add_login("known@demo.test")
    ask_reset(client, "Known@Demo.test ")
    (message,) = smtp_server.to("known@demo.test")
    # In the company's language (Demo NV: Dutch), saying how long the link works.
    assert "één uur" in message.get_body(("plain",)).get_content()
    link = path_of(link_in_mail(message))
    post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert log_in(app.test_client(), "known@demo.test", PASSWORD).status_code == 200
    assert log_in(app.test_client(), "known@demo.test", NEW_PASSWORD).status_code == 302
    assert client.get(link).status_code == 404
    with app.app_context():
        assert audit_actions() == ["password.reset_requested", "password.changed"]


def test_a_reset_link_expires_after_an_hour(app, client, smtp_server):
    with app.app_context():
        add_login("known@demo.test")
    ask_reset(client, "known@demo.test")
    link = path_of(link_in_mail(smtp_server.to("known@demo.test")[0]))
    with app.app_context():
        stored = db.session.execute(select(SetPasswordLink)).scalar_one()
        assert stored.expires_at - stored.created_at == timedelta(hours=1)
        stored.expires_at = datetime.utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert "This link no longer works" in client.get(link).get_data(as_text=True)


def test_a_new_password_ends_every_other_session(app, smtp_server):
    with app.app_context():
        add_login("known@demo.test")
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "known@demo.test")
    assert laptop.get("/employees").status_code == 200
    ask_reset(phone, "known@demo.test")
    link = path_of(link_in_mail(smtp_server.to("known@demo.test")[0]))
    post_form(phone, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert laptop.get("/employees").status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(app):
    with app.app_context():
        add_login("known@demo.test")
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "known@demo.test")
    log_in(phone, "known@demo.test")
    wrong = post_form(phone, "/account/change-password", {"current": "guess", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "not your current password" in wrong.get_data(as_text=True)
    post_form(phone, "/account/change-password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert phone.get("/employees").status_code == 200
    assert laptop.get("/employees").status_code == 302
    assert log_in(app.test_client(), "known@demo.test", NEW_PASSWORD).status_code == 302


def test_reset_requests_are_limited_alike_for_known_and_unknown_addresses(app, smtp_server):
    with app.app_context():
        add_login("known@demo.test")
    for email in ("known@demo.test", "unknown@demo.test"):
        client = app.test_client()
        for _ in range(5):
            assert ask_reset(client, email).status_code == 200
        blocked = ask_reset(client, email)
        assert blocked.status_code == 429 and "Too many reset requests" in blocked.get_data(as_text=True)
        # Someone else, somewhere else, can still ask.
        assert ask_reset(app.test_client(), email, ip="127.0.0.2").status_code == 200
    assert len(smtp_server.to("known@demo.test")) == 6


def test_the_reset_e_mail_is_in_the_users_language(app, client, smtp_server):
    AuthActions(client).login("hr@other.test")
    ask_reset(app.test_client(), "hr@other.test")
    (message,) = smtp_server.to("hr@other.test")
    assert 'lang="fr"' in message.get_body(("html",)).get_content()
