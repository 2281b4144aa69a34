"""Every fault knob behaves as docs/sandbox.md says, over real HTTP."""

from __future__ import annotations

import pytest
import requests

from sandbox import securex
from sandbox.faults import BAD_PHONE, LONG_NAME_BYTES
from sandbox.testing import get_faults, reset_sandbox, set_faults, true_employees

KEY = {"X-Api-Key": securex.DEFAULT_API_KEY}


def page(sandboxes, number=1, per_page=20, timeout=10):
    return requests.get(
        f"{sandboxes['securex']}/api/v1/companies/C001/employees",
        headers=KEY,
        params={"page": number, "per_page": per_page},
        timeout=timeout,
    )


def ids(response) -> list[str]:
    return [e["id"] for e in response.json()["items"]]


def test_rate_limit_every_kth_request_says_when_to_retry(sandboxes):
    set_faults(sandboxes["securex"], rate_limit={"every": 3, "retry_after": 2})
    statuses = [page(sandboxes) for _ in range(6)]
    assert [r.status_code for r in statuses] == [200, 200, 429, 200, 200, 429]
    assert statuses[2].headers["Retry-After"] == "2"


def test_rate_limit_and_errors_for_the_next_n_requests(sandboxes):
    set_faults(sandboxes["securex"], rate_limit={"next": 2}, error_5xx={"next": 1, "status": 503})
    assert [page(sandboxes).status_code for _ in range(4)] == [429, 429, 503, 200]
    assert get_faults(sandboxes["securex"]) == {}


def test_error_5xx_every_kth_request(sandboxes):
    set_faults(sandboxes["securex"], error_5xx={"every": 2})
    assert [page(sandboxes).status_code for _ in range(4)] == [200, 500, 200, 500]


def test_latency_applies_to_every_request(sandboxes):
    set_faults(sandboxes["securex"], latency_ms=250)
    assert page(sandboxes).elapsed.total_seconds() >= 0.25


def test_a_hanging_request_outlasts_the_client_timeout(sandboxes):
    set_faults(sandboxes["securex"], hang={"next": 1, "seconds": 3})
    with pytest.raises(requests.exceptions.ReadTimeout):
        page(sandboxes, timeout=0.5)
    assert page(sandboxes).status_code == 200


def under_contract_positions(sandboxes, company_id: str) -> list[int]:
    """Record faults go to people under contract, in list order: those a sync imports."""
    from sandbox.faults import under_contract

    truth = true_employees(sandboxes["securex"], company_id)
    return [i for i, employee in enumerate(truth) if under_contract(employee)]


def test_malformed_records_are_served_in_the_documented_order(sandboxes, sandbox_demo_company):
    at = under_contract_positions(sandboxes, sandbox_demo_company["id"])
    set_faults(sandboxes["securex"], malformed={"missing_email": 2, "bad_date": 1, "negative_salary": 1, "unknown_wage_type": 1})
    items = page(sandboxes, per_page=200).json()["items"]
    assert [items[at[0]]["email"], items[at[1]]["email"]] == [None, None]
    assert items[at[2]]["start_date"] == "2021-02-31"
    latest = lambda e: max(e["wage_contracts"], key=lambda c: c["start_date"])  # noqa: E731
    assert latest(items[at[3]])["gross_amount"] < 0
    assert latest(items[at[4]])["wage_type"] == "per_shift"
    assert items[at[5]]["email"]
    assert sum(1 for e in items if e["email"] is None) == 2


def test_duplicate_ids_entity_move_long_and_html_names(sandboxes, sandbox_demo_company):
    truth = true_employees(sandboxes["securex"], sandbox_demo_company["id"])
    at = under_contract_positions(sandboxes, sandbox_demo_company["id"])
    set_faults(sandboxes["securex"], duplicate_ids=1, entity_move=1, long_names=1, html_names=1)
    served = page(sandboxes, per_page=200).json()["items"]
    # The record carries the ID of the one listed just before it.
    neighbour = truth[at[0] - 1] if at[0] > 0 else truth[-1]
    assert served[at[0]]["id"] == neighbour["id"]
    moved = served[at[1]]
    assert moved["id"] == f"{truth[at[1]]['id']}-M" and moved["email"] == truth[at[1]]["email"]
    assert moved["entity"]["id"] != truth[at[1]]["entity_id"]
    assert len(served[at[2]]["first_name"].encode()) >= LONG_NAME_BYTES
    assert served[at[3]]["first_name"] == "<script>alert(1)</script>"


def test_a_page_served_twice_then_the_right_one(sandboxes):
    first = ids(page(sandboxes, 1))
    set_faults(sandboxes["securex"], repeat_page=1)
    assert ids(page(sandboxes, 2)) == first
    assert ids(page(sandboxes, 2)) != first


def test_liantis_cursor_points_back_at_the_repeated_page(sandboxes, myliantis):
    access = myliantis.consent_as_main_user()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    endpoint = f"{sandboxes['liantis']}/api/companies/C001/employees"
    first = requests.get(endpoint, headers=headers, params={"limit": 30}, timeout=10).json()
    set_faults(sandboxes["liantis"], repeat_page=1)
    cursor = first["next_cursor"]
    again = requests.get(endpoint, headers=headers, params={"limit": 30, "cursor": cursor}, timeout=10).json()
    assert [e["id"] for e in again["data"]] == [e["id"] for e in first["data"]]
    assert again["next_cursor"] == cursor


def test_an_empty_page_mid_stream_keeps_the_totals(sandboxes):
    set_faults(sandboxes["securex"], empty_page=2)
    empty = page(sandboxes, 2).json()
    assert empty["items"] == [] and empty["total"] > 40 and empty["pages"] > 2
    assert ids(page(sandboxes, 2))


def test_a_page_with_a_broken_json_body(sandboxes):
    set_faults(sandboxes["securex"], malformed_json_page=1)
    broken = page(sandboxes, 1)
    assert broken.status_code == 200 and broken.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        broken.json()
    assert page(sandboxes, 1).json()["items"]


def test_unknown_or_malformed_knobs_are_refused(sandboxes):
    base = f"{sandboxes['securex']}/_admin/faults"
    assert requests.post(base, json={"teleport": 1}, timeout=10).status_code == 400
    assert requests.post(base, json={"rate_limit": {"every": 0}}, timeout=10).status_code == 400
    assert requests.post(base, json={"error_5xx": {"next": 1, "status": 404}}, timeout=10).status_code == 400


def test_reset_clears_knobs_and_scheduled_changes(sandboxes):
    set_faults(sandboxes["hris"], latency_ms=10)
    requests.post(f"{sandboxes['hris']}/_admin/advance", timeout=10)
    reset_sandbox(sandboxes["hris"])
    assert get_faults(sandboxes["hris"]) == {}
    assert requests.get(f"{sandboxes['hris']}/_admin/dataset", timeout=10).json()["run"] == 0


def test_admin_endpoints_do_not_need_auth_but_apis_ignore_faults_there(sandboxes):
    set_faults(sandboxes["connexie"], error_5xx={"every": 1})
    assert requests.get(f"{sandboxes['connexie']}/_admin/faults", timeout=10).status_code == 200
    assert requests.get(f"{sandboxes['connexie']}/api/venues", timeout=10).status_code == 500


def test_a_salary_sent_as_text_and_a_phone_nobody_can_be_reached_on(sandboxes, sandbox_demo_company):
    at = under_contract_positions(sandboxes, sandbox_demo_company["id"])
    truth = true_employees(sandboxes["hris"], sandbox_demo_company["id"])
    set_faults(sandboxes["hris"], text_salary=1, bad_phone=1)
    served = requests.get(
        f"{sandboxes['hris']}/v1/employees",
        headers={"X-Api-Key": sandbox_demo_company["api_key"]},
        params={"limit": 500},
        timeout=10,
    ).json()["data"]
    latest = max(served[at[0]]["employments"], key=lambda c: c["start_date"])
    amount = max(truth[at[0]]["contracts"], key=lambda c: c["start_date"])["gross_amount"]
    # "3500.00" as a Belgian spreadsheet writes it: "3.500,00".
    assert latest["gross_amount"] == f"{float(amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    assert served[at[1]]["phone_number"] == BAD_PHONE
    assert served[at[2]]["phone_number"] == truth[at[2]]["phone"]
