"""Reading a CSV of worked shifts: every line either becomes a shift or an error that
says which line, which column and what is wrong. No Flask, no database: the register
(`portal.hours.register`) looks the employees up and writes the shifts.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from portal.hours.rules import worked_hours

# Big enough for a month of shifts of a few hundred people, and below Flask's 500 kB form
# limit, so the error page can send the file's text back to import its valid lines.
MAX_FILE_BYTES = 400 * 1024
MAX_ROWS = 5000
MAX_ALLOWANCE = Decimal("1000")
MAX_MEALS = 5

REQUIRED_COLUMNS = ("email", "date", "start", "end")
OPTIONAL_COLUMNS = ("break_minutes", "meals", "allowance", "approved")
YES = {"yes", "y", "ja", "j", "oui", "o", "1", "true", "x"}
NO = {"no", "n", "nee", "non", "0", "false", ""}


class Problem(enum.StrEnum):
    FILE_TOO_BIG = "file_too_big"
    TOO_MANY_ROWS = "too_many_rows"
    NOT_TEXT = "not_text"
    MISSING_COLUMNS = "missing_columns"
    EMPTY = "empty"
    MISSING_VALUE = "missing_value"
    UNKNOWN_EMPLOYEE = "unknown_employee"
    BAD_DATE = "bad_date"
    BAD_TIME = "bad_time"
    BAD_WHOLE_NUMBER = "bad_whole_number"
    BAD_AMOUNT = "bad_amount"
    BAD_YES_NO = "bad_yes_no"
    BREAK_TOO_LONG = "break_too_long"
    TWICE_IN_FILE = "twice_in_file"


@dataclass(frozen=True, slots=True)
class LineError:
    # The line as a spreadsheet numbers it: the header is line 1.
    line: int | None
    column: str | None
    problem: Problem
    value: str = ""


@dataclass(frozen=True, slots=True)
class ShiftRow:
    line: int
    employee_id: int
    day: date
    starts_at: time
    ends_at: time
    break_minutes: int
    meals: int
    allowance_amount: Decimal
    approved: bool


@dataclass(slots=True)
class ImportResult:
    rows: list[ShiftRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def lines_with_errors(self) -> int:
        return len({e.line for e in self.errors if e.line is not None})

    @property
    def file_refused(self) -> bool:
        """A problem with the whole file: not even the valid lines can be imported."""
        return any(e.line is None for e in self.errors)


class _BadValue(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self.problem = problem


def decode(content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise _BadValue(Problem.FILE_TOO_BIG)
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as cp1252
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _BadValue(Problem.NOT_TEXT)


def read_shifts(content: bytes, employee_ids: Mapping[str, int]) -> ImportResult:
    """`employee_ids` maps lower-case e-mail to the employee's id in this company."""
    try:
        text = decode(content)
    except _BadValue as refused:
        return ImportResult(errors=[LineError(None, None, refused.problem)])
    # Belgian Excel separates with ";", most other tools with ",".
    first_line = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first_line.count(";") > first_line.count(",") else ",")
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return ImportResult(errors=[LineError(None, None, Problem.MISSING_COLUMNS, ", ".join(missing))])
    reader.fieldnames = header
    result = ImportResult()
    seen: set[tuple[int, date, time]] = set()
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            return ImportResult(errors=[LineError(None, None, Problem.TOO_MANY_ROWS, str(MAX_ROWS))])
        values = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(values.values()):
            continue  # blank lines at the end of a spreadsheet export
        row, errors = read_row(number, values, employee_ids)
        if row is not None and (row.employee_id, row.day, row.starts_at) in seen:
            errors.append(LineError(number, "start", Problem.TWICE_IN_FILE, values["start"]))
        if errors:
            result.errors.extend(errors)
        elif row is not None:
            seen.add((row.employee_id, row.day, row.starts_at))
            result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(LineError(None, None, Problem.EMPTY))
    return result


def read_row(number: int, values: dict[str, str], employee_ids: Mapping[str, int]) -> tuple[ShiftRow | None, list[LineError]]:
    """One CSV line: every problem on it is reported, not only the first."""
    errors: list[LineError] = []

    def take(column: str, reader, default=None):
        value = values.get(column, "")
        if value == "" and default is not None:
            return default
        if value == "":
            errors.append(LineError(number, column, Problem.MISSING_VALUE))
            return None
        try:
            return reader(value)
        except _BadValue as bad:
            errors.append(LineError(number, column, bad.problem, value))
            return None

    employee_id = take("email", lambda v: lookup(v, employee_ids))
    day = take("date", parse_day)
    starts_at = take("start", parse_time)
    ends_at = take("end", parse_time)
    break_minutes = take("break_minutes", lambda v: whole_number(v, 24 * 60), default=0)
    meals = take("meals", lambda v: whole_number(v, MAX_MEALS), default=0)
    allowance = take("allowance", amount, default=Decimal(0))
    approved = take("approved", yes_no, default=False)
    if starts_at and ends_at and break_minutes and worked_hours(starts_at, ends_at, 0) * 60 <= break_minutes:
        errors.append(LineError(number, "break_minutes", Problem.BREAK_TOO_LONG, values["break_minutes"]))
    if errors:
        return None, errors
    return ShiftRow(number, employee_id, day, starts_at, ends_at, break_minutes, meals, allowance, approved), []


def lookup(email: str, employee_ids: Mapping[str, int]) -> int:
    found = employee_ids.get(email.lower())
    if found is None:
        raise _BadValue(Problem.UNKNOWN_EMPLOYEE)
    return found


def parse_day(value: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise _BadValue(Problem.BAD_DATE)


def parse_time(value: str) -> time:
    for pattern in ("%H:%M", "%H.%M", "%Hu%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).time()
        except ValueError:
            continue
    raise _BadValue(Problem.BAD_TIME)


def whole_number(value: str, maximum: int) -> int:
    if not value.isdigit() or int(value) > maximum:
        raise _BadValue(Problem.BAD_WHOLE_NUMBER)
    return int(value)


def amount(value: str) -> Decimal:
    try:
        # Belgian spreadsheets write 4,50.
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise _BadValue(Problem.BAD_AMOUNT) from None
    if not number.is_finite() or number < 0 or number > MAX_ALLOWANCE or number != number.quantize(Decimal("0.01")):
        raise _BadValue(Problem.BAD_AMOUNT)
    return number


def yes_no(value: str) -> bool:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise _BadValue(Problem.BAD_YES_NO)
