"""Web routes, one blueprint per area the user sees."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.texts.labels import field_label, label
    from portal.texts.languages import LANGUAGE_NAMES
    from portal.texts.providers import PROVIDERS
    from portal.texts.run_errors import run_error_text
    from portal.web import (
        activation,
        auth,
        company,
        cs,
        dashboard,
        employees,
        errors,
        hours,
        integration_settings,
        integrations,
        invitations,
        notifications,
        syncs,
    )

    for module in (
        activation,
        auth,
        company,
        cs,
        dashboard,
        employees,
        errors,
        hours,
        integration_settings,
        integrations,
        invitations,
        notifications,
        syncs,
    ):
        app.register_blueprint(module.bp)
    app.jinja_env.globals.update(
        providers=PROVIDERS, run_error_text=run_error_text, field_label=field_label, language_names=LANGUAGE_NAMES
    )
    app.jinja_env.filters["label"] = label
