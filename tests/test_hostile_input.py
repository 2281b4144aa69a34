"""Hostile and odd input: property-based tests for the VAT parser and provider record
reading, and oversized form fields refused with a message instead of a crash."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from helpers.pages import csrf_token_from
from portal.company.vat import InvalidVat, normalise_belgian_vat
from portal.extensions import db
from portal.models import Employee, Tenant
from portal.providers import connexie, hris, liantis, records, securex
from portal.providers.base import EmployeeRecord, RecordError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
EMPLOYEE_KEYS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "work_email",
    "language",
    "start_date",
    "payroll_id",
    "employee_number",
    "entity",
    "entity_id",
    "phone_number",
    "excluded",
    "wage_contracts",
    "contracts",
    "employments",
]
CONTRACT_KEYS = [
    "id",
    "wage_type",
    "gross_amount",
    "start_date",
    "end_date",
    "worker_class",
    "work_regime_pct",
    "weekly_hours",
    "employer_social_security_pct",
    "contract_type",
    "entity_id",
    "venue_id",
    "wage_code",
]
contract_like = st.fixed_dictionaries(
    {}, optional={k: json_values | st.sampled_from(["hourly", "monthly", "2024-01-31", "12.5", "-1"]) for k in CONTRACT_KEYS}
)
employee_like = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=8) | st.integers()},
    optional={
        **{k: json_values for k in EMPLOYEE_KEYS if k != "id"},
        **{k: st.lists(contract_like, max_size=3) for k in ("wage_contracts", "contracts", "employments")},
    },
)
TRANSLATORS = [securex.employee, liantis.employee, connexie.team_member, hris.employee]


def belgian_vat_digits(first_eight: int) -> str:
    return f"{first_eight:08d}{97 - first_eight % 97:02d}"


@given(st.text(max_size=40))
def test_the_vat_parser_returns_a_valid_number_or_says_why(raw):
    """Defends against a crash (500) or a wrong number stored from odd VAT input."""
    try:
        vat = normalise_belgian_vat(raw)
    except InvalidVat as refusal:
        assert refusal.problem
        return
    digits = vat.removeprefix("BE")
    assert vat.startswith("BE") and len(digits) == 10 and digits.isdigit()
    assert (97 - int(digits[:8]) % 97) == int(digits[8:])


@given(st.integers(0, 19_999_999), st.sampled_from(["", "BE", "be", "Be "]), st.sampled_from(["", " ", ".", "-"]))
def test_every_valid_vat_number_is_accepted_in_any_common_spelling(first_eight, prefix, separator):
    """Defends against refusing a real company's VAT number because of how it was typed."""
    digits = belgian_vat_digits(first_eight)
    typed = prefix + separator.join([digits[:4], digits[4:7], digits[7:]])
    assert normalise_belgian_vat(typed) == "BE" + digits


@given(st.integers(0, 19_999_999), st.integers(1, 96))
def test_a_wrong_check_digit_is_refused(first_eight, offset):
    """Defends against accepting typos in the VAT number (the check digits catch them)."""
    digits = belgian_vat_digits(first_eight)
    wrong = f"{(int(digits[8:]) + offset - 1) % 97 + 1:02d}"
    if wrong == digits[8:]:
        return
    with pytest.raises(InvalidVat):
        normalise_belgian_vat(digits[:8] + wrong)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(json_values | employee_like, st.sampled_from(TRANSLATORS))
def test_any_provider_record_is_read_or_reported_never_raised(raw, translate):
    """Defends against one odd record (wrong types, NaN, nesting) crashing a whole page of a sync."""
    result = records.read_employee(raw, translate)
    assert isinstance(result, (EmployeeRecord, RecordError))
    if isinstance(result, RecordError):
        assert result.detail and len(result.detail) <= records.DETAIL_LENGTH
        assert result.display_name is None or len(result.display_name) <= records.DISPLAY_NAME_LENGTH


@given(st.text(alphabet=string.printable + "<>\"'&é漢", max_size=3000))
def test_display_names_are_bounded(name):
    """Defends against a 10 kB provider name flooding the run report."""
    shown = records.display_name({"first_name": name, "last_name": name})
    assert shown is None or len(shown) <= records.DISPLAY_NAME_LENGTH


def test_oversized_form_fields_are_refused_with_a_message(app, client, auth, staff):
    """Defends against oversized input reaching the database or crashing a page (500)."""
    auth.login()
    token = csrf_token_from(client.get(f"/employees/{staff['Dirk']}").get_data(as_text=True))
    huge = "A" * 20_000
    response = client.post(
        f"/employees/{staff['Dirk']}",
        data={
            "csrf_token": token,
            "first_name": huge,
            "last_name": "Hendrickx",
            "email": "dirk.hendrickx@demo.test",
            "language": "en",
        },
    )
    assert response.status_code in (200, 400)
    assert "100" in response.get_data(as_text=True)
    company = client.post("/company", data={"csrf_token": token, "name": huge, "vat_number": huge, "default_language": "nl"})
    assert company.status_code in (200, 400)
    with app.app_context():
        assert db.session.get(Employee, staff["Dirk"]).first_name == "Dirk"
        assert db.session.execute(select(Tenant.name).where(Tenant.name == huge)).first() is None
