"""One record a connector cannot read fails that person only, with a reason the admin
can act on; the plain functions are checked here without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from portal.providers import records
from portal.providers.base import EmployeeRecord, RecordError, RecordProblem
from portal.providers.hris import employee as hris_employee
from portal.providers.http import HttpSettings, ProviderRefused, retry_after
from portal.providers.securex import employee as securex_employee
from portal.sync.outcomes import FIX_FOR, FIX_TEXT, Fix, Reason

GOOD = {
    "id": "C001-000001",
    "first_name": "Anaïs",
    "last_name": "Lefèvre",
    "email": "anais@flexsync-demo.be",
    "language": "fr",
    "start_date": "2019-03-01",
    "employee_number": "000001",
    "entity": {"id": "C001-V1", "name": "Gent"},
    "wage_contracts": [
        {
            "id": "K1",
            "wage_type": "hourly",
            "gross_amount": 15.8,
            "start_date": "2019-03-01",
            "end_date": None,
            "worker_class": "blue_collar",
            "work_regime_pct": 80,
            "weekly_hours": 30.4,
            "employer_social_security_pct": 27,
        }
    ],
}


def read(raw) -> EmployeeRecord | RecordError:
    return records.read_employee(raw, securex_employee)


def with_contract(**changes) -> dict:
    return {**GOOD, "wage_contracts": [{**GOOD["wage_contracts"][0], **changes}]}


def test_a_good_record_is_read():
    record = read(GOOD)
    assert isinstance(record, EmployeeRecord)
    assert str(record.contracts[0].gross_amount) == "15.8"


@pytest.mark.parametrize(
    "raw, problem",
    [
        (["not", "an", "object"], RecordProblem.MALFORMED),
        ({**GOOD, "id": None}, RecordProblem.MALFORMED),
        ({**GOOD, "start_date": "01/03/2019"}, RecordProblem.BAD_DATE),
        (with_contract(start_date=None), RecordProblem.BAD_DATE),
        (with_contract(gross_amount="fifteen"), RecordProblem.UNREADABLE_VALUE),
        (with_contract(gross_amount="NaN"), RecordProblem.UNREADABLE_VALUE),
        (with_contract(gross_amount=True), RecordProblem.MALFORMED),
        (with_contract(wage_type="per_shift"), RecordProblem.UNKNOWN_WAGE_TYPE),
        (with_contract(worker_class="intern"), RecordProblem.MALFORMED),
        ({**GOOD, "wage_contracts": "none"}, RecordProblem.MALFORMED),
        ({**GOOD, "entity": "C001-V1"}, RecordProblem.MALFORMED),
    ],
)
def test_an_unreadable_record_becomes_one_record_error(raw, problem):
    error = read(raw)
    assert isinstance(error, RecordError) and error.problem == problem
    if isinstance(raw, dict) and raw.get("id"):
        assert (error.provider_id, error.display_name) == ("C001-000001", "Anaïs Lefèvre")


@pytest.mark.parametrize(
    "raw, field, value",
    [
        (with_contract(gross_amount="3.500,00"), "wage_contract.provider_gross_amount", "3.500,00"),
        (with_contract(work_regime_pct="80 %"), "wage_contract.work_regime_pct", "80 %"),
        ({**GOOD, "start_date": "01/03/2019"}, "start_date", "01/03/2019"),
        (with_contract(wage_type="per_shift"), "wage_contract.wage_type", "per_shift"),
    ],
)
def test_a_value_that_cannot_be_read_is_named_with_its_field(raw, field, value):
    """Defends against "a form Flexsync cannot read. Contact support" for a salary typed as
    text at the provider: the run line names the field and quotes the value."""
    error = read(raw)
    assert isinstance(error, RecordError)
    assert (error.field, error.value) == (field, value)


def test_a_text_salary_is_for_the_admin_to_correct_at_the_provider():
    error = read(with_contract(gross_amount="3.500,00"))
    assert error.problem is RecordProblem.UNREADABLE_VALUE
    reason = Reason(error.problem.value)
    assert FIX_FOR[reason] is Fix.CORRECT_VALUE_AT_PROVIDER
    assert "support" not in FIX_TEXT[FIX_FOR[reason]].lower()


def test_a_quoted_value_is_cut_short():
    error = read(with_contract(gross_amount="9" * 500 + ",00"))
    assert len(error.value) <= records.VALUE_LENGTH and error.value.endswith("…")


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("+32 470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("+31 6 12345678", "+31612345678"),
        (None, None),
        ("", None),
    ],
)
def test_phones_are_read_in_e164(typed, stored):
    record = records.read_employee({**GOOD, "phone_number": typed, "work_email": "a@b.be", "employments": []}, hris_employee)
    assert isinstance(record, EmployeeRecord) and record.phone == stored


@pytest.mark.parametrize("typed", ["0470 12 34", "call reception", "+32 470 12 34 56 78 90"])
def test_a_phone_nobody_can_be_reached_on_fails_the_person_naming_it(typed):
    """A number that would be asked to be verified, and can receive no text: the person is
    not synced, and the run line says which value to correct at the provider."""
    error = records.read_employee({**GOOD, "phone_number": typed, "work_email": "a@b.be", "employments": []}, hris_employee)
    assert isinstance(error, RecordError) and error.problem is RecordProblem.UNREADABLE_VALUE
    assert (error.field, error.value) == ("phone", typed)


def test_a_missing_email_is_left_for_the_engine_to_report():
    record = read({**GOOD, "email": None})
    assert isinstance(record, EmployeeRecord) and record.email is None


def test_a_huge_name_is_cut_short_only_in_the_error_display():
    error = read({**GOOD, "first_name": "A" * 10_240, "start_date": "2021-02-31"})
    assert len(error.display_name) == records.DISPLAY_NAME_LENGTH


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert retry_after("7") == 7.0
    assert 25 <= retry_after(format_datetime(later, usegmt=True)) <= 30
    assert retry_after("soon") is None and retry_after(None) is None


def test_a_refusal_is_never_retried(connect, sleeps):
    connector = connect("hris")
    connector.http.session.headers["Authorization"] = "Bearer wrong"
    with pytest.raises(ProviderRefused) as refused:
        connector.http.get("/v1/entities")
    assert refused.value.status == 401 and sleeps == []


def test_the_default_timeouts_stay_far_below_the_job_timeout():
    settings = HttpSettings()
    worst_request = settings.attempts * (settings.connect_timeout_s + settings.read_timeout_s)
    assert worst_request + settings.max_total_wait_s < 600


def test_a_missing_value_is_named_without_printing_none():
    error = read(with_contract(start_date=None))
    assert isinstance(error, RecordError) and (error.field, error.value) == ("wage_contract.start_date", "")
