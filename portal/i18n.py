"""Language choice: the one the admin picked, else their profile, else the browser's; on
the pages customer success read for a company, the language they picked for those."""

from __future__ import annotations

import functools
import unicodedata
from datetime import datetime

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import format_datetime, get_locale, get_timezone, get_translations, refresh
from flask_login import current_user

SESSION_KEY = "language"
# Kept apart from `SESSION_KEY`: reading a company's pages in French leaves the reader's own
# pages in their own language.
READING_SESSION_KEY = "reading_language"


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


def read_for_company(company_language: str) -> None:
    """This request is a page read on a company's behalf (customer success's support view):
    it speaks the language picked with `?lang=` on such a page, kept for the next ones, else
    the company's own."""
    languages = current_app.config["LANGUAGES"]
    picked = request.args.get("lang")
    if picked in languages:
        session[READING_SESSION_KEY] = picked
    reading = session.get(READING_SESSION_KEY, company_language)
    g.reading_language = reading if reading in languages else None
    # Whatever read the locale earlier in this request must not keep the reader's own.
    refresh()


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if g.get("reading_language"):
        return g.reading_language
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> object:
    """`flask_babel.get_locale()`, read straight off the request once it is known: a page of
    50 rows asks for a few hundred strings, labels and times, and Flask-Babel goes through
    `g` three times for each (with `force_locale`, the forced one is what is found here too)."""
    babel = vars(g._get_current_object()).get("_flask_babel") if has_app_context() else None
    locale = getattr(babel, "babel_locale", None)
    return locale if locale is not None else get_locale()


def init_app(app: Flask) -> None:
    # Kept per language: Flask-Babel finds the catalogue again through the request for each string.
    catalogues: dict[object, NullTranslations] = {}

    def translations() -> NullTranslations:
        locale = current_locale()
        found = catalogues.get(locale)
        if found is None:
            found = catalogues[locale] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["datetimeformat"] = datetime_text

    @app.context_processor
    def language_context() -> dict:
        return {"current_language": str(get_locale()), "languages": app.config["LANGUAGES"]}


def datetime_text(value: datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    """Flask-Babel's `datetimeformat`, remembered: Babel spends ~40 µs on each, and every admin
    polling the history or the employee list sees the same times in the same language."""
    if value is None:
        return format_datetime(value, format, rebase)
    return _remembered_datetime_text(value, format, rebase, current_locale(), get_timezone())


@functools.lru_cache(maxsize=4096)
def _remembered_datetime_text(value: datetime, format: str | None, rebase: bool, locale: object, timezone: object) -> str:
    # The language and time zone are in the key: format_datetime reads the same ones again.
    return format_datetime(value, format, rebase)
