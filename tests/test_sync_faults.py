"""Every fault knob of the sandboxes ends a sync in its documented status: Partial with the
failing employees listed, or Error with the provider's problem explained — never a crash
and never a mass deactivation caused by a broken page."""

from __future__ import annotations

import pytest

from helpers.sync_runs import active_count, employees_of, failure_reasons, finished_run, start_sync
from portal.models import RunState
from portal.sync.outcomes import Reason
from sandbox.testing import set_faults


@pytest.mark.parametrize(
    ("knobs", "reasons"),
    [
        (
            {"malformed": {"missing_email": 1, "bad_date": 1, "negative_salary": 1, "unknown_wage_type": 1}},
            {Reason.MISSING_EMAIL, Reason.BAD_DATE, Reason.NEGATIVE_SALARY, Reason.UNKNOWN_WAGE_TYPE},
        ),
        ({"duplicate_ids": 1}, {Reason.DUPLICATE_ID}),
        ({"long_names": 1}, {Reason.FIELD_TOO_LONG}),
    ],
    ids=["malformed-records", "duplicate-ids", "10kB-names"],
)
def test_bad_records_end_in_partial_with_each_failure_listed(sync_setup, sandboxes, activate, worker, knobs, reasons):
    app = sync_setup
    set_faults(sandboxes["securex"], **knobs)
    run = finished_run(app, start_sync(app, activate("securex")))
    assert run.status is RunState.PARTIAL
    assert set(failure_reasons(app, run.id)) == reasons
    assert run.failed == len(failure_reasons(app, run.id)) and run.created > 100


@pytest.mark.parametrize(
    "knobs",
    [
        {"rate_limit": {"next": 2, "retry_after": 1}},
        {"error_5xx": {"next": 2, "status": 503}},
        {"hang": {"next": 1, "seconds": 5}},
        {"repeat_page": 2},
        {"malformed_json_page": 2},
        {"latency_ms": 50},
        {"html_names": 1},
    ],
    ids=["429-retry-after", "5xx-burst", "hanging-request", "repeated-page", "malformed-json", "latency", "html-names"],
)
def test_transient_provider_trouble_still_ends_in_success(sync_setup, sandboxes, activate, worker, knobs):
    app = sync_setup
    integration_id = activate("securex")
    set_faults(sandboxes["securex"], **knobs)
    run = finished_run(app, start_sync(app, integration_id))
    assert run.status is RunState.SUCCESS, (run.error_code, run.error_detail)
    employees = employees_of(app, integration_id)
    assert len(employees) == run.created
    assert len({e.provider_id for e in employees}) == len(employees)


@pytest.mark.parametrize(
    ("knobs", "error_code"),
    [
        ({"empty_page": 3}, "provider_unavailable"),
        ({"error_5xx": {"every": 1}}, "provider_unavailable"),
        ({"hang": {"every": 1, "seconds": 5}}, "provider_unavailable"),
    ],
    ids=["empty-page-mid-stream", "5xx-forever", "hanging-forever"],
)
def test_a_broken_provider_ends_in_error_and_deactivates_nobody(sync_setup, sandboxes, activate, worker, knobs, error_code):
    app = sync_setup
    integration_id = activate("securex")
    first = finished_run(app, start_sync(app, integration_id))
    before = active_count(app, integration_id)
    set_faults(sandboxes["securex"], **knobs)
    run = finished_run(app, start_sync(app, integration_id), timeout=90)
    assert run.status is RunState.ERROR
    assert run.error_code == error_code
    assert active_count(app, integration_id) == before == first.created
    assert run.deactivated == 0


def test_an_entity_move_with_the_same_email_is_an_error_for_that_employee(sync_setup, sandboxes, activate, worker):
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    set_faults(sandboxes["securex"], entity_move=1)
    run = finished_run(app, start_sync(app, integration_id))
    assert run.status is RunState.PARTIAL
    assert failure_reasons(app, run.id) == [Reason.ENTITY_MOVE]
    # Never a silent duplicate: one account per e-mail.
    employees = employees_of(app, integration_id)
    assert len({e.email for e in employees}) == len(employees)
