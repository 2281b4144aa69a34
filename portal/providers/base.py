"""The one small interface every provider connector stands behind.

A connector only *reads and translates*: it turns a provider's pages into typed
records (or one `RecordError` per record it cannot read) and says which policy
applies to each synced field. The sync engine alone decides and writes.
Nothing here knows about Flask, RQ or the database.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from portal.providers.http import HttpClient


class Provider(enum.StrEnum):
    SECUREX = "securex"
    LIANTIS = "liantis"
    CONNEXIE = "connexie"
    HRIS = "hris"


class FieldPolicy(enum.StrEnum):
    OVERWRITE = "overwrite"
    # Liantis language: set once, then the employee's own choice wins.
    FIRST_SYNC_ONLY = "first_sync_only"
    # Generic HR e-mail: changing a login silently would lock people out.
    NEVER_OVERWRITE_AND_ALERT = "never_overwrite_and_alert"
    # Generic HR phone: applied, but the number must be verified again.
    OVERWRITE_AND_REVERIFY = "overwrite_and_reverify"


class WageType(enum.StrEnum):
    HOURLY = "hourly"
    MONTHLY = "monthly"


class WorkerClass(enum.StrEnum):
    WHITE_COLLAR = "white_collar"
    BLUE_COLLAR = "blue_collar"


class ContractType(enum.StrEnum):
    FLEX = "flex"
    FIXED_HOURS = "fixed_hours"


# The synced personal fields, by the name the engine and the models use. The record's
# `entity_ref` is not one: the sync scope turns it into the employee's local entity.
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "language",
    "start_date",
    "employee_number",
    "phone",
)


@dataclass(frozen=True, slots=True)
class WageContractRecord:
    provider_id: str
    wage_type: WageType
    # Per hour for HOURLY, per month for MONTHLY, exactly as the provider sends it.
    gross_amount: Decimal
    start_date: date
    end_date: date | None = None
    worker_class: WorkerClass = WorkerClass.WHITE_COLLAR
    work_regime_pct: Decimal = Decimal("100")
    weekly_hours: Decimal | None = None
    employer_social_security_pct: Decimal | None = None
    contract_type: ContractType | None = None
    entity_ref: str | None = None
    wage_code: str | None = None

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    provider_id: str
    first_name: str
    last_name: str
    email: str | None
    language: str | None = None
    start_date: date | None = None
    employee_number: str | None = None
    phone: str | None = None
    # The provider's entity or venue: its ID, and its name when the record carries it.
    entity_ref: str | None = None
    entity_name: str | None = None
    contracts: tuple[WageContractRecord, ...] = ()
    # Set by providers that say so explicitly (generic HR exclusions, removals).
    excluded: bool = False

    def active_contract(self, day: date) -> WageContractRecord | None:
        active = [c for c in self.contracts if c.is_active_on(day)]
        return max(active, key=lambda c: c.start_date) if active else None


class RecordProblem(enum.StrEnum):
    MISSING_EMAIL = "missing_email"
    BAD_DATE = "bad_date"
    NEGATIVE_SALARY = "negative_salary"
    UNKNOWN_WAGE_TYPE = "unknown_wage_type"
    FIELD_TOO_LONG = "field_too_long"
    MALFORMED = "malformed"
    DUPLICATE_ID = "duplicate_id"
    # A value someone typed at the provider that Flexsync cannot read ("3.500,00" as an
    # amount, a phone number nobody can be reached on): the admin corrects it there.
    UNREADABLE_VALUE = "unreadable_value"


@dataclass(frozen=True, slots=True)
class RecordError:
    """One provider record that could not be read; reported, never fatal for the page."""

    problem: RecordProblem
    provider_id: str | None
    # For operators (the log); the admin reads `field` and `value`.
    detail: str
    # Enough of the record to let an admin recognise the person.
    display_name: str | None = None
    # The field that could not be read, by the engine's name ("wage_contract.provider_gross_amount",
    # "phone"), and its value as the provider sent it, shortened: the run line names both.
    field: str | None = None
    value: str | None = None
    # The e-mail address the provider sends, as sent: the preview lists it for failures too.
    email: str | None = None


@dataclass(frozen=True)
class Page:
    """One answer of the provider: its records as sent, read into typed records on demand,
    so a sync can count a record it knows is unchanged without reading it."""

    raw: Sequence[Any]
    read: Callable[[Any], EmployeeRecord | RecordError] = field(repr=False)
    # Total number of employees when the provider tells it, else None.
    total: int | None = None
    # The provider's own time when it answered (UTC), for providers that say it: where
    # the next listing of changes may start.
    as_of: datetime | None = None

    @cached_property
    def items(self) -> list[EmployeeRecord | RecordError]:
        return [self.read(raw) for raw in self.raw]


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    provider_company_id: str
    name: str


class ActivationProblem(enum.StrEnum):
    MISSING_VAT = "missing_vat"
    INVALID_VAT = "invalid_vat"
    COMPANY_NOT_FOUND = "company_not_found"
    NOT_AVAILABLE = "not_available"
    INVALID_TOKEN = "invalid_token"
    INTERNAL_ERROR = "internal_error"


class ProviderError(Exception):
    """The provider could not be used; the message is for operators, not admins."""


class ActivationError(ProviderError):
    def __init__(self, problem: ActivationProblem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}")
        self.problem = problem
        self.detail = detail


class ProviderUnavailable(ProviderError):
    """Timeouts, 5xx and exhausted retries: the run ends in Error, nothing is deactivated."""


class ReconnectNeeded(ProviderError):
    """The grant was revoked or is invalid: the admin must connect again."""


class CursorRefused(ProviderUnavailable):
    """The provider no longer lists the changes since that moment: list everyone instead."""


@dataclass
class Credentials:
    """What a connector needs to talk to a provider for one company.

    Connectors that refresh tokens update this object in place; the caller persists it
    (encrypted) when `changed` is set.
    """

    provider_company_id: str | None = None
    vat_number: str | None = None
    api_token: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: float | None = None
    changed: bool = field(default=False, compare=False)


class TokenGuard(Protocol):
    """Makes one integration's token refresh exclusive across processes.

    Providers that rotate refresh tokens (Liantis) revoke the old one on every refresh:
    two jobs refreshing the same stale pair at once would leave one of them with a dead
    token and the integration wrongly marked "reconnect needed".
    """

    def refreshing(self) -> AbstractContextManager[Credentials]:
        """Hold the lock; yields the newest stored credentials."""

    def save(self, credentials: Credentials) -> None:
        """Store refreshed tokens at once, before the lock is let go."""


class Connector(abc.ABC):
    provider: ClassVar[Provider]
    field_policies: ClassVar[Mapping[str, FieldPolicy]]
    # The provider's page of one employee, `{id}` standing for their provider ID.
    edit_path: ClassVar[str]
    # How many syncs of this provider may run at once across the fleet.
    max_concurrent_syncs: ClassVar[int] = 4
    # Refreshes OAuth tokens that the provider rotates: takes a `token_guard` option.
    rotates_tokens: ClassVar[bool] = False
    # Lists only the employees changed since a moment (`changed_employees`), and says
    # its own time on every page (`Page.as_of`).
    supports_delta: ClassVar[bool] = False
    # For providers where an admin gives consent (OAuth2): the authorize and token paths
    # on the provider's base URL, and the scope asked for. None for the others.
    authorize_path: ClassVar[str | None] = None
    token_path: ClassVar[str | None] = None
    scope: ClassVar[str | None] = None
    # Every call to the provider goes through it (it also counts the 429 answers).
    http: HttpClient

    def __init__(self, base_url: str, credentials: Credentials) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials

    @abc.abstractmethod
    def employees(self) -> Iterator[Page]:
        """Yield the provider's employees page by page, with the total when known."""

    def changed_employees(self, since: datetime) -> Iterator[Page]:
        """Yield the employees changed at the provider since `since` (UTC, the provider's
        clock) page by page; raise `CursorRefused` when the provider no longer goes back
        that far. Only where `supports_delta`; removals are never listed."""
        raise NotImplementedError(f"{self.provider} cannot list only the changed employees")

    @classmethod
    def edit_url(cls, base_url: str, provider_employee_id: str) -> str:
        """Where the admin edits this employee at the provider (locked-field link): no secret needed."""
        return base_url.rstrip("/") + cls.edit_path.format(id=quote(provider_employee_id, safe=""))


@dataclass(frozen=True, slots=True)
class Entity:
    """A place the provider books people in: a Connexie venue, an HR system's entity.

    The activation wizard maps each one to a local entity (or Inactive).
    """

    id: str
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class Code:
    """A wage or hour code the provider defines; only active codes can be booked."""

    id: str
    name: str
    active: bool = True
    # Hour codes only: worked_hours, meal or allowance.
    kind: str | None = None
