"""The languages Flexsync speaks, each named in itself: a reader looks for their own
language by its own name, so these names are never translated."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

# In the order the language switch and the choices show them.
LANGUAGE_NAMES = {
    "nl": "Nederlands",
    "fr": "Français",
    "en": "English",
}


def language_name(code: str | None) -> str:
    """Any language a provider may send ("de"), named in itself like Flexsync's own:
    "Deutsch". "" for none; the code itself only when no one knows it."""
    if not code:
        return ""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        name = Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code
