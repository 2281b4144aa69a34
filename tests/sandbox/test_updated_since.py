"""The "updated since" listings of Securex and the generic HR system: only the people the
sandbox changed since a moment, its own time on every answer, and their two faults."""

from __future__ import annotations

from datetime import datetime, timedelta

import requests

from sandbox import securex
from sandbox.testing import advance, edit_employee, raise_salaries, set_faults, true_employees

SECUREX_KEY = {"X-Api-Key": securex.DEFAULT_API_KEY}


def securex_listing(sandboxes, company_id: str, **params) -> requests.Response:
    url = f"{sandboxes['securex']}/api/v1/companies/{company_id}/employees"
    return requests.get(url, headers=SECUREX_KEY, params={"per_page": 2, **params}, timeout=10)


def hris_listing(sandboxes, api_key: str, **params) -> requests.Response:
    return requests.get(
        f"{sandboxes['hris']}/v1/employees", headers={"X-Api-Key": api_key}, params={"limit": 2, **params}, timeout=10
    )


def test_securex_lists_only_the_people_changed_since_its_own_time_page_by_page(sandboxes, sandbox_demo_company):
    company_id = sandbox_demo_company["id"]
    as_of = securex_listing(sandboxes, company_id).json()["as_of"]
    assert securex_listing(sandboxes, company_id, updated_since=as_of).json()["total"] == 0

    raise_salaries(sandboxes["securex"], company_id, count=2)
    edited = edit_employee(sandboxes["securex"], company_id, f"{company_id}-000007", last_name="Verhulst")
    removed = next(c for c in advance(sandboxes["securex"])["applied"] if c["kind"] == "removal")
    first = securex_listing(sandboxes, company_id, updated_since=as_of).json()
    pages = [first] + [securex_listing(sandboxes, company_id, updated_since=as_of, page=n).json() for n in range(2, 9)]

    changed = {e["id"] for e in true_employees(sandboxes["securex"], company_id) if e.get("updated_at", "") >= as_of}
    listed = [item for page in pages for item in page["items"]]
    assert len(changed) >= 6 and first["total"] == len(changed) and first["pages"] == -(-len(changed) // 2)
    assert [item["id"] for item in listed] == changed_in_order(sandboxes, company_id, changed)
    assert edited["id"] in changed and removed["employee_id"] not in changed
    assert first["as_of"] >= edited["updated_at"] >= as_of


def changed_in_order(sandboxes, company_id: str, changed: set[str]) -> list[str]:
    """The changed people in the order of the full listing."""
    return [e["id"] for e in true_employees(sandboxes["securex"], company_id) if e["id"] in changed]


def test_the_hr_system_lists_changes_by_offset_with_its_time(sandboxes, sandbox_demo_company):
    key = sandbox_demo_company["api_key"]
    as_of = hris_listing(sandboxes, key).json()["as_of"]
    edit_employee(sandboxes["hris"], sandbox_demo_company["id"], f"{sandbox_demo_company['id']}-000003", phone="+32470000003")

    changed = hris_listing(sandboxes, key, updated_since=as_of).json()

    assert [p["phone_number"] for p in changed["data"]] == ["+32470000003"]
    assert changed["paging"] == {"offset": 0, "limit": 2, "total": 1, "next_offset": None}


def test_an_expired_cursor_is_a_410_and_a_bad_one_a_400(sandboxes, sandbox_demo_company):
    company_id = sandbox_demo_company["id"]
    as_of = securex_listing(sandboxes, company_id).json()["as_of"]
    set_faults(sandboxes["securex"], cursor_expired=3600)
    hour_ago = (datetime.fromisoformat(as_of) - timedelta(hours=2)).isoformat()

    assert securex_listing(sandboxes, company_id, updated_since=as_of).status_code == 200
    refused = securex_listing(sandboxes, company_id, updated_since=hour_ago)
    assert refused.status_code == 410 and refused.json()["error"] == "cursor_expired"
    set_faults(sandboxes["securex"], cursor_expired=True)
    assert securex_listing(sandboxes, company_id, updated_since=as_of).status_code == 410
    # The full listing is never refused.
    assert securex_listing(sandboxes, company_id).status_code == 200
    assert securex_listing(sandboxes, company_id, updated_since="2025-05-12T10:00").status_code == 400


def test_a_clock_behind_stamps_changes_and_answers_on_its_own_time(sandboxes, sandbox_demo_company):
    company_id = sandbox_demo_company["id"]
    set_faults(sandboxes["securex"], clock_skew_s=-600)
    edited = edit_employee(sandboxes["securex"], company_id, f"{company_id}-000002", first_name="Lotte")
    as_of = securex_listing(sandboxes, company_id).json()["as_of"]

    ten_minutes_ago = datetime.now().astimezone() - timedelta(minutes=10)
    for stamp in (edited["updated_at"], as_of):
        assert abs(datetime.fromisoformat(stamp) - ten_minutes_ago) < timedelta(seconds=30)
    assert requests.post(f"{sandboxes['securex']}/_admin/faults", json={"clock_skew_s": "late"}, timeout=10).status_code == 400
