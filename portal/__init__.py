"""Flexsync: the integrations hub of a flexible-benefits platform."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    from portal import i18n, security
    from portal.accounts.cli import users_cli
    from portal.config import INSTANCE_DIR, PROJECT_ROOT, config_for
    from portal.extensions import babel, csrf, db, htmx, login_manager, migrate, oauth
    from portal.observability import logs
    from portal.web import register_blueprints

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(config_for(config_name))
    app.config.update(overrides or {})
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    # First: the start-up checks below log through it, and every request gets its id first.
    logs.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    htmx.init_app(app)
    oauth.init_app(app)

    security.init_app(app)
    i18n.init_app(app)
    register_blueprints(app)
    app.cli.add_command(users_cli)
    return app
