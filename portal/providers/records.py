"""Reading one provider record: typed values, or one `RecordError` for that person.

A record the connector cannot read must fail that employee only, never the page. What
only the typed record shows (a negative salary, a missing e-mail, a name too long) is
left to the sync engine's validation, so each problem is reported in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from portal.providers.base import (
    Code,
    ContractType,
    EmployeeRecord,
    RecordError,
    RecordProblem,
    WageContractRecord,
    WageType,
    WorkerClass,
)
from portal.providers.phones import UnreadablePhone, normalise_phone

# Enough of a name for the admin to recognise the person in the run report.
DISPLAY_NAME_LENGTH = 120
# A problem's explanation quotes the provider's value; a huge value must not make a huge report.
DETAIL_LENGTH = 200
# The provider's value as the run line quotes it.
VALUE_LENGTH = 100
# A provider that leaves the work regime out means a full-time contract.
FULL_TIME = Decimal("100")

Raw = Mapping[str, Any]


class Unreadable(Exception):
    """`field` (the engine's name of it) and `value` (as sent) when one value is the problem."""

    def __init__(self, problem: RecordProblem, detail: str, field: str | None = None, value: Any = None) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail
        self.field = field
        self.value = value


def read_employee(raw: Any, translate: Callable[[Raw], EmployeeRecord], email_key: str = "email") -> EmployeeRecord | RecordError:
    """`translate(raw)`, or the `RecordError` that explains why it cannot be read."""
    if not isinstance(raw, Mapping):
        return RecordError(RecordProblem.MALFORMED, None, f"not an object: {type(raw).__name__}")
    provider_id = text(raw.get("id"))
    name = display_name(raw)
    sent = raw.get(email_key)
    email = (sent.strip()[:VALUE_LENGTH] or None) if isinstance(sent, str) else None
    if provider_id is None:
        return RecordError(RecordProblem.MALFORMED, None, "the record has no ID", name, email=email)
    try:
        return translate(raw)
    except Unreadable as error:
        return RecordError(
            error.problem,
            provider_id,
            error.detail[:DETAIL_LENGTH],
            name,
            error.field,
            None if error.field is None else quoted(error.value),
            email,
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        detail = f"unexpected record shape: {error!r}"[:DETAIL_LENGTH]
        return RecordError(RecordProblem.MALFORMED, provider_id, detail, name, email=email)


class Person(TypedDict):
    """Who someone is, read alike from every provider's record."""

    provider_id: str
    first_name: str
    last_name: str
    email: str | None
    language: str | None


def person(raw: Raw, email_key: str = "email") -> Person:
    return Person(
        provider_id=required_text(raw, "id"),
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        email=text(raw.get(email_key)),
        language=language(raw.get("language")),
    )


def quoted(value: Any) -> str:
    """A provider's value as the run line shows it: as sent, cut short; "" for none at all."""
    if value is None:
        return ""
    shown = value if isinstance(value, str) else repr(value)
    return shown if len(shown) <= VALUE_LENGTH else shown[: VALUE_LENGTH - 1] + "…"


def display_name(raw: Raw) -> str | None:
    parts = [raw.get("first_name"), raw.get("last_name")]
    name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return name[:DISPLAY_NAME_LENGTH] or None


def text(value: Any) -> str | None:
    """A string field; IDs some providers send as numbers are read as text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, str)):
        return str(value) if str(value) != "" else None
    raise Unreadable(RecordProblem.MALFORMED, f"expected text, got {type(value).__name__}")


def required_text(raw: Raw, key: str) -> str:
    value = text(raw.get(key))
    if value is None:
        raise Unreadable(RecordProblem.MALFORMED, f"'{key}' is missing")
    return value


def optional_date(value: Any, field: str) -> date | None:
    """`field`: the engine's name of the date ("start_date", "wage_contract.end_date")."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Unreadable(RecordProblem.BAD_DATE, f"{field} is not a date: {value!r}", field, value)
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise Unreadable(RecordProblem.BAD_DATE, f"{field} is not a date: {value!r}", field, value) from error


def required_date(value: Any, field: str) -> date:
    day = optional_date(value, field)
    if day is None:
        raise Unreadable(RecordProblem.BAD_DATE, f"{field} is missing", field, value)
    return day


def optional_decimal(value: Any, field: str) -> Decimal | None:
    """Strings are exact; JSON numbers go through `str` so 15.8 stays 15.8.

    Text that is no number ("3.500,00", "fifteen") is a value typed at the provider: the
    admin corrects it there. Anything else (true, a list) is a record of the wrong shape."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Unreadable(RecordProblem.MALFORMED, f"{field} is not a number: {value!r}", field, value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise Unreadable(RecordProblem.UNREADABLE_VALUE, f"{field} is not a number: {value!r}", field, value) from error
    if not number.is_finite():
        raise Unreadable(RecordProblem.UNREADABLE_VALUE, f"{field} is not a number: {value!r}", field, value)
    return number


def required_decimal(value: Any, field: str) -> Decimal:
    number = optional_decimal(value, field)
    if number is None:
        raise Unreadable(RecordProblem.MALFORMED, f"{field} is missing", field, value)
    return number


def wage_type(value: Any) -> WageType:
    try:
        return WageType(value)
    except ValueError as error:
        raise Unreadable(
            RecordProblem.UNKNOWN_WAGE_TYPE, f"unknown wage type {value!r}", "wage_contract.wage_type", value
        ) from error


def worker_class(value: Any) -> WorkerClass:
    if value is None:
        return WorkerClass.WHITE_COLLAR
    try:
        return WorkerClass(value)
    except ValueError as error:
        raise Unreadable(
            RecordProblem.MALFORMED, f"unknown worker class {value!r}", "wage_contract.worker_class", value
        ) from error


def contract_type(value: Any) -> ContractType | None:
    if value is None:
        return None
    try:
        return ContractType(value)
    except ValueError as error:
        raise Unreadable(
            RecordProblem.MALFORMED, f"unknown contract type {value!r}", "wage_contract.contract_type", value
        ) from error


def phone(value: Any) -> str | None:
    """The phone number in E.164, as Flexsync stores it ("+32 470 12 34 56" -> "+32470123456").

    A number nobody can be reached on fails the person, naming the field and the value,
    rather than being stored or dropped: the generic HR system's phone is verified by
    the employee (a changed one asks for a new verification), so storing it would ask
    them to verify a number no text reaches, and dropping it would erase the number
    they have, silently. Their other data stays as last synced until the HR system is
    corrected; the next sync then brings everything."""
    typed = text(value)
    try:
        return normalise_phone(typed)
    except UnreadablePhone as error:
        raise Unreadable(RecordProblem.UNREADABLE_VALUE, f"phone is not a phone number: {typed!r}", "phone", typed) from error


def contract_list(raw: Raw, key: str) -> list[Raw]:
    contracts = raw.get(key) or []
    if not isinstance(contracts, list) or not all(isinstance(c, Mapping) for c in contracts):
        raise Unreadable(RecordProblem.MALFORMED, f"'{key}' is not a list of contracts")
    return contracts


def wage_contract(raw: Raw, entity_key: str = "entity_id") -> WageContractRecord:
    """The contract fields every provider shares; only the entity key differs."""
    regime = optional_decimal(raw.get("work_regime_pct"), "wage_contract.work_regime_pct")
    return WageContractRecord(
        provider_id=required_text(raw, "id"),
        wage_type=wage_type(raw.get("wage_type")),
        gross_amount=required_decimal(raw.get("gross_amount"), "wage_contract.provider_gross_amount"),
        start_date=required_date(raw.get("start_date"), "wage_contract.start_date"),
        end_date=optional_date(raw.get("end_date"), "wage_contract.end_date"),
        worker_class=worker_class(raw.get("worker_class")),
        work_regime_pct=FULL_TIME if regime is None else regime,
        weekly_hours=optional_decimal(raw.get("weekly_hours"), "wage_contract.weekly_hours"),
        employer_social_security_pct=optional_decimal(
            raw.get("employer_social_security_pct"), "wage_contract.employer_social_security_pct"
        ),
        contract_type=contract_type(raw.get("contract_type")),
        entity_ref=text(raw.get(entity_key)),
        wage_code=text(raw.get("wage_code")),
    )


def language(value: Any) -> str | None:
    """Language codes in lower case, as Flexsync stores them (Liantis sends "NL")."""
    code = text(value)
    return code.strip().lower() if code else None


def code(raw: Raw) -> Code:
    """A wage or hour code as the activation wizard lists it."""
    return Code(str(raw["code"]), str(raw.get("label") or raw["code"]), bool(raw.get("active", True)), raw.get("kind"))
