"""The languages Flexsync speaks, each named in itself: a reader looks for their own
language by its own name, so these names are never translated."""

from __future__ import annotations

# In the order the language switch and the choices show them.
LANGUAGE_NAMES = {
    "nl": "Nederlands",
    "fr": "Français",
    "en": "English",
}
