"""The sandbox data: deterministic, realistic, fast, loadable from JSON."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from stdnum.be import vat as be_vat

from sandbox.dataset import DEMO_COMPANY_VAT, current_contract, generate_dataset, load_dataset

EXAMPLE = Path(__file__).parents[2] / "sandbox" / "datasets" / "example.json"


def test_same_seed_gives_the_same_people_and_another_seed_does_not():
    assert generate_dataset(5, 300, 3).companies == generate_dataset(5, 300, 3).companies
    assert generate_dataset(5, 300, 3).companies != generate_dataset(6, 300, 3).companies


def test_the_largest_company_has_fifty_thousand_distinct_employees():
    # How fast that is belongs to `make bench`, not to a test.
    dataset = generate_dataset(seed=2, size=50_000, companies=1)
    employees = dataset.companies[0]["employees"]
    assert len(employees) == 50_000
    assert len({e["id"] for e in employees}) == 50_000


def test_every_company_has_a_valid_belgian_vat_and_the_demo_company_is_first():
    dataset = generate_dataset(seed=3, size=10, companies=5)
    assert dataset.companies[0]["vat"] == DEMO_COMPANY_VAT
    assert all(be_vat.is_valid(c["vat"]) for c in dataset.companies)
    assert len({c["vat"] for c in dataset.companies}) == 5
    assert dataset.companies[-1]["integration_available"] is False


def test_names_carry_accents_and_emails_are_unique_lowercase_ascii():
    employees = generate_dataset(seed=1, size=2000, companies=1).companies[0]["employees"]
    emails = [e["email"] for e in employees]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+", email) for email in emails)
    names = {e["first_name"] for e in employees} | {e["last_name"] for e in employees}
    assert {"Sébastien", "Anaïs", "Maëlle", "Wouter", "Van den Broeck", "Lefèvre"} <= names
    assert {e["language"] for e in employees} == {"nl", "fr", "en", "de"}


def test_contracts_mix_wage_types_worker_classes_and_ended_employment():
    employees = generate_dataset(seed=1, size=1000, companies=1).companies[0]["employees"]
    contracts = [c for e in employees for c in e["contracts"]]
    assert {c["wage_type"] for c in contracts} == {"hourly", "monthly"}
    assert {c["worker_class"] for c in contracts} == {"blue_collar", "white_collar"}
    assert {c["contract_type"] for c in contracts} == {"flex", "fixed_hours"}
    only_ended = [e for e in employees if all(c["end_date"] for c in e["contracts"])]
    assert only_ended


def test_the_example_file_loads_with_every_kind_of_scheduled_change():
    dataset = load_dataset(EXAMPLE)
    assert dataset.companies[0]["vat"] == DEMO_COMPANY_VAT
    assert dataset.companies[0]["hours_imports"]
    kinds = {c["kind"] for c in dataset.scheduled_changes}
    assert kinds == {"new_hire", "removal", "salary_change", "email_change", "phone_change", "entity_move", "contract_end"}


def test_advancing_applies_changes_without_touching_other_copies():
    pristine = generate_dataset(seed=9, size=50, companies=1)
    before = pristine.fresh_copy()
    after = pristine.fresh_copy()
    applied = after.advance()
    assert after.run == 1 and len(applied) == 7
    ids_before = {e["id"] for e in before.companies[0]["employees"]}
    ids_after = {e["id"] for e in after.companies[0]["employees"]}
    removal = next(c for c in applied if c["kind"] == "removal")
    email = next(c for c in applied if c["kind"] == "email_change")
    assert removal["employee_id"] in ids_before - ids_after
    changed = next(e for e in after.companies[0]["employees"] if e["id"] == email["employee_id"])
    original = next(e for e in before.companies[0]["employees"] if e["id"] == email["employee_id"])
    assert changed["email"] == email["email"] != original["email"]
    assert after.advance() == []


def test_raising_ten_percent_of_salaries_changes_only_that_share_of_people_under_contract():
    dataset = generate_dataset(seed=4, size=1000, companies=1)
    before = list(dataset.companies[0]["employees"])
    working = sum(1 for e in before if current_contract(e)["end_date"] is None)
    raised = dataset.raise_salaries("C001", 10)
    after = dataset.companies[0]["employees"]
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert raised == len(changed) == round(working / 10)
    for old, new in changed:
        assert float(current_contract(new)["gross_amount"]) > float(current_contract(old)["gross_amount"])
        assert {**new, "contracts": None, "updated_at": None} == {**old, "contracts": None, "updated_at": None}


@pytest.mark.parametrize(
    "dataset",
    [generate_dataset(seed=11, size=120), generate_dataset(seed=1, size=200), load_dataset(EXAMPLE)],
    ids=["tests", "default", "example"],
)
def test_every_venue_has_people_and_someone_is_excluded(dataset):
    """What the settings of Connexie and the generic HR system act on: a venue set to
    Inactive or an entity left unticked must leave people out, an exclusion someone."""
    demo = dataset.companies[0]
    today = date.today().isoformat()
    working = [e for e in demo["employees"] if any(c["start_date"] <= today <= (c["end_date"] or today) for c in e["contracts"])]
    assert len(demo["entities"]) >= 2
    assert {e["id"] for e in demo["entities"]} == {e["entity_id"] for e in working}
    assert any(e["excluded"] for e in demo["employees"])
