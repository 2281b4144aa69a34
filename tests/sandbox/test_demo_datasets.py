"""The datasets `make run` chooses at start: one per provider, relative dates that never go
stale, and what a dataset may leave out filled in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from demo.launcher import DATASETS_DIR, SANDBOXES
from sandbox.dataset import load_dataset, resolve_date
from sandbox.testing import dataset_summary, running_sandboxes, true_employees


@pytest.mark.parametrize(
    ("written", "resolved"),
    [
        ("today", "2026-01-31"),
        ("today-1d", "2026-01-30"),
        ("today + 2w", "2026-02-14"),
        # A month on from the 31st is the last day of February.
        ("today+1m", "2026-02-28"),
        ("today-13m", "2024-12-31"),
        ("today+1y", "2027-01-31"),
        # Anything else stays as written: a dataset may hold an impossible date on purpose.
        ("2021-02-31", "2021-02-31"),
        ("yesterday", "yesterday"),
    ],
)
def test_a_relative_date_is_resolved_against_the_day_the_file_is_loaded(written, resolved):
    assert resolve_date(written, date(2026, 1, 31)) == resolved


def test_a_dataset_leaves_out_what_the_generator_would_fill_in_and_its_dates_are_relative(tmp_path):
    dataset_file = tmp_path / "one.json"
    dataset_file.write_text(
        '{"companies": [{"id": "C009", "name": "Tiny BV", "vat": "BE0403170701", "employees": [{"id": "E1",'
        ' "first_name": "An", "last_name": "Smet", "email": "an@tiny.be", "contracts": [{"wage_type": "hourly",'
        ' "gross_amount": "20.00", "start_date": "today-1y", "end_date": "today-1d", "worker_class": "white_collar",'
        ' "work_regime_pct": 50}]}]}]}'
    )
    today = date(2026, 3, 1)
    [company] = load_dataset(dataset_file, today=today).companies
    [employee] = company["employees"]
    [contract] = employee["contracts"]
    assert (employee["start_date"], contract["end_date"]) == ("2025-03-01", str(today - timedelta(days=1)))
    assert contract["weekly_hours"] == "19.00" and contract["id"] == "E1-K1" and contract["entity_id"] == "C009-V1"
    assert [user["login"] for user in company["users"]] == ["main.c009", "colleague.c009"]
    assert company["local_users"] == [] and employee["excluded"] is False


def test_each_provider_serves_its_own_dataset():
    datasets = {provider: str(DATASETS_DIR / f"{provider}.json") for provider in SANDBOXES}
    with running_sandboxes(datasets=datasets) as urls:
        prefixes = {provider: {e["id"][:3] for e in true_employees(urls[provider], "C001")} for provider in SANDBOXES}
        assert prefixes == {"securex": {"SX-"}, "liantis": {"LI-"}, "connexie": {"CX-"}, "hris": {"HR-"}}
        assert dataset_summary(urls["connexie"])["companies"][0]["api_token"] == "cnx-demo-nv"
        # Grace Desmedt's fixed-term contract ends a month from today, whenever the demo runs.
        listing = requests.get(
            f"{urls['securex']}/api/v1/companies/C001/employees",
            headers={"X-Api-Key": "securex-sandbox-key"},
            params={"per_page": 200},
            timeout=10,
        ).json()
        grace = next(e for e in listing["items"] if e["last_name"] == "Desmedt")
        assert grace["wage_contracts"][0]["end_date"] == resolve_date("today+1m", date.today())
