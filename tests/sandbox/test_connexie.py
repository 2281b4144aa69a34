"""Connexie over HTTP: API token, venues and codes, team members, hours imports."""

from __future__ import annotations

import requests

from sandbox.testing import set_faults, true_employees


def client(sandboxes, token):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    base = f"{sandboxes['connexie']}/api"
    return lambda method, path, **kw: session.request(method, base + path, timeout=10, **kw)


def test_an_invalid_token_is_a_401_json_error(sandboxes):
    answer = client(sandboxes, "not-a-token")("GET", "/venues")
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"
    assert requests.get(f"{sandboxes['connexie']}/api/venues", timeout=10).status_code == 401


def test_venues_and_codes_of_the_account(sandboxes, sandbox_demo_company):
    call = client(sandboxes, sandbox_demo_company["api_token"])
    assert call("GET", "/venues").json()["venues"] == sandbox_demo_company["entities"]
    wage_codes = call("GET", "/wage-codes").json()["wage_codes"]
    hour_codes = call("GET", "/hour-codes").json()["hour_codes"]
    assert any(c["active"] for c in wage_codes) and any(not c["active"] for c in hour_codes)
    set_faults(sandboxes["connexie"], codes_inactive=True)
    assert not any(c["active"] for c in call("GET", "/wage-codes").json()["wage_codes"])
    assert not any(c["active"] for c in call("GET", "/hour-codes").json()["hour_codes"])


def test_team_members_page_through_everyone_with_their_contracts(sandboxes, sandbox_demo_company, sandbox_size):
    call = client(sandboxes, sandbox_demo_company["api_token"])
    members, page = [], 1
    while True:
        body = call("GET", "/team-members", params={"page": page, "page_size": 50}).json()
        assert body["meta"]["total_count"] == sandbox_size
        members += body["team_members"]
        if page >= body["meta"]["total_pages"]:
            break
        page += 1
    assert sorted(m["id"] for m in members) == sorted(
        e["id"] for e in true_employees(sandboxes["connexie"], sandbox_demo_company["id"])
    )
    contracts = [c for m in members for c in m["contracts"]]
    assert {c["contract_type"] for c in contracts} == {"flex", "fixed_hours"}
    assert any(all(c["end_date"] for c in m["contracts"]) for m in members)
    assert all(c["venue_id"] in {v["id"] for v in sandbox_demo_company["entities"]} for c in contracts)


def flex_worker(sandboxes, company_id) -> dict:
    return next(
        e
        for e in true_employees(sandboxes["connexie"], company_id)
        if any(c["contract_type"] == "flex" and c["end_date"] is None for c in e["contracts"])
    )


def test_reposting_an_export_replaces_it_and_never_doubles(sandboxes, sandbox_demo_company):
    call = client(sandboxes, sandbox_demo_company["api_token"])
    worker = flex_worker(sandboxes, sandbox_demo_company["id"])
    lines = [
        {"team_member_id": worker["id"], "date": "2026-01-05", "type": "worked_hours", "quantity": "7.5", "code": "H100"},
        {"team_member_id": worker["id"], "date": "2026-01-05", "type": "meal", "quantity": "1", "code": "M200"},
    ]
    export = {"export_key": "flexsync-2026-01", "period": {"start": "2026-01-01", "end": "2026-01-31"}, "lines": lines}
    first = call("POST", "/hours-imports", json=export).json()
    assert first["status"] == "created" and first["lines_accepted"] == 2
    again = call("POST", "/hours-imports", json=export).json()
    assert again["status"] == "replaced" and again["lines_replaced"] == 2
    stored = call("GET", "/hours-imports", params={"export_key": "flexsync-2026-01"}).json()
    assert stored["total_lines"] == 2 and stored["imports"][0]["times_posted"] == 2


def test_lines_connexie_cannot_book_are_rejected_with_a_reason(sandboxes, sandbox_demo_company):
    call = client(sandboxes, sandbox_demo_company["api_token"])
    worker = flex_worker(sandboxes, sandbox_demo_company["id"])
    salaried = next(
        e
        for e in true_employees(sandboxes["connexie"], sandbox_demo_company["id"])
        if all(c["contract_type"] == "fixed_hours" for c in e["contracts"])
    )
    day = {"date": "2026-01-06", "quantity": "4"}
    lines = [
        {"team_member_id": "nobody", "type": "worked_hours", **day},
        {"team_member_id": salaried["id"], "type": "worked_hours", **day},
        {"team_member_id": worker["id"], "type": "allowance", **day},
        {"team_member_id": worker["id"], "type": "allowance", "code": "A310", **day},
        {"team_member_id": worker["id"], "type": "worked_hours", "date": "06/01/2026", "quantity": "4"},
    ]
    answer = call("POST", "/hours-imports", json={"export_key": "k", "lines": lines}).json()
    assert [r["reason"] for r in answer["rejected"]] == [
        "unknown_team_member",
        "no_active_flex_contract",
        "code_required",
        "code_not_active",
        "bad_date_or_quantity",
    ]
    assert call("POST", "/hours-imports", json={"lines": []}).status_code == 400
