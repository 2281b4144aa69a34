"""Web routes, one blueprint per area the user sees."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.web import activation, auth, company, cs, dashboard, errors, integration_settings, integrations, notifications
    from portal.web.labels import label
    from portal.web.providers import PROVIDERS

    for module in (activation, auth, company, cs, dashboard, errors, integration_settings, integrations, notifications):
        app.register_blueprint(module.bp)
    app.jinja_env.globals.update(providers=PROVIDERS)
    app.jinja_env.filters["label"] = label
