from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.sync_examples import contract
from portal.providers.base import WageType, WorkerClass
from portal.sync.wages import explain_conversion, monthly_from_hourly, synced_wage_contract


def test_white_collar_hourly_wage_is_converted_to_a_monthly_salary_with_the_rule_shown():
    wage = synced_wage_contract(contract(wage_type=WageType.HOURLY, gross_amount=Decimal("20.00")))

    # 20 × 38 × 52 / 12 = 3293.333… → 3293.33
    assert wage.gross_salary == Decimal("3293.33")
    assert wage.salary_period == WageType.MONTHLY
    assert explain_conversion(wage) == ("20.00 per hour × 38 hours a week × 52 weeks ÷ 12 months = 3293.33 per month")


def test_part_time_regime_scales_the_38_hour_week_when_the_provider_gives_no_hours():
    wage = synced_wage_contract(contract(wage_type=WageType.HOURLY, gross_amount=Decimal("15"), work_regime_pct=Decimal("80")))

    assert wage.converted_with_weekly_hours == Decimal("30.4")
    assert wage.gross_salary == Decimal("1976.00")


def test_weekly_hours_from_the_provider_win_over_the_work_regime():
    wage = synced_wage_contract(
        contract(
            wage_type=WageType.HOURLY,
            gross_amount=Decimal("15"),
            weekly_hours=Decimal("20"),
            work_regime_pct=Decimal("80"),
        )
    )

    assert wage.gross_salary == Decimal("1300.00")


def test_blue_collar_hourly_wage_stays_hourly():
    wage = synced_wage_contract(
        contract(wage_type=WageType.HOURLY, gross_amount=Decimal("16.10"), worker_class=WorkerClass.BLUE_COLLAR)
    )

    assert (wage.gross_salary, wage.salary_period) == (Decimal("16.10"), WageType.HOURLY)
    assert explain_conversion(wage) is None


def test_monthly_salary_is_kept_as_sent():
    wage = synced_wage_contract(contract(gross_amount=Decimal("3200.50")))

    assert (wage.gross_salary, wage.salary_period) == (Decimal("3200.50"), WageType.MONTHLY)


def test_rounding_to_cents_is_half_up():
    # 0.005 × 3 × 52 / 12 = 0.065 exactly: half a cent goes up (banker's rounding would give 0.06).
    assert monthly_from_hourly(Decimal("0.005"), Decimal("3")) == Decimal("0.07")
    # 0.015 × 3 × 52 / 12 = 0.195 exactly → 0.20
    assert monthly_from_hourly(Decimal("0.015"), Decimal("3")) == Decimal("0.20")


def test_a_negative_wage_is_refused():
    with pytest.raises(ValueError):
        monthly_from_hourly(Decimal("-1"), Decimal("38"))


amounts = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
hours = st.decimals(min_value=0, max_value=60, places=2, allow_nan=False, allow_infinity=False)


@given(hourly=amounts, weekly=hours)
def test_converted_salary_is_never_negative_and_exact_to_the_cent(hourly, weekly):
    monthly = monthly_from_hourly(hourly, weekly)

    # Exact arithmetic with integers: cents = round_half_up(hourly × weekly × 52 × 100 / 12).
    numerator = int(hourly * 10**4) * int(weekly * 10**2) * 52 * 100
    denominator = 12 * 10**6
    cents, remainder = divmod(numerator, denominator)
    if 2 * remainder >= denominator:
        cents += 1
    assert monthly >= 0
    assert monthly == Decimal(cents) / 100
    assert monthly.as_tuple().exponent == -2
