"""Gross salary as flex budgets need it: per month for white-collar staff.

Liantis sends hourly wages for some white-collar staff while budgets are monthly
("automatically converted to monthly salary for white-collar workers"); blue-collar
hourly wages stay hourly. The admin sees the rule, so it is kept as an explanation.
Decimal only: a salary is never a float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from portal.providers.base import WageContractRecord, WageType, WorkerClass
from portal.sync.state import WageContract

FULL_TIME_WEEKLY_HOURS = Decimal("38")
WEEKS_PER_YEAR = Decimal("52")
MONTHS_PER_YEAR = Decimal("12")
CENT = Decimal("0.01")

# English source text; the web layer wraps it in gettext and formats it.
CONVERSION_RULE = "{hourly} per hour × {weekly_hours} hours a week × 52 weeks ÷ 12 months = {monthly} per month"


def weekly_hours(contract: WageContractRecord) -> Decimal:
    """The provider's weekly hours, else a 38-hour full-time week scaled by the work regime."""
    if contract.weekly_hours is not None:
        return contract.weekly_hours
    return FULL_TIME_WEEKLY_HOURS * contract.work_regime_pct / Decimal("100")


def monthly_from_hourly(hourly: Decimal, hours_a_week: Decimal) -> Decimal:
    """Belgian convention: monthly = hourly × weekly hours × 52 / 12, to the cent, half up."""
    if hourly < 0 or hours_a_week < 0:
        raise ValueError("a wage and its weekly hours are never negative")
    # Enough precision that the only rounding is the one to cents.
    with localcontext(prec=60):
        exact = hourly * hours_a_week * WEEKS_PER_YEAR / MONTHS_PER_YEAR
        return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def explain_conversion(contract: WageContract) -> str | None:
    """The rule shown to the admin next to a converted salary, None when nothing was converted."""
    if contract.converted_with_weekly_hours is None:
        return None
    return CONVERSION_RULE.format(
        hourly=contract.provider_gross_amount,
        weekly_hours=format(contract.converted_with_weekly_hours.normalize(), "f"),
        monthly=contract.gross_salary,
    )


def synced_wage_contract(record: WageContractRecord) -> WageContract:
    """The wage contract Flexsync stores for a provider's active contract."""
    wage_type = WageType(record.wage_type)
    converts = wage_type == WageType.HOURLY and record.worker_class == WorkerClass.WHITE_COLLAR
    hours = weekly_hours(record) if converts else None
    return WageContract(
        provider_id=record.provider_id,
        wage_type=wage_type,
        worker_class=WorkerClass(record.worker_class),
        provider_gross_amount=record.gross_amount,
        gross_salary=monthly_from_hourly(record.gross_amount, hours) if hours is not None else record.gross_amount,
        salary_period=WageType.MONTHLY if converts else wage_type,
        converted_with_weekly_hours=hours,
        start_date=record.start_date,
        end_date=record.end_date,
        work_regime_pct=record.work_regime_pct,
        employer_social_security_pct=record.employer_social_security_pct,
        contract_type=record.contract_type,
        wage_code=record.wage_code,
    )
