"""Web routes, one blueprint per area the user sees."""

from __future__ import annotations

import importlib

from flask import Flask

# One blueprint per area the user sees, each in the module of that name.
BLUEPRINT_MODULES = (
    "activation",
    "auth",
    "company",
    "cs",
    "dashboard",
    "employees",
    "errors",
    "hours",
    "integration_settings",
    "integrations",
    "invitations",
    "notifications",
    "syncs",
)


def register_blueprints(app: Flask) -> None:
    from portal.texts.labels import field_label, label
    from portal.texts.languages import LANGUAGE_NAMES
    from portal.texts.providers import PROVIDERS
    from portal.texts.run_errors import run_error_text

    for module in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(f"portal.web.{module}").bp)
    app.jinja_env.globals.update(
        providers=PROVIDERS, run_error_text=run_error_text, field_label=field_label, language_names=LANGUAGE_NAMES
    )
    app.jinja_env.filters["label"] = label
