"""HR admins manage their colleagues: invite another admin of the company, see who has
access and since when, remove someone's access - never their own - and require a second factor."""

from __future__ import annotations

from helpers.accounts import PASSWORD, add_login, audit_actions, link_in_mail, log_in, path_of, post_form, user_named
from helpers.logins import AuthActions
from portal.extensions import db


def test_an_admin_sees_who_has_access_and_since_when(app, client, auth):
    with app.app_context():
        add_login("second@demo.test")
        add_login("elsewhere@other.test", company="Other BV")
    auth.login()
    page = client.get("/company/admins").get_data(as_text=True)
    assert "Admins of Demo NV" in page
    assert "second@demo.test" in page and "has access" in page
    assert "elsewhere@other.test" not in page and "hr@other.test" not in page


def test_an_admin_invites_a_colleague_who_then_has_access(app, client, auth, smtp_server):
    auth.login()
    response = post_form(client, "/company/admins/invite", {"email": "new@demo.test", "name": "Nina New"}, "/company/admins")
    assert response.status_code == 302
    (message,) = smtp_server.to("new@demo.test")
    # In the company's language (Demo NV: Dutch), naming who invited them.
    assert message["Subject"].startswith("Hanne Peeters nodigt je uit om Demo NV te beheren")
    assert 'lang="nl"' in message.get_body(("html",)).get_content()
    page = client.get("/company/admins").get_data(as_text=True)
    assert "Nina New" in page and "by Hanne Peeters" in page

    colleague = app.test_client()
    post_form(colleague, path_of(link_in_mail(message)), {"password": PASSWORD, "confirm": PASSWORD})
    assert log_in(colleague, "new@demo.test").headers["Location"] == "/"
    assert colleague.get("/employees").status_code == 200
    with app.app_context():
        assert audit_actions() == ["admin.invited", "password.set"]


def test_removing_a_colleague_ends_their_sessions(app, client, auth):
    with app.app_context():
        colleague_id = add_login("second@demo.test")
    colleague = app.test_client()
    log_in(colleague, "second@demo.test")
    auth.login()
    response = post_form(client, f"/company/admins/{colleague_id}/remove", {}, "/company/admins")
    assert response.status_code == 302
    assert "no longer has access" in client.get("/company/admins").get_data(as_text=True)
    assert colleague.get("/employees").status_code == 302
    assert log_in(colleague, "second@demo.test").status_code == 403
    with app.app_context():
        assert audit_actions() == ["access.removed"]


def test_nobody_removes_their_own_access(app, client, auth):
    with app.app_context():
        add_login("second@demo.test")
        own_id = user_named("hr@demo.test").id
    auth.login()
    page = client.get("/company/admins").get_data(as_text=True)
    assert f'action="/company/admins/{own_id}/remove"' not in page
    post_form(client, f"/company/admins/{own_id}/remove", {}, "/company/admins")
    assert "cannot remove your own access" in client.get("/company/admins").get_data(as_text=True)
    assert client.get("/employees").status_code == 200
    with app.app_context():
        assert user_named("hr@demo.test").deactivated_at is None and audit_actions() == []


def test_another_companys_admin_gets_404_for_our_admins(app, client):
    with app.app_context():
        target = add_login("second@demo.test")
    AuthActions(client).login("hr@other.test")
    for action in ("remove", "resend", "revoke"):
        assert post_form(client, f"/company/admins/{target}/{action}", {}, "/company/admins").status_code == 404
    with app.app_context():
        assert user_named("second@demo.test").deactivated_at is None


def test_the_company_can_require_a_second_factor_of_every_admin(app, client, auth):
    with app.app_context():
        add_login("second@demo.test")
    colleague = app.test_client()
    log_in(colleague, "second@demo.test")
    assert colleague.get("/employees").status_code == 200
    auth.login()
    post_form(client, "/company/admins/two-factor", {"required": "1"}, "/company/admins")
    assert "Required: every admin" in client.get("/company/admins").get_data(as_text=True)
    # Already logged in: the next page is the set-up of the second factor.
    assert colleague.get("/employees").headers["Location"] == "/two-factor/setup"
    assert colleague.get("/two-factor/setup").status_code == 200
    post_form(client, "/company/admins/two-factor", {"required": "0"}, "/company/admins")
    assert colleague.get("/employees").status_code == 200
    with app.app_context():
        assert audit_actions() == ["company.two_factor_required", "company.two_factor_optional"]
        db.session.remove()
