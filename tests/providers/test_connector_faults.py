"""Every fault knob of docs/sandbox.md, through each connector: a run either reads the
whole company or stops with ProviderUnavailable; it never reads "fewer employees"."""

from __future__ import annotations

import dataclasses
import time

import pytest

from portal.providers.base import (
    EmployeeRecord,
    Provider,
    ProviderUnavailable,
    RecordError,
    RecordProblem,
)
from portal.sync.outcomes import Reason
from portal.sync.validation import record_problem
from sandbox.faults import HTML_NAME, LONG_NAME_BYTES, under_contract
from sandbox.testing import set_faults, true_employees

PROVIDERS = [p.value for p in Provider]


@pytest.fixture
def truth(sandboxes, sandbox_demo_company):
    return lambda provider: true_employees(sandboxes[provider], sandbox_demo_company["id"])


def read_everything(connector) -> list[EmployeeRecord | RecordError]:
    return [item for page in connector.employees() for item in page.items]


def ids(items) -> list[str | None]:
    return [item.provider_id for item in items]


def with_http(connector, **changes):
    connector.http.settings = dataclasses.replace(connector.http.settings, **changes)
    return connector


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_slow_provider_is_read_completely(provider, connect, sandboxes, truth):
    connector = connect(provider)
    set_faults(sandboxes[provider], latency_ms=50, page_latency_ms=150)
    started = time.monotonic()
    assert ids(read_everything(connector)) == [e["id"] for e in truth(provider)]
    assert time.monotonic() - started >= 5 * 0.2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rate_limited_requests_wait_as_told_and_complete(provider, connect, sandboxes, truth, sleeps):
    connector = connect(provider)
    set_faults(sandboxes[provider], rate_limit={"every": 3, "retry_after": 1})
    assert ids(read_everything(connector)) == [e["id"] for e in truth(provider)]
    assert sleeps and set(sleeps) == {1.0}


def test_a_long_retry_after_is_capped(connect, sandboxes, truth, sleeps):
    connector = with_http(connect("securex"), max_retry_after_s=0.5)
    set_faults(sandboxes["securex"], rate_limit={"next": 1, "retry_after": 120})
    assert len(read_everything(connector)) == len(truth("securex"))
    assert sleeps == [0.5]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_burst_of_server_errors_is_retried(provider, connect, sandboxes, truth, sleeps):
    connector = connect(provider)
    set_faults(sandboxes[provider], error_5xx={"next": 2, "status": 502})
    assert ids(read_everything(connector)) == [e["id"] for e in truth(provider)]
    assert len(sleeps) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_provider_that_keeps_failing_stops_the_run(provider, connect, sandboxes, sleeps):
    connector = connect(provider)
    set_faults(sandboxes[provider], error_5xx={"every": 1})
    with pytest.raises(ProviderUnavailable, match="after 4 attempt"):
        read_everything(connector)
    assert len(sleeps) == 3


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_hanging_request_times_out_and_is_retried(provider, connect, sandboxes, truth):
    connector = with_http(connect(provider), read_timeout_s=0.5)
    set_faults(sandboxes[provider], hang={"next": 1, "seconds": 3})
    assert ids(read_everything(connector)) == [e["id"] for e in truth(provider)]


def test_a_provider_that_keeps_hanging_stops_the_run(connect, sandboxes):
    connector = with_http(connect("hris"), read_timeout_s=0.3, attempts=2)
    set_faults(sandboxes["hris"], hang={"every": 1, "seconds": 1})
    with pytest.raises(ProviderUnavailable, match="timed out"):
        read_everything(connector)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_malformed_records_fail_one_employee_each_and_the_rest_is_read(provider, connect, sandboxes, truth):
    connector = connect(provider)
    set_faults(sandboxes[provider], malformed={"missing_email": 1, "bad_date": 1, "negative_salary": 1, "unknown_wage_type": 1})
    items = read_everything(connector)
    people = truth(provider)

    assert ids(items) == [e["id"] for e in people]
    # The sandbox damages the first people under contract, in the documented order.
    at = [i for i, person in enumerate(people) if under_contract(person)][:4]
    missing_email, bad_date, negative, unknown_type = (items[i] for i in at)
    # The engine reports what only the typed record shows; the connector passes it on.
    assert isinstance(missing_email, EmployeeRecord) and missing_email.email is None
    assert isinstance(negative, EmployeeRecord) and record_problem(negative) == Reason.NEGATIVE_SALARY
    assert (bad_date.problem, unknown_type.problem) == (RecordProblem.BAD_DATE, RecordProblem.UNKNOWN_WAGE_TYPE)
    assert bad_date.display_name == f"{people[at[1]]['first_name']} {people[at[1]]['last_name']}"
    assert all(isinstance(item, EmployeeRecord) for i, item in enumerate(items) if i not in at)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_duplicate_ids_are_both_passed_on_for_the_engine_to_refuse(provider, connect, sandboxes, truth):
    connector = connect(provider)
    set_faults(sandboxes[provider], duplicate_ids=1)
    read = ids(read_everything(connector))
    assert len(read) == len(truth(provider))
    assert read[0] == read[-1] and len(set(read)) == len(read) - 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_repeated_page_is_asked_again_and_nothing_is_lost(provider, connect, sandboxes, truth):
    connector = connect(provider)
    set_faults(sandboxes[provider], repeat_page=2)
    assert ids(read_everything(connector)) == [e["id"] for e in truth(provider)]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_empty_page_before_the_end_stops_the_run(provider, connect, sandboxes):
    connector = connect(provider)
    set_faults(sandboxes[provider], empty_page=3)
    pages = connector.employees()
    assert len(next(pages).items) == len(next(pages).items) == connector.page_size
    with pytest.raises(ProviderUnavailable, match="empty page"):
        next(pages)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_page_cut_off_halfway_is_asked_again(provider, connect, sandboxes, truth, sleeps):
    connector = connect(provider)
    set_faults(sandboxes[provider], malformed_json_page=2)
    assert ids(read_everything(connector)) == [e["id"] for e in truth(provider)]
    assert len(sleeps) == 1


def test_a_page_cut_off_halfway_never_reads_as_no_employees(connect, sandboxes):
    connector = with_http(connect("securex"), attempts=1)
    set_faults(sandboxes["securex"], malformed_json_page=1)
    with pytest.raises(ProviderUnavailable, match="malformed JSON"):
        read_everything(connector)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_long_and_html_names_are_passed_on_as_plain_text(provider, connect, sandboxes):
    connector = connect(provider)
    set_faults(sandboxes[provider], long_names=1, html_names=1)
    long_name, html_name = read_everything(connector)[:2]
    assert len(long_name.first_name) == LONG_NAME_BYTES
    assert record_problem(long_name) == Reason.FIELD_TOO_LONG
    assert html_name.first_name == HTML_NAME
    assert html_name.last_name.startswith('"><img src=x onerror=alert(1)> ')


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_entity_move_arrives_as_a_new_id_with_the_same_email(provider, connect, sandboxes, truth):
    connector = connect(provider)
    set_faults(sandboxes[provider], entity_move=1)
    moved = read_everything(connector)[0]
    original = truth(provider)[0]
    assert moved.provider_id == f"{original['id']}-M" and moved.email == original["email"]
    assert moved.entity_ref != original["entity_id"]
