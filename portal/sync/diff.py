"""Which fields a provider record changes, from what to what.

Unchanged must be detected exactly: a re-sync with no change at the provider writes
zero rows, so values are compared after the same normalisation they are stored with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple

from portal.providers.base import PERSONAL_FIELDS, EmployeeRecord, FieldPolicy
from portal.sync.policies import Verdict, verdict
from portal.sync.state import LocalEmployee, WageContract, normalize_email


class FieldChange(NamedTuple):
    """One line of the per-employee change log. `field` is a LocalEmployee attribute or
    `wage_contract.<attribute>`. A named tuple, not a frozen dataclass: a first sync builds
    one for every value of every new employee, and a tuple is built in half the time."""

    field: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A provider value Flexsync deliberately did not apply; the admin decides."""

    field: str
    local_value: object
    provider_value: object


@dataclass(frozen=True, slots=True)
class PersonalDiff:
    changes: tuple[FieldChange, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    reverify_phone: bool = False


def provider_value(record: EmployeeRecord, field_name: str) -> object:
    """A record's value as Flexsync stores it: trimmed, e-mail lower-cased."""
    value = getattr(record, field_name)
    if isinstance(value, str):
        value = value.strip()
        return normalize_email(value) if field_name == "email" else value
    return value


def personal_diff(
    record: EmployeeRecord,
    employee: LocalEmployee | None,
    policies: Mapping[str, FieldPolicy],
) -> PersonalDiff:
    changes: list[FieldChange] = []
    discrepancies: list[Discrepancy] = []
    reverify = False
    for name in PERSONAL_FIELDS:
        new = provider_value(record, name)
        old = getattr(employee, name) if employee is not None else None
        if new == old:
            continue
        # Once matched, the provider ID is the key: a provider without an e-mail for a
        # known employee does not take their login away.
        if name == "email" and new in (None, "") and employee is not None:
            continue
        match verdict(policies.get(name, FieldPolicy.OVERWRITE), employee):
            case Verdict.APPLY:
                changes.append(FieldChange(name, old, new))
            case Verdict.APPLY_AND_REVERIFY:
                changes.append(FieldChange(name, old, new))
                reverify = True
            case Verdict.ALERT:
                discrepancies.append(Discrepancy(name, old, new))
            case Verdict.KEEP:
                pass
    return PersonalDiff(tuple(changes), tuple(discrepancies), reverify)


# (attribute, change-log field) of a wage contract, worked out once rather than per employee.
_CONTRACT_FIELDS = tuple((f.name, f"wage_contract.{f.name}") for f in fields(WageContract))


def wage_contract_changes(old: WageContract | None, new: WageContract) -> tuple[FieldChange, ...]:
    if old is None:
        return tuple(FieldChange(logged, None, getattr(new, name)) for name, logged in _CONTRACT_FIELDS)
    return tuple(
        FieldChange(logged, getattr(old, name), value)
        for name, logged in _CONTRACT_FIELDS
        if getattr(old, name) != (value := getattr(new, name))
    )
