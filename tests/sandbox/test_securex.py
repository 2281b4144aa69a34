"""Securex over HTTP: API key, company lookup by VAT, numbered pages."""

from __future__ import annotations

import requests

from sandbox import securex
from sandbox.common import dataset_factory
from sandbox.dataset import DEMO_COMPANY_VAT as DEMO_VAT
from sandbox.serving import RunningSandbox
from sandbox.testing import raise_salaries, reset_sandbox, true_employees

SECUREX_KEY = {"X-Api-Key": securex.DEFAULT_API_KEY}


def get(sandboxes, path, headers=SECUREX_KEY, **params):
    return requests.get(f"{sandboxes['securex']}/api/v1{path}", headers=headers, params=params, timeout=10)


def test_a_missing_or_wrong_api_key_is_refused(sandboxes):
    assert get(sandboxes, "/companies", headers={}, vat=DEMO_VAT).status_code == 401
    wrong = get(sandboxes, "/companies", headers={"X-Api-Key": "nope"}, vat=DEMO_VAT)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_api_key"


def test_company_lookup_by_vat_answers_each_activation_case(sandboxes, sandbox_companies):
    found = get(sandboxes, "/companies", vat="BE 0123.456.749")
    assert found.status_code == 200 and found.json()["vat"] == DEMO_VAT
    assert get(sandboxes, "/companies").json()["error"] == "missing_vat"
    assert get(sandboxes, "/companies", vat="BE0123456789").json()["error"] == "invalid_vat"
    assert get(sandboxes, "/companies", vat="BE0123456848").status_code == 404
    unavailable = next(c for c in sandbox_companies.values() if not c["integration_available"])
    refused = get(sandboxes, "/companies", vat=unavailable["vat"])
    assert refused.status_code == 403 and refused.json()["error"] == "integration_not_available"


def test_pages_cover_every_employee_exactly_once_with_right_totals(sandboxes, sandbox_demo_company, sandbox_size):
    seen, page = [], 1
    while True:
        body = get(sandboxes, f"/companies/{sandbox_demo_company['id']}/employees", page=page, per_page=25).json()
        assert body["total"] == sandbox_size and body["pages"] == -(-sandbox_size // 25) and body["page"] == page
        seen += [e["id"] for e in body["items"]]
        if page >= body["pages"]:
            break
        page += 1
    assert sorted(seen) == sorted(e["id"] for e in true_employees(sandboxes["securex"], sandbox_demo_company["id"]))


def test_employees_carry_personal_and_wage_data(sandboxes, sandbox_demo_company):
    employee = get(sandboxes, f"/companies/{sandbox_demo_company['id']}/employees", per_page=1).json()["items"][0]
    assert {
        "id",
        "employee_number",
        "first_name",
        "last_name",
        "email",
        "language",
        "start_date",
        "entity",
        "wage_contracts",
    } <= set(employee)
    contract = employee["wage_contracts"][0]
    assert {
        "wage_type",
        "gross_amount",
        "start_date",
        "end_date",
        "worker_class",
        "work_regime_pct",
        "weekly_hours",
        "employer_social_security_pct",
    } <= set(contract)
    assert isinstance(contract["gross_amount"], float)


def test_the_same_seed_serves_the_same_pages(sandboxes, sandbox_demo_company, sandbox_seed, sandbox_size):
    twin_app = securex.create_app(dataset_factory(seed=sandbox_seed, size=sandbox_size))
    twin = RunningSandbox("twin", twin_app).start()
    try:
        path = f"/api/v1/companies/{sandbox_demo_company['id']}/employees?page=3&per_page=20"
        ours = requests.get(sandboxes["securex"] + path, headers=SECUREX_KEY, timeout=10).json()
        theirs = requests.get(twin.base_url + path, headers=SECUREX_KEY, timeout=10).json()
        # Everything but the moment each server answered.
        assert {**ours, "as_of": None} == {**theirs, "as_of": None}
    finally:
        twin.stop()


def test_bad_paging_parameters_are_a_400(sandboxes, sandbox_demo_company):
    assert get(sandboxes, f"/companies/{sandbox_demo_company['id']}/employees", page="zero").status_code == 400


def test_the_raise_salaries_knob_changes_served_amounts_and_reset_undoes_it(sandboxes, sandbox_demo_company):
    company_id = sandbox_demo_company["id"]
    before = {e["id"]: e for e in true_employees(sandboxes["securex"], company_id)}
    raised = raise_salaries(sandboxes["securex"], company_id, 10)
    after = {e["id"]: e for e in true_employees(sandboxes["securex"], company_id)}
    assert raised > 0 and sum(before[i] != after[i] for i in before) == raised
    assert (
        requests.post(
            f"{sandboxes['securex']}/_admin/companies/{company_id}/raise-salaries", json={"percent": 0}, timeout=10
        ).status_code
        == 400
    )
    reset_sandbox(sandboxes["securex"])
    assert {e["id"]: e for e in true_employees(sandboxes["securex"], company_id)} == before
