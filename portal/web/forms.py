"""The base form: CSRF from Flask-WTF, WTForms' own nl/fr messages for the current language."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.i18n import get_translations

from portal.company.entities import EntityRow
from portal.texts.providers import PROVIDERS


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return get_translations([str(get_locale()), "en"])


def entered(form: FlaskForm) -> dict[str, Any]:
    """What the user filled in, by field name, without the CSRF token: what a service saves."""
    return {field.name: field.data for field in form if field.name != "csrf_token"}


def entity_choices(rows: list[EntityRow]) -> list[tuple[int, str]]:
    """Each entity by its name; where another has the same name (a provider's entity the sync
    named like one of yours), with where each comes from, so no two choices read alike."""
    names = Counter(row.entity.name.casefold() for row in rows)
    choices = []
    for row in rows:
        label = row.entity.name
        if names[label.casefold()] > 1:
            origin = PROVIDERS[row.provider].name if row.provider else _("added by you")
            label = f"{label} ({origin})"
        choices.append((row.entity.id, label))
    return choices
