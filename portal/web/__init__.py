"""Web routes, one blueprint per area the user sees."""

from __future__ import annotations

import importlib

from flask import Flask

# One blueprint per area the user sees, each in the module of that name.
BLUEPRINT_MODULES = (
    "accounts",
    "activation",
    "audit",
    "auth",
    "colleagues",
    "company",
    "company_data",
    "cs",
    "cs_accounts",
    "dashboard",
    "employees",
    "entities",
    "errors",
    "fleet",
    "health",
    "hours",
    "integration_settings",
    "integrations",
    "invitations",
    "notifications",
    "previews",
    "support",
    "syncs",
    "two_factor",
)


def register_blueprints(app: Flask) -> None:
    from portal.providers.phones import display_phone
    from portal.sync.outcomes import FIX_FOR, FIX_TEXT, REASON_TEXT
    from portal.texts.labels import change_value, field_label, label
    from portal.texts.languages import LANGUAGE_NAMES, language_name
    from portal.texts.providers import PROVIDERS
    from portal.texts.run_errors import full_sync_reason_text, preview_error_text, run_error_text
    from portal.texts.shortening import shortened

    for module in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(f"portal.web.{module}").bp)
    app.jinja_env.globals.update(
        providers=PROVIDERS,
        run_error_text=run_error_text,
        full_sync_reason_text=full_sync_reason_text,
        preview_error_text=preview_error_text,
        reason_text=REASON_TEXT,
        fix_text=FIX_TEXT,
        fix_for=FIX_FOR,
        field_label=field_label,
        change_value=change_value,
        language_names=LANGUAGE_NAMES,
    )
    app.jinja_env.filters.update(label=label, language_name=language_name, phone=display_phone, shortened=shortened)
