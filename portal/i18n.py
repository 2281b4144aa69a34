"""Language choice: the one the admin picked, else their profile, else the browser's."""

from __future__ import annotations

import unicodedata

from flask import Flask, current_app, request, session
from flask_login import current_user

SESSION_KEY = "language"


def sort_key(text: str | None) -> tuple[str, str, str]:
    """Alphabetical order as a Dutch, French or English reader expects it, not by code
    point (where "Zoë" < "Élodie" and "de Jong" comes after every capital).

    Letters first without their accents and case ("Élodie" with "Elodie", between "Dries"
    and "Femke"), then with accents, then as written: the order the three languages
    share. Per-process and per-thread safe, unlike `locale.strxfrm`."""
    value = text or ""
    folded = value.casefold()
    base = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return base, unicodedata.normalize("NFC", folded), value


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    from flask_babel import get_locale

    @app.context_processor
    def language_context() -> dict:
        return {"current_language": str(get_locale()), "languages": app.config["LANGUAGES"]}
