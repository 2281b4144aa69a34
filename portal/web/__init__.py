"""Web routes, one blueprint per area the user sees."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.web import auth, company, dashboard, errors, notifications

    for module in (auth, company, dashboard, errors, notifications):
        app.register_blueprint(module.bp)
