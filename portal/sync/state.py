"""What Flexsync has stored, as the sync engine sees it.

The persistence layer loads these plain records for the employees a page of provider
records may touch (see `LookupKeys`), hands them to the planner, and writes back what
the planner decided. Nothing here knows about the database.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from portal.providers.base import ContractType, EmployeeRecord, WageType, WorkerClass


class SyncMode(enum.StrEnum):
    FULL = "full"
    SELECTIVE = "selective"


class Selection(enum.StrEnum):
    """Where a provider employee stands in the selective-sync selection window."""

    SELECTED = "selected"
    # Offered in the selection window and not chosen: stays out until the admin picks them.
    PARKED = "parked"


@dataclass(frozen=True, slots=True)
class WageContract:
    """The wage contract Flexsync keeps for an employee: the one active at the provider."""

    provider_id: str
    # How the provider pays the employee.
    wage_type: WageType
    worker_class: WorkerClass
    # Exactly as the provider sent it: per hour or per month.
    provider_gross_amount: Decimal
    # What flex budgets are based on: per month, except blue-collar hourly wages.
    gross_salary: Decimal
    salary_period: WageType
    # The weekly hours an hourly wage was converted with; None when nothing was converted.
    converted_with_weekly_hours: Decimal | None
    start_date: date
    end_date: date | None
    work_regime_pct: Decimal
    employer_social_security_pct: Decimal | None
    contract_type: ContractType | None
    wage_code: str | None

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True, slots=True)
class LocalEmployee:
    local_id: int
    email: str
    first_name: str
    last_name: str
    # Set once the employee is matched to a provider record; from then on it is the only key.
    provider_id: str | None = None
    language: str | None = None
    start_date: date | None = None
    employee_number: str | None = None
    phone: str | None = None
    # The local entity (`Entity`) the provider's entity or venue maps to (`scope.SyncScope`).
    entity_id: int | None = None
    wage_contract: WageContract | None = None
    active: bool = True
    language_changed_by_employee: bool = False
    phone_verified: bool = False
    # A local user the first sync could not match: the admin keeps or removes them.
    external: bool = False
    # Synced by another of the company's integrations (its provider ID, in that
    # integration's namespace, can never match a record of this one).
    synced_by_other_integration: bool = False

    @property
    def ever_synced(self) -> bool:
        return self.provider_id is not None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


def normalize_email(email: str) -> str:
    return email.strip().lower()


# Cached: a page asks for each record's key five times (its lookup, the namesake check,
# its claim to an e-mail, the memory of a first sync), a tenth of planning a first sync.
@lru_cache(maxsize=4096)
def person_key(first_name: str, last_name: str) -> tuple[str, str]:
    return (" ".join(first_name.split()).casefold(), " ".join(last_name.split()).casefold())


@dataclass(frozen=True, slots=True)
class LookupKeys:
    """What the persistence layer must load for one page of records."""

    provider_ids: frozenset[str]
    emails: frozenset[str]
    # (first name, last name) as `person_key` folds them, for probable duplicates.
    person_keys: frozenset[tuple[str, str]]


def lookup_keys(records: Iterable[EmployeeRecord]) -> LookupKeys:
    records = list(records)
    return LookupKeys(
        provider_ids=frozenset(r.provider_id for r in records),
        emails=frozenset(normalize_email(r.email) for r in records if r.email),
        person_keys=frozenset(person_key(r.first_name, r.last_name) for r in records),
    )


@dataclass(frozen=True)
class LocalState:
    """The employees and selection choices a page of records may touch."""

    employees: tuple[LocalEmployee, ...] = ()
    # Provider ID -> selection; a provider ID missing here was never offered.
    selections: Mapping[str, Selection] = field(default_factory=dict)
    by_provider_id: Mapping[str, LocalEmployee] = field(init=False, repr=False)
    by_email: Mapping[str, LocalEmployee] = field(init=False, repr=False)
    # Namesakes in `employees` order: the duplicate check of a page's newcomers looks
    # up their own name instead of folding every candidate's name for each of them.
    by_person_key: Mapping[tuple[str, str], tuple[LocalEmployee, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        namesakes: dict[tuple[str, str], list[LocalEmployee]] = {}
        for employee in self.employees:
            namesakes.setdefault(person_key(employee.first_name, employee.last_name), []).append(employee)
        object.__setattr__(self, "by_person_key", {key: tuple(group) for key, group in namesakes.items()})
        object.__setattr__(
            self,
            "by_provider_id",
            {e.provider_id: e for e in self.employees if e.provider_id is not None},
        )
        object.__setattr__(self, "by_email", {normalize_email(e.email): e for e in self.employees})
