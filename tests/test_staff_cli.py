"""The operator starts a new installation from the command line: `flask users create-staff`
prints a one-time link (no password on the command line), `users list`, `users deactivate`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from helpers.accounts import PASSWORD, add_login, audit_actions, link_in, log_in, path_of, post_form, user_named
from portal.extensions import db
from portal.models import Role, SetPasswordLink


def flask_users(app, *args: str):
    return app.test_cli_runner().invoke(args=["users", *args])


def test_create_staff_prints_a_one_time_link_and_stores_only_its_hash(app):
    result = flask_users(app, "create-staff", "Ops@Flexsync.example", "--name", "Olga Ops")
    assert result.exit_code == 0, result.output
    link = link_in(result.output)
    assert link.startswith(app.config["PUBLIC_URL"])
    assert "72 hours" in result.output
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        staff = user_named("ops@flexsync.example")
        assert (staff.role, staff.name, staff.has_password, staff.is_demo) == (Role.CUSTOMER_SUCCESS, "Olga Ops", False, False)
        stored = db.session.execute(select(SetPasswordLink).where(SetPasswordLink.user_id == staff.id)).scalar_one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
        assert stored.expires_at - stored.created_at == timedelta(hours=72)
        assert audit_actions()[-1] == "staff.created"


def test_no_password_is_ever_taken_on_the_command_line(app):
    result = flask_users(app, "create-staff", "ops@flexsync.example", "--password", "hunter2")
    assert result.exit_code == 2 and "No such option" in result.output


def test_the_staff_member_chooses_a_password_and_is_asked_for_a_second_factor(app, client):
    link = link_in(flask_users(app, "create-staff", "ops@flexsync.example").output)
    page = client.get(path_of(link)).get_data(as_text=True)
    assert "Choose your password" in page and "ops@flexsync.example" in page
    response = post_form(client, path_of(link), {"password": PASSWORD, "confirm": PASSWORD})
    assert response.headers["Location"] == "/login"
    # Customer success always sign in with a second factor: set it up before going in.
    assert log_in(client, "ops@flexsync.example").headers["Location"] == "/two-factor/setup"
    assert client.get("/cs/tenants").status_code == 302
    assert "This link no longer works" in client.get(path_of(link)).get_data(as_text=True)


def test_running_it_again_for_someone_who_never_came_replaces_the_link(app, client):
    first = link_in(flask_users(app, "create-staff", "ops@flexsync.example").output)
    second = link_in(flask_users(app, "create-staff", "ops@flexsync.example").output)
    assert first != second
    assert client.get(path_of(first)).status_code == 404
    assert client.get(path_of(second)).status_code == 200


def test_create_staff_refuses_what_it_cannot_do(app):
    assert "not an e-mail address" in flask_users(app, "create-staff", "ops").output
    assert "HR admin of a company" in flask_users(app, "create-staff", "hr@demo.test").output
    assert "already has a password" in flask_users(app, "create-staff", "cs@flexsync.test").output
    for result in (flask_users(app, "create-staff", "ops"), flask_users(app, "create-staff", "hr@demo.test")):
        assert result.exit_code == 1


def test_users_list_shows_every_login_with_its_company_and_status(app):
    flask_users(app, "create-staff", "ops@flexsync.example")
    result = flask_users(app, "list")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "Demo NV" in lines["hr@demo.test"] and "active" in lines["hr@demo.test"]
    assert "customer_success" in lines["ops@flexsync.example"] and "invited" in lines["ops@flexsync.example"]


def test_deactivate_ends_the_sessions_and_the_log_ins_of_that_user(app, client):
    with app.app_context():
        add_login("leaver@demo.test")
    log_in(client, "leaver@demo.test")
    assert client.get("/employees").status_code == 200
    result = flask_users(app, "deactivate", "Leaver@demo.test")
    assert result.exit_code == 0 and "deactivated" in result.output
    assert client.get("/employees").status_code == 302
    refused = log_in(client, "leaver@demo.test")
    assert refused.status_code == 403 and "Your access has ended" in refused.get_data(as_text=True)
    assert "No login has the address" in flask_users(app, "deactivate", "nobody@demo.test").output
    with app.app_context():
        assert audit_actions()[-1] == "user.deactivated"
