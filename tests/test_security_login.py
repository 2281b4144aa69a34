"""Log-in hardening: modern password hashes, a limit on guessing, cookie flags, headers,
and a clean bandit report over the code we ship."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from helpers.pages import csrf_token_from
from portal.extensions import db
from portal.models import LoginFailure, User

ROOT = Path(__file__).parent.parent


def try_login(client, email: str, password: str, ip: str = "127.0.0.1"):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, environ_base={"REMOTE_ADDR": ip}
    )


def test_passwords_are_hashed_with_scrypt_or_pbkdf2(app):
    """Defends against passwords stored in clear or with a fast, obsolete hash."""
    with app.app_context():
        hashes = db.session.execute(select(User.password_hash)).scalars().all()
    assert hashes and all(h.startswith(("scrypt:", "pbkdf2:sha256:")) for h in hashes)
    assert not any("demo" in h for h in hashes)


def test_the_sixth_failed_login_in_a_window_gets_429_even_with_the_right_password(app, client):
    """Defends against online password guessing: 5 failures per e-mail and IP per 15 minutes."""
    for _ in range(5):
        assert try_login(client, "HR@demo.test", "guess").status_code == 200
    blocked = try_login(client, "hr@demo.test", "demo")
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # Another address (a colleague behind another IP) is not locked out by the attacker.
    assert try_login(app.test_client(), "hr@demo.test", "demo", ip="127.0.0.2").status_code == 302


def test_the_limit_page_is_translated(client):
    """Defends against an untranslated refusal for Dutch- and French-speaking admins."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"language": "nl", "csrf_token": token})
    for _ in range(5):
        try_login(client, "nobody@demo.test", "guess")
    assert "Te veel pogingen" in try_login(client, "nobody@demo.test", "guess").get_data(as_text=True)


def test_a_successful_login_clears_the_failures(app, client, auth):
    """Defends against an admin who mistyped a few times being locked out later on."""
    for _ in range(4):
        try_login(client, "hr@demo.test", "typo")
    assert try_login(client, "hr@demo.test", "demo").status_code == 302
    with app.app_context():
        assert db.session.execute(select(LoginFailure)).first() is None


def test_session_cookie_flags_in_production(app):
    """Defends against session theft by scripts, cross-site requests or plain http."""
    from portal.config import ProductionConfig

    assert (
        ProductionConfig.SESSION_COOKIE_HTTPONLY,
        ProductionConfig.SESSION_COOKIE_SAMESITE,
        ProductionConfig.SESSION_COOKIE_SECURE,
        ProductionConfig.REMEMBER_COOKIE_SECURE,
    ) == (True, "Lax", True, True)


def test_every_page_has_a_strict_csp_and_htmx_cannot_eval(client, auth):
    """Defends against injected scripts running (no inline, no eval) and clickjacking."""
    auth.login()
    response = client.get("/employees")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and response.headers["X-Frame-Options"] == "DENY"
    assert '"allowEval": false' in response.get_data(as_text=True)


def test_bandit_finds_nothing_of_medium_severity_or_above():
    """Defends against known-dangerous Python patterns (shell=True, Markup on input, weak crypto)."""
    bandit = Path(sys.executable).parent / "bandit"
    result = subprocess.run(
        [str(bandit), "-q", "-r", "portal", "jobs", "sandbox", "demo", "-ll"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
