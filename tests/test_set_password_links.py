"""A set-password link works once, for a while, for one user: expired, reused, tampered
and other-user links are refused with a clear page, and change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from helpers.accounts import PASSWORD, add_login, link_in, log_in, path_of, post_form, user_named
from helpers.pages import csrf_token_from
from helpers.route_matrix import snapshot
from portal.accounts import links
from portal.extensions import db
from portal.models import LinkPurpose, SetPasswordLink

NEW_PASSWORD = "another long secret"


def new_link(app, email: str, purpose: LinkPurpose = LinkPurpose.INVITATION) -> str:
    with app.app_context():
        issued = links.issue(user_named(email), purpose, by=None)
        db.session.commit()
        return path_of(issued.url)


def invited(app, email: str = "new.admin@demo.test") -> str:
    with app.app_context():
        user_id = add_login(email)
        user_named(email).password_hash = ""
        db.session.commit()
    assert user_id
    return new_link(app, email)


def refused_and_nothing_changed(app, client, path: str, status: int = 404, heading: str = "This link no longer works"):
    """GET and POST both refuse the link with a clear page, and no row changes."""
    with app.app_context():
        before = snapshot()
    page = client.get(path)
    assert page.status_code == status and heading in page.get_data(as_text=True)
    token = csrf_token_from(client.get("/account/forgot-password").get_data(as_text=True))
    posted = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})
    assert posted.status_code == status and heading in posted.get_data(as_text=True)
    with app.app_context():
        assert snapshot() == before


def test_a_link_sets_the_password_once(app, client):
    path = invited(app)
    assert "Choose your password" in client.get(path).get_data(as_text=True)
    response = post_form(client, path, {"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    assert log_in(client, "new.admin@demo.test").headers["Location"] == "/"
    with app.app_context():
        user = user_named("new.admin@demo.test")
        assert user.has_password and user.activated_at is not None


def test_a_reused_link_is_refused_and_the_password_stays(app, client):
    path = invited(app)
    post_form(client, path, {"password": PASSWORD, "confirm": PASSWORD})
    refused_and_nothing_changed(app, client, path)
    assert log_in(client, "new.admin@demo.test").status_code == 302


def test_an_expired_link_is_refused(app, client):
    path = invited(app)
    with app.app_context():
        link = db.session.execute(select(SetPasswordLink)).scalar_one()
        link.expires_at = datetime.utcnow() - timedelta(seconds=1)
        db.session.commit()
    refused_and_nothing_changed(app, client, path)


@pytest.mark.parametrize("where", ["last", "first"])
def test_a_tampered_link_is_refused(app, client, where):
    path = invited(app)
    head, token = path.rsplit("/", 1)
    position = -1 if where == "last" else 0
    changed = token[:position] + ("A" if token[position] != "A" else "B") + (token[position + 1 :] if position != -1 else "")
    refused_and_nothing_changed(app, client, f"{head}/{changed}")
    refused_and_nothing_changed(app, client, f"{head}/{token}x")
    assert client.get(path).status_code == 200


def test_a_link_moved_to_another_users_id_is_refused(app, client):
    path = invited(app)
    with app.app_context():
        other_id = user_named("hr@demo.test").id
    _, _, _, _, token = path.split("/")
    refused_and_nothing_changed(app, client, f"/account/password/{other_id}/{token}")


def test_someone_logged_in_as_another_user_cannot_use_the_link(app, client, auth):
    path = invited(app)
    auth.login("hr@demo.test")
    refused_and_nothing_changed(app, client, path, status=403, heading="This link is for someone else")


def test_a_newer_link_replaces_the_older_one(app, client):
    first = invited(app)
    second = new_link(app, "new.admin@demo.test")
    refused_and_nothing_changed(app, client, first)
    assert client.get(second).status_code == 200


def test_a_link_of_a_deactivated_login_is_refused(app, client):
    path = invited(app)
    with app.app_context():
        user_named("new.admin@demo.test").deactivated_at = datetime.utcnow()
        db.session.commit()
    refused_and_nothing_changed(app, client, path)


def test_invitations_and_first_passwords_last_72_hours_resets_one_hour(app):
    with app.app_context():
        user = user_named("hr@demo.test")
        durations = {}
        for purpose in LinkPurpose:
            link = links.issue(user, purpose, by=None).link
            durations[purpose] = link.expires_at - link.created_at
        db.session.rollback()
    assert durations == {
        LinkPurpose.INVITATION: timedelta(hours=72),
        LinkPurpose.FIRST_PASSWORD: timedelta(hours=72),
        LinkPurpose.RESET: timedelta(hours=1),
    }


def test_a_too_short_or_mismatched_password_is_refused_and_the_link_still_works(app, client):
    path = invited(app)
    short = post_form(client, path, {"password": "short", "confirm": "short"})
    assert "at least 10 characters" in short.get_data(as_text=True)
    mismatch = post_form(client, path, {"password": PASSWORD, "confirm": PASSWORD + "!"})
    assert "not the same" in mismatch.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_the_link_in_an_email_points_at_the_configured_address_not_the_host_header(app, client):
    """Defends against reset-link poisoning: a forged Host header must not choose where the link goes."""
    with app.app_context():
        url = links.issue(user_named("hr@demo.test"), LinkPurpose.RESET, by=None).url
        db.session.rollback()
    assert link_in(url).startswith(app.config["PUBLIC_URL"] + "/account/password/")
