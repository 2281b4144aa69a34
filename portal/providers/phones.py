"""Phone numbers: stored in E.164 ("+32470123456"), shown in international format
("+32 470 12 34 56"), read from whatever a provider or an admin typed.

One stored form makes "did the phone change?" (and so re-verification) a plain string
comparison: "+32 470 12 34 56", "0470/12.34.56" and "+32470123456" are one number.
Numbers without a country code are Belgian, as the companies Flexsync serves are.
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "BE"


class UnreadablePhone(ValueError):
    """Not a phone number anyone can be reached on: not a number, or not a valid one."""


def normalise_phone(typed: str | None) -> str | None:
    """The E.164 form of a typed number; None for nothing typed; `UnreadablePhone` otherwise.

    Valid, not merely of a possible length: a number that is stored must be one the
    employee can verify (a text message), and "0470 12 34" has a possible length."""
    text = (typed or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise UnreadablePhone(text) from error
    if not phonenumbers.is_valid_number(number):
        raise UnreadablePhone(text)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def display_phone(stored: str | None) -> str:
    """How a page shows a stored number: international format, or as stored when it is
    not one (numbers kept from before they were stored in E.164); "" for none."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return stored
    if not phonenumbers.is_valid_number(number):
        return stored
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
