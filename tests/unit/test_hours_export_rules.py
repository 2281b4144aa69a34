"""The Connexie export rules, one by one, without a server."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import pytest

from portal.hours.rules import (
    CodeMapping,
    Contract,
    LeftOutReason,
    LineType,
    Period,
    Shift,
    export_key,
    plan_export,
    worked_hours,
)
from portal.providers.base import ContractType

MAY_12 = date(2025, 5, 12)
FLEX = Contract(ContractType.FLEX, date(2025, 1, 1), None)
CODES = CodeMapping(meal_code="M200", allowance_code="A300")


def shift(**fields) -> Shift:
    values = dict(
        shift_id=1,
        employee_name="Anaïs Lefèvre",
        team_member_id="C001-000001",
        day=MAY_12,
        starts_at=time(9),
        ends_at=time(15, 30),
        break_minutes=30,
        meals=1,
        allowance_amount=Decimal("4.50"),
        approved=True,
        contract=FLEX,
    )
    values.update(fields)
    return Shift(**values)


def left_out_reasons(plan) -> set[tuple[LineType, LeftOutReason]]:
    return {(item.line_type, item.reason) for item in plan.left_out}


def test_an_approved_flex_shift_goes_with_its_hours_meal_and_allowance():
    plan = plan_export([shift()], CODES)
    assert [(l.line_type, l.quantity, l.code) for l in plan.lines] == [
        (LineType.WORKED_HOURS, Decimal("6.00"), None),
        (LineType.MEAL, Decimal(1), "M200"),
        (LineType.ALLOWANCE, Decimal("4.50"), "A300"),
    ]
    assert plan.left_out == ()
    assert plan.lines[0].as_json() == {
        "team_member_id": "C001-000001",
        "date": "2025-05-12",
        "type": "worked_hours",
        "quantity": "6.00",
        "code": None,
    }


def test_hours_that_are_not_approved_stay_home():
    plan = plan_export([shift(approved=False)], CODES)
    assert plan.lines == ()
    assert left_out_reasons(plan) == {(t, LeftOutReason.NOT_APPROVED) for t in LineType}


def test_a_fixed_hours_contract_gets_no_export():
    plan = plan_export([shift(contract=replace(FLEX, contract_type=ContractType.FIXED_HOURS))], CODES)
    assert plan.lines == ()
    assert {r for _, r in left_out_reasons(plan)} == {LeftOutReason.FIXED_HOURS_CONTRACT}


@pytest.mark.parametrize(
    "contract",
    [
        None,
        Contract(ContractType.FLEX, date(2025, 5, 13), None),  # starts the day after
        Contract(ContractType.FLEX, date(2024, 1, 1), date(2025, 5, 11)),  # ended the day before
    ],
)
def test_only_a_contract_active_on_the_day_of_the_shift_counts(contract):
    plan = plan_export([shift(contract=contract)], CODES)
    assert plan.lines == ()
    assert {r for _, r in left_out_reasons(plan)} == {LeftOutReason.NO_ACTIVE_CONTRACT}


def test_the_first_and_last_day_of_a_contract_count():
    contract = Contract(ContractType.FLEX, MAY_12, MAY_12)
    assert len(plan_export([shift(contract=contract)], CODES).lines) == 3


def test_meals_and_allowances_need_a_mapped_code_but_the_hours_still_go():
    plan = plan_export([shift()], CodeMapping(meal_code=None, allowance_code=None))
    assert [l.line_type for l in plan.lines] == [LineType.WORKED_HOURS]
    assert left_out_reasons(plan) == {
        (LineType.MEAL, LeftOutReason.NO_CODE_MAPPED),
        (LineType.ALLOWANCE, LeftOutReason.NO_CODE_MAPPED),
    }


def test_someone_not_synced_from_connexie_cannot_be_exported():
    plan = plan_export([shift(team_member_id=None)], CODES)
    assert {r for _, r in left_out_reasons(plan)} == {LeftOutReason.NOT_AT_CONNEXIE}


def test_a_shift_without_meals_or_allowance_is_only_hours():
    plan = plan_export([shift(meals=0, allowance_amount=Decimal(0))], CodeMapping(None, None))
    assert [l.line_type for l in plan.lines] == [LineType.WORKED_HOURS] and plan.left_out == ()


def test_worked_hours_leave_out_the_break_and_cross_midnight():
    assert worked_hours(time(9), time(17), 60) == Decimal("7.00")
    assert worked_hours(time(22), time(2, 15), 15) == Decimal("4.00")
    assert worked_hours(time(9), time(9, 10), 30) == Decimal("0.00")


def test_the_export_key_is_the_same_for_every_export_of_a_month():
    may = Period.parse("2025-05")
    assert export_key(3, 7, may) == export_key(3, 7, Period.of(date(2025, 5, 31))) == "flexsync-3-7-2025-05"
    assert (may.start, may.end) == (date(2025, 5, 1), date(2025, 5, 31))
    assert export_key(3, 7, Period(2025, 6)) != export_key(3, 7, may)


@pytest.mark.parametrize("text", ["2025-13", "2025", "may", "1999-01"])
def test_a_period_that_is_not_a_month_is_refused(text):
    with pytest.raises(ValueError):
        Period.parse(text)
