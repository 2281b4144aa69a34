"""Generic HR system over HTTP: API key, entities, offset pages, changes between runs."""

from __future__ import annotations

import requests

from sandbox.testing import advance, true_employees


def everyone(sandboxes, key, limit=50) -> list[dict]:
    people, offset = [], 0
    while offset is not None:
        body = requests.get(
            f"{sandboxes['hris']}/v1/employees", headers={"X-Api-Key": key}, params={"offset": offset, "limit": limit}, timeout=10
        ).json()
        people += body["data"]
        offset = body["paging"]["next_offset"]
    return people


def test_the_api_key_goes_in_a_bearer_or_x_api_key_header(sandboxes, sandbox_demo_company):
    base = f"{sandboxes['hris']}/v1/entities"
    assert requests.get(base, headers={"Authorization": f"Bearer {sandbox_demo_company['api_key']}"}, timeout=10).ok
    assert requests.get(base, headers={"X-Api-Key": sandbox_demo_company["api_key"]}, timeout=10).ok
    refused = requests.get(base, headers={"X-Api-Key": "wrong"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"


def test_offset_pages_cover_everyone_with_phones_and_exclusions(sandboxes, sandbox_demo_company, sandbox_size):
    people = everyone(sandboxes, sandbox_demo_company["api_key"], limit=33)
    assert len(people) == sandbox_size
    assert sorted(p["id"] for p in people) == sorted(
        e["id"] for e in true_employees(sandboxes["hris"], sandbox_demo_company["id"])
    )
    assert all(p["phone_number"].startswith("+3") for p in people)
    assert any(p["excluded"] for p in people) and not all(p["excluded"] for p in people)


def test_between_runs_people_leave_join_move_and_change_contact_details(sandboxes, sandbox_demo_company):
    before = {p["id"]: p for p in everyone(sandboxes, sandbox_demo_company["api_key"])}
    applied = {c["kind"]: c for c in advance(sandboxes["hris"])["applied"] if c["company_id"] == sandbox_demo_company["id"]}
    after = {p["id"]: p for p in everyone(sandboxes, sandbox_demo_company["api_key"])}

    assert applied["removal"]["employee_id"] in before and applied["removal"]["employee_id"] not in after
    assert applied["new_hire"]["employee"]["id"] in after
    email = applied["email_change"]
    assert after[email["employee_id"]]["work_email"] == email["email"]
    phone = applied["phone_change"]
    assert after[phone["employee_id"]]["phone_number"] == phone["phone"]
    move = applied["entity_move"]
    assert move["employee_id"] not in after
    moved = after[move["new_employee_id"]]
    assert moved["work_email"] == before[move["employee_id"]]["work_email"]
    assert moved["entity_id"] == move["entity_id"] != before[move["employee_id"]]["entity_id"]
    assert advance(sandboxes["hris"])["applied"] == []
