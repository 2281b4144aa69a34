"""The base form: CSRF from Flask-WTF, WTForms' own nl/fr messages for the current language."""
from __future__ import annotations

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import get_translations


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return get_translations([str(get_locale()), "en"])
