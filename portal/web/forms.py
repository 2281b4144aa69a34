"""The base form: CSRF from Flask-WTF, WTForms' own nl/fr messages for the current language."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import get_translations

from portal.company.entities import EntityRow, told_apart


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return get_translations([str(get_locale()), "en"])


def entered(form: FlaskForm) -> dict[str, Any]:
    """What the user filled in, by field name, without the CSRF token: what a service saves."""
    return {field.name: field.data for field in form if field.name != "csrf_token"}


def entity_choices(rows: list[EntityRow]) -> list[tuple[int, str]]:
    """Each entity by its name, told apart from another of the same name by where it comes from."""
    return list(told_apart((row.entity.id, row.entity.name, row.provider) for row in rows).items())
