"""Which worked hours go to Connexie, and which are left out and why.

Plain functions over plain data: no Flask, no RQ, no database. The rules come from
the Eitje–Connexie help page: only *approved* hours, only for people on a *flex*
(zero-hour) contract that is *active on the day of the shift*, and meals and
allowances only once a code is mapped for them. A second export of a period sends
everything of that period again under the same key, so Connexie replaces the earlier
lines instead of adding to them.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from portal.providers.base import ContractType

MINUTES_PER_HOUR = Decimal(60)


class LineType(enum.StrEnum):
    WORKED_HOURS = "worked_hours"
    MEAL = "meal"
    ALLOWANCE = "allowance"


class LeftOutReason(enum.StrEnum):
    NOT_APPROVED = "not_approved"
    # Connexie only knows team members it sent us: a person added by hand has no ID there.
    NOT_AT_CONNEXIE = "not_at_connexie"
    NO_ACTIVE_CONTRACT = "no_active_contract"
    FIXED_HOURS_CONTRACT = "fixed_hours_contract"
    NO_CODE_MAPPED = "no_code_mapped"


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month: payroll runs per month, and one month is one export key."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2025-05` → May 2025; ValueError for anything else."""
        year, month = (int(part) for part in text.split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError(text)
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class Contract:
    contract_type: ContractType | None
    start_date: date
    end_date: date | None

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True, slots=True)
class Shift:
    shift_id: int
    employee_name: str
    # The employee's Connexie ID; None when the person was not synced from Connexie.
    team_member_id: str | None
    day: date
    starts_at: time
    ends_at: time
    break_minutes: int
    meals: int
    allowance_amount: Decimal
    approved: bool
    contract: Contract | None


@dataclass(frozen=True, slots=True)
class CodeMapping:
    """The codes chosen in the Connexie settings; None means "not exported"."""

    meal_code: str | None
    allowance_code: str | None

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> CodeMapping:
        return cls(settings.get("meal_code") or None, settings.get("allowance_code") or None)


@dataclass(frozen=True, slots=True)
class Line:
    shift_id: int
    employee_name: str
    team_member_id: str
    day: date
    line_type: LineType
    quantity: Decimal
    code: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "team_member_id": self.team_member_id,
            "date": self.day.isoformat(),
            "type": self.line_type.value,
            "quantity": str(self.quantity),
            "code": self.code,
        }


@dataclass(frozen=True, slots=True)
class LeftOut:
    shift_id: int
    employee_name: str
    day: date
    line_type: LineType
    quantity: Decimal
    reason: LeftOutReason


@dataclass(frozen=True, slots=True)
class ExportPlan:
    lines: tuple[Line, ...]
    left_out: tuple[LeftOut, ...]

    @property
    def exported_shift_ids(self) -> frozenset[int]:
        return frozenset(line.shift_id for line in self.lines)


def worked_hours(starts_at: time, ends_at: time, break_minutes: int) -> Decimal:
    """Hours worked, breaks excluded; a shift ending before it starts ran past midnight."""
    start = datetime.combine(date.min, starts_at)
    end = datetime.combine(date.min, ends_at)
    if end <= start:
        end += timedelta(days=1)
    minutes = Decimal(int((end - start).total_seconds() // 60) - break_minutes)
    return (max(minutes, Decimal(0)) / MINUTES_PER_HOUR).quantize(Decimal("0.01"))


def shift_refusal(shift: Shift) -> LeftOutReason | None:
    """Why none of this shift may go to Connexie, or None when it may."""
    if not shift.approved:
        return LeftOutReason.NOT_APPROVED
    if shift.team_member_id is None:
        return LeftOutReason.NOT_AT_CONNEXIE
    if shift.contract is None or not shift.contract.is_active_on(shift.day):
        return LeftOutReason.NO_ACTIVE_CONTRACT
    if shift.contract.contract_type is not ContractType.FLEX:
        return LeftOutReason.FIXED_HOURS_CONTRACT
    return None


def shift_parts(shift: Shift, codes: CodeMapping) -> list[tuple[LineType, Decimal, str | None]]:
    """What one shift amounts to: its hours, and its meals and allowances when it has any."""
    parts: list[tuple[LineType, Decimal, str | None]] = [
        (LineType.WORKED_HOURS, worked_hours(shift.starts_at, shift.ends_at, shift.break_minutes), None)
    ]
    if shift.meals > 0:
        parts.append((LineType.MEAL, Decimal(shift.meals), codes.meal_code))
    if shift.allowance_amount > 0:
        parts.append((LineType.ALLOWANCE, shift.allowance_amount, codes.allowance_code))
    return parts


def plan_export(shifts: Iterable[Shift], codes: CodeMapping) -> ExportPlan:
    """Every line that goes, and every part left out with its reason, in shift order."""
    lines: list[Line] = []
    left_out: list[LeftOut] = []
    for shift in shifts:
        refusal = shift_refusal(shift)
        for line_type, quantity, code in shift_parts(shift, codes):
            # Connexie refuses a meal or an allowance without a code ("code_required").
            reason = refusal or (
                LeftOutReason.NO_CODE_MAPPED if line_type is not LineType.WORKED_HOURS and code is None else None
            )
            if reason is not None:
                left_out.append(LeftOut(shift.shift_id, shift.employee_name, shift.day, line_type, quantity, reason))
            elif quantity > 0:
                lines.append(
                    Line(shift.shift_id, shift.employee_name, shift.team_member_id or "", shift.day, line_type, quantity, code)
                )
    return ExportPlan(tuple(lines), tuple(left_out))


def export_key(tenant_id: int, integration_id: int, period: Period) -> str:
    """One key per tenant, integration and month, whatever the attempt: a re-export or a
    retry after a failure replaces what Connexie has, and never books hours twice."""
    return f"flexsync-{tenant_id}-{integration_id}-{period}"
