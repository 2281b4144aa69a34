"""Long values cut short for display: a name of 10,000 characters must not fill a page or
an e-mail. Pages keep the whole value at hand (a `title` attribute, the employee page)."""

from __future__ import annotations

# Longer than any real name, short enough for a table cell or a line of an e-mail.
DISPLAY_LENGTH = 60


def shortened(text: object, length: int = DISPLAY_LENGTH) -> str:
    """`text` as is when short enough, else its first characters and an ellipsis."""
    value = "" if text is None else str(text)
    if len(value) <= length:
        return value
    return value[: length - 1].rstrip() + "…"
