"""Friendly error pages, and a production start that refuses an open door."""

import pytest

from portal import create_app
from portal.security import UnsafeConfiguration


def test_an_unknown_page_gets_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert "Back to the dashboard" in page


def test_an_unexpected_error_gets_a_friendly_500_without_details(app):
    broken_app = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @broken_app.get("/_boom")
    def boom():
        raise RuntimeError("internal detail that must not leak")

    response = broken_app.test_client().get("/_boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Nothing you entered was lost" in page
    assert "internal detail" not in page


def test_production_refuses_to_start_without_a_secret_key(app, monkeypatch):
    with pytest.raises(UnsafeConfiguration, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_production_refuses_to_start_with_demo_users(app):
    with pytest.raises(UnsafeConfiguration, match=r"hr@demo\.test|cs@flexsync\.test|hr@other\.test"):
        create_app(
            "production",
            {"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
        )


def test_production_cookies_are_secure():
    from portal.config import DemoConfig, ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert DemoConfig.SESSION_COOKIE_SECURE is False
