"""Checks on a provider record before anything of it is written.

Connectors report what they cannot read as `RecordError`; these are the problems only
visible once a record is typed. Each one fails that employee only, never the page.
"""

from __future__ import annotations

from portal.providers.base import EmployeeRecord, WageType
from portal.sync.diff import provider_value
from portal.sync.outcomes import Reason

# The storage limits of the employee columns; the persistence layer uses the same ones.
FIELD_MAX_LENGTH: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "language": 10,
    "employee_number": 50,
    "phone": 32,
    "entity_ref": 100,
}

_WAGE_TYPES = frozenset(WageType)


def record_problem(record: EmployeeRecord) -> Reason | None:
    for contract in record.contracts:
        if contract.wage_type not in _WAGE_TYPES:
            return Reason.UNKNOWN_WAGE_TYPE
        if contract.end_date is not None and contract.end_date < contract.start_date:
            return Reason.CONTRACT_ENDS_BEFORE_START
        if contract.gross_amount < 0:
            return Reason.NEGATIVE_SALARY
    for name, limit in FIELD_MAX_LENGTH.items():
        sent = getattr(record, name)
        # Trimming only shortens a value, and lower-casing (of an e-mail) lengthens only
        # non-ASCII text ("İ" -> "i̇"): most values need no stored form to be measured.
        if not isinstance(sent, str) or (len(sent) <= limit and sent.isascii()):
            continue
        value = provider_value(record, name)
        if isinstance(value, str) and len(value) > limit:
            return Reason.FIELD_TOO_LONG
    return None
