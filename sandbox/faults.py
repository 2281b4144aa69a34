"""Fault knobs: how a sandbox misbehaves on purpose, the way real providers do.

Three families, all documented with their JSON in docs/sandbox.md:
- request faults (latency, 429, 5xx, hang) hit whole HTTP requests;
- record faults damage a given number of employee records as they are served,
  without touching the dataset, so `reset` is never needed to undo them;
- page faults (repeat, empty, malformed JSON) are one-shot: they fire once on the
  named page and clear themselves, like a provider glitch a retry gets past;
- the "updated since" listing's faults: a cursor refused as too old, a clock set wrong.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from datetime import date

from sandbox.dataset import current_contract, moved_employee

# Record faults are applied to distinct employees, in this order, from the top of the list.
RECORD_FAULTS = (
    "missing_email",
    "bad_date",
    "negative_salary",
    "unknown_wage_type",
    "duplicate_ids",
    "entity_move",
    "long_names",
    "html_names",
    "text_salary",
    "bad_phone",
)
# The record faults that can also be set together under one "malformed" object.
MALFORMED_RECORDS = RECORD_FAULTS[:4]
PAGE_FAULTS = ("repeat_page", "empty_page", "malformed_json_page")
COUNTED_FAULTS = ("rate_limit", "error_5xx", "hang")
SETTINGS = ("latency_ms", "page_latency_ms", "token_ttl_s", "codes_inactive", "cursor_expired", "clock_skew_s")
KNOWN_FAULTS = RECORD_FAULTS + PAGE_FAULTS + COUNTED_FAULTS + SETTINGS + ("malformed",)

LONG_NAME_BYTES = 10 * 1024
HTML_NAME = "<script>alert(1)</script>"
# A phone number too short to be anyone's, as typed into an HR system by hand.
BAD_PHONE = "0470 12 34"


class FaultError(ValueError):
    """A knob set to something the sandbox cannot honour; the admin endpoint answers 400."""


@dataclass(frozen=True)
class RequestVerdict:
    """What the request faults decided for one request."""

    sleep_s: float = 0.0
    hang_s: float = 0.0
    status: int | None = None
    retry_after: int | None = None


class Faults:
    """The current knobs of one sandbox, safe to read and change from request threads."""

    def __init__(self, initial: dict | None = None, max_hang_s: float = 30.0) -> None:
        self.max_hang_s = max_hang_s
        self._lock = threading.Lock()
        self._knobs: dict = {}
        self._requests_seen: dict[str, int] = {}
        if initial:
            self.update(initial)

    def to_json(self) -> dict:
        with self._lock:
            return copy.deepcopy(self._knobs)

    def get(self, name: str, default=None):
        with self._lock:
            return self._knobs.get(name, default)

    def update(self, changes: dict) -> dict:
        """Merge knobs in; a knob set to null (or 0/false) is switched off.

        Except `token_ttl_s`, where 0 is the point: tokens that expire at once.
        """
        unknown = set(changes) - set(KNOWN_FAULTS)
        if unknown:
            raise FaultError(f"unknown fault knobs: {', '.join(sorted(unknown))}")
        flat = dict(changes)
        malformed = flat.pop("malformed", None) or {}
        if set(malformed) - set(MALFORMED_RECORDS):
            raise FaultError(f"malformed takes only {', '.join(MALFORMED_RECORDS)}")
        flat.update(malformed)
        for name, value in flat.items():
            validate_knob(name, value)
        with self._lock:
            for name, value in flat.items():
                self._requests_seen.pop(name, None)
                if value is None or (value in (0, False, {}) and name != "token_ttl_s"):
                    self._knobs.pop(name, None)
                else:
                    self._knobs[name] = copy.deepcopy(value)
        return self.to_json()

    def judge_request(self, is_page: bool) -> RequestVerdict:
        """Decide latency, hang, 429 or 5xx for one API request, consuming counters."""
        with self._lock:
            sleep_ms = self._knobs.get("latency_ms", 0)
            if is_page:
                sleep_ms += self._knobs.get("page_latency_ms", 0)
            hang = self._fires("hang")
            limited = self._fires("rate_limit")
            # A request answered 429 never reached the failing backend: keep its 5xx for later.
            failed = None if limited else self._fires("error_5xx")
        verdict = {"sleep_s": sleep_ms / 1000}
        if hang:
            verdict["hang_s"] = min(float(hang.get("seconds", self.max_hang_s)), self.max_hang_s)
        if limited:
            return RequestVerdict(**verdict, status=429, retry_after=int(limited.get("retry_after", 1)))
        if failed:
            return RequestVerdict(**verdict, status=int(failed.get("status", 500)))
        return RequestVerdict(**verdict)

    def _fires(self, name: str) -> dict | None:
        knob = self._knobs.get(name)
        if not knob:
            return None
        if "next" in knob:
            knob["next"] -= 1
            if knob["next"] <= 0:
                del self._knobs[name]
            return knob
        seen = self._requests_seen.get(name, 0) + 1
        self._requests_seen[name] = seen
        return knob if seen % int(knob["every"]) == 0 else None

    def take_page_fault(self, name: str, page: int) -> bool:
        """True once when the one-shot page fault `name` is set for `page`."""
        with self._lock:
            if self._knobs.get(name) != page:
                return False
            del self._knobs[name]
            return True


def validate_knob(name: str, value) -> None:
    if value is None:
        return
    if name in COUNTED_FAULTS:
        if not isinstance(value, dict) or not (("next" in value) ^ ("every" in value)):
            raise FaultError(f"{name} needs exactly one of 'next' or 'every'")
        count = value.get("next", value.get("every"))
        if not isinstance(count, int) or count < 1:
            raise FaultError(f"{name}: 'next'/'every' must be a positive integer")
        status = value.get("status", 500)
        if name == "error_5xx" and not 500 <= int(status) <= 599:
            raise FaultError("error_5xx: status must be between 500 and 599")
    elif name == "codes_inactive":
        if not isinstance(value, bool):
            raise FaultError("codes_inactive must be true or false")
    elif name == "cursor_expired":
        # true: every cursor is refused; N: a cursor more than N seconds old is.
        if not isinstance(value, int) or (not isinstance(value, bool) and value < 0):
            raise FaultError("cursor_expired must be true, false or a number of seconds")
    elif name == "clock_skew_s":
        if not isinstance(value, int) or isinstance(value, bool):
            raise FaultError("clock_skew_s must be a whole number of seconds, negative for a clock behind")
    elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FaultError(f"{name} must be a non-negative integer")


def damaged_records(faults: Faults, company: dict) -> dict[int, dict]:
    """Position in the employee list → the damaged record served instead."""
    employees = company["employees"]
    # Only people under contract: a damaged former employee would be skipped by any
    # importer before the damage shows, and the knob would test nothing.
    eligible = (i for i, employee in enumerate(employees) if under_contract(employee))
    damaged: dict[int, dict] = {}
    for name in RECORD_FAULTS:
        for _ in range(faults.get(name, 0)):
            position = next(eligible, None)
            if position is None:
                return damaged
            damaged[position] = damage(name, employees, position, company)
    return damaged


def under_contract(employee: dict) -> bool:
    end_date = current_contract(employee)["end_date"]
    return end_date is None or end_date >= date.today().isoformat()


def damage(name: str, employees: list[dict], position: int, company: dict) -> dict:
    record = copy.deepcopy(employees[position])
    contract = current_contract(record)
    if name == "missing_email":
        record["email"] = None
    elif name == "bad_date":
        record["start_date"] = contract["start_date"] = "2021-02-31"
    elif name == "negative_salary":
        contract["gross_amount"] = f"-{contract['gross_amount']}"
    elif name == "unknown_wage_type":
        contract["wage_type"] = "per_shift"
    elif name == "duplicate_ids":
        neighbour = employees[position - 1] if position > 0 else employees[-1]
        record["id"] = neighbour["id"]
    elif name == "entity_move":
        other = next(e["id"] for e in company["entities"] if e["id"] != record["entity_id"])
        record = moved_employee(record, {"new_employee_id": f"{record['id']}-M", "entity_id": other})
    elif name == "long_names":
        record["first_name"] = ("Anaïs-Maëlle " * LONG_NAME_BYTES)[:LONG_NAME_BYTES]
    elif name == "html_names":
        record["first_name"] = HTML_NAME
        record["last_name"] = f'"><img src=x onerror=alert(1)> {record["last_name"]}'
    elif name == "text_salary":
        contract["gross_amount"] = belgian_amount(contract["gross_amount"])
    elif name == "bad_phone":
        record["phone"] = BAD_PHONE
    return record


def belgian_amount(amount: str) -> str:
    """An amount as a Belgian spreadsheet writes it, "3500.00" -> "3.500,00": text, not a number."""
    return f"{float(amount):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def served_slice(faults: Faults, company: dict, start: int, stop: int) -> list[dict]:
    """Employees [start, stop) as the provider serves them, record faults applied."""
    damaged = damaged_records(faults, company) if any(faults.get(n) for n in RECORD_FAULTS) else {}
    employees = company["employees"]
    return [damaged.get(i, employees[i]) for i in range(start, min(stop, len(employees)))]
