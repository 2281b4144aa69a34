"""Two-factor sign-in: required for customer success, optional for HR admins; set up with a
QR code drawn on the server; codes used once; recovery codes stored hashed, used once."""

from __future__ import annotations

from sqlalchemy import select, text

from helpers.accounts import (
    add_login,
    audit_actions,
    log_in,
    log_in_with_code,
    post_form,
    secret_on,
    totp_code,
    user_named,
)
from helpers.route_matrix import snapshot
from portal.extensions import db
from portal.models import RecoveryCode, Role


def enrol(client, ahead: int = 0) -> tuple[str, list[str]]:
    """Sets up the second factor on /two-factor/setup; the secret and the recovery codes."""
    import re

    secret = secret_on(client.get("/two-factor/setup").get_data(as_text=True))
    page = post_form(client, "/two-factor/setup", {"code": totp_code(secret, ahead)}).get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9-]{19})</code>", page)
    assert len(codes) == 10, page
    return secret, codes


def test_staff_set_up_a_second_factor_before_they_get_in(app, client):
    with app.app_context():
        add_login("ops@flexsync.example", Role.CUSTOMER_SUCCESS, company=None)
    assert log_in(client, "ops@flexsync.example").headers["Location"] == "/two-factor/setup"
    # Between the password and the second factor nothing else opens.
    assert client.get("/cs/tenants").status_code == 302
    with app.app_context():
        before = snapshot()
    setup = client.get("/two-factor/setup")
    page = setup.get_data(as_text=True)
    assert '<img src="data:image/svg+xml' in page and "<script" not in page.split("</head>")[1]
    assert "script-src 'self'" in setup.headers["Content-Security-Policy"]
    with app.app_context():
        assert snapshot() == before, "opening the set-up page wrote to the database"
    wrong = post_form(client, "/two-factor/setup", {"code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    secret, codes = enrol(client)
    assert client.get("/cs/tenants").status_code == 200
    with app.app_context():
        stored = db.session.execute(text("SELECT totp FROM users WHERE email = 'ops@flexsync.example'")).scalar_one()
        assert secret.encode() not in bytes(stored)
        hashes = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
        assert len(hashes) == 10 and not {c.replace("-", "") for c in codes} & set(hashes)
        assert audit_actions() == ["two_factor.enrolled"]


def test_the_next_log_in_asks_for_a_code_and_a_code_works_once(app, client):
    with app.app_context():
        add_login("ops@flexsync.example", Role.CUSTOMER_SUCCESS, company=None)
    log_in(client, "ops@flexsync.example")
    secret, _ = enrol(client)
    laptop = app.test_client()
    assert log_in_with_code(laptop, "ops@flexsync.example", secret, ahead=1).headers["Location"] == "/"
    assert laptop.get("/cs/tenants").status_code == 200
    # The same code again (seen by someone over the shoulder) is refused.
    phone = app.test_client()
    replay = log_in_with_code(phone, "ops@flexsync.example", secret, ahead=1)
    assert replay.status_code == 200 and "That code is not right" in replay.get_data(as_text=True)
    assert phone.get("/cs/tenants").status_code == 302


def test_a_recovery_code_logs_in_once(app, client):
    with app.app_context():
        add_login("ops@flexsync.example", Role.CUSTOMER_SUCCESS, company=None)
    log_in(client, "ops@flexsync.example")
    _, codes = enrol(client)
    lost_phone = app.test_client()
    log_in(lost_phone, "ops@flexsync.example")
    assert post_form(lost_phone, "/two-factor/code", {"code": codes[0].upper()}).headers["Location"] == "/"
    again = app.test_client()
    log_in(again, "ops@flexsync.example")
    assert post_form(again, "/two-factor/code", {"code": codes[0]}).status_code == 200
    assert "Recovery codes left: 9" in lost_phone.get("/account").get_data(as_text=True)
    with app.app_context():
        assert audit_actions() == ["two_factor.enrolled", "two_factor.recovery_code"]


def test_wrong_codes_are_limited(app, client):
    with app.app_context():
        add_login("ops@flexsync.example", Role.CUSTOMER_SUCCESS, company=None)
    log_in(client, "ops@flexsync.example")
    secret, _ = enrol(client)
    guesser = app.test_client()
    log_in(guesser, "ops@flexsync.example")
    for _ in range(5):
        assert post_form(guesser, "/two-factor/code", {"code": "123456"}).status_code == 200
    blocked = post_form(guesser, "/two-factor/code", {"code": totp_code(secret, 1)})
    assert blocked.status_code == 429
    assert guesser.get("/cs/tenants").status_code == 302


def test_an_hr_admin_chooses_a_second_factor_and_can_turn_it_off(app, client):
    with app.app_context():
        add_login("second@demo.test")
    assert log_in(client, "second@demo.test").headers["Location"] == "/"
    assert "Set up two-factor sign-in" in client.get("/account").get_data(as_text=True)
    secret, _ = enrol(client)
    assert "Turn off two-factor sign-in" in client.get("/account").get_data(as_text=True)
    other = app.test_client()
    assert log_in_with_code(other, "second@demo.test", secret, ahead=1).headers["Location"] == "/"
    post_form(client, "/two-factor/disable", {}, "/account")
    assert log_in(app.test_client(), "second@demo.test").headers["Location"] == "/"
    with app.app_context():
        assert audit_actions() == ["two_factor.enrolled", "two_factor.disabled"]


def test_customer_success_cannot_turn_it_off(app, client):
    with app.app_context():
        add_login("ops@flexsync.example", Role.CUSTOMER_SUCCESS, company=None)
    log_in(client, "ops@flexsync.example")
    enrol(client)
    assert "cannot be turned off" in client.get("/account").get_data(as_text=True)
    post_form(client, "/two-factor/disable", {}, "/account")
    with app.app_context():
        assert user_named("ops@flexsync.example").has_two_factor


def test_new_recovery_codes_replace_the_old_ones(app, client):
    with app.app_context():
        add_login("second@demo.test")
    log_in(client, "second@demo.test")
    _, old_codes = enrol(client)
    page = post_form(client, "/two-factor/recovery-codes", {}, "/account").get_data(as_text=True)
    assert "Your recovery codes" in page
    other = app.test_client()
    log_in(other, "second@demo.test")
    assert post_form(other, "/two-factor/code", {"code": old_codes[1]}).status_code == 200
