"""Belgian VAT numbers as the providers expect them (BE + 10 digits).

The seeds ask for "at least 10 digits without the BE prefix"; python-stdnum checks
the real check digits (97 - number mod 97).
"""

from __future__ import annotations

import enum
import re

from stdnum import exceptions as stdnum_errors
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat

# Other countries' VAT numbers start with their code: the EU's (Greece writes EL), and the
# neighbours' a Belgian company's admin may have at hand.
FOREIGN_PREFIXES = frozenset({code.upper() for code in eu_vat.MEMBER_STATES} | {"EL", "GB", "CH", "NO"}) - {"BE"}


class VatProblem(enum.StrEnum):
    MISSING = "missing"
    # Another country's VAT number (NL123456789B01): the providers need the Belgian one.
    FOREIGN = "foreign"
    FORMAT = "format"
    CHECK_DIGITS = "check_digits"


class InvalidVat(ValueError):
    def __init__(self, problem: VatProblem) -> None:
        super().__init__(problem)
        self.problem = problem


def normalise_belgian_vat(raw: str | None) -> str:
    """Return the VAT number as "BE0123456749", or raise `InvalidVat` saying why."""
    text = (raw or "").strip()
    if not text:
        raise InvalidVat(VatProblem.MISSING)
    compact = re.sub(r"[\s.\-/]", "", text.upper())
    if compact[:2] in FOREIGN_PREFIXES and re.fullmatch(r"[0-9A-Z]*[0-9][0-9A-Z]*", compact[2:]):
        raise InvalidVat(VatProblem.FOREIGN)
    digits = re.sub(r"^BE", "", compact)
    if not digits.isdigit() or len(digits) != 10:
        raise InvalidVat(VatProblem.FORMAT)
    try:
        return "BE" + be_vat.validate(digits)
    except stdnum_errors.InvalidChecksum:
        raise InvalidVat(VatProblem.CHECK_DIGITS) from None
    except stdnum_errors.ValidationError:
        raise InvalidVat(VatProblem.FORMAT) from None
