"""Customer success reads every company's integrations on the fleet page: what needs help
first, filtered, searched and paged; a provider failing for many companies is one banner."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from helpers.fleet import company_with, ended_run
from portal import tenancy
from portal.extensions import db
from portal.models import Integration, IntegrationState, RunState, SelectionEntry, SyncRun, Trigger
from portal.runs import sync_runs
from portal.runs.lifecycle import ErrorCode
from portal.sync.state import Selection, SyncMode

ROWS = {"HX-Request": "true", "HX-Target": "fleet-rows"}


def companies_listed(html: str) -> list[str]:
    """The companies of the rows, top to bottom."""
    return re.findall(r'<td><a href="/cs/companies/\d+">([^<]+)</a>', html)


@pytest.fixture
def fleet(app) -> dict[str, int]:
    """Companies in every state the page shows, by name."""
    ids = {
        "Alfa BV": company_with(app, "Alfa BV", vat="BE0403170701"),
        "Bravo NV": company_with(app, "Bravo NV", provider="liantis", state=IntegrationState.RECONNECT_NEEDED),
        "Charlie BV": company_with(app, "Charlie BV"),
        "Delta NV": company_with(app, "Delta NV", vat="BE0123456749"),
        "Echo BV": company_with(app, "Echo BV", provider="connexie", mode=SyncMode.SELECTIVE),
        "Foxtrot NV": company_with(app, "Foxtrot NV", provider="hris", state=IntegrationState.DISABLED),
        "Golf BV": company_with(app, "Golf BV", state=IntegrationState.AVAILABLE),
    }
    ended_run(app, ids["Alfa BV"], RunState.ERROR, error_code=ErrorCode.PROVIDER_UNAVAILABLE)
    ended_run(app, ids["Bravo NV"], RunState.ERROR, error_code=ErrorCode.RECONNECT_NEEDED)
    for _ in range(2):
        ended_run(app, ids["Charlie BV"], RunState.PARTIAL, failed=3)
    ended_run(app, ids["Delta NV"], RunState.SUCCESS)
    ended_run(app, ids["Echo BV"], RunState.PARTIAL, failed=9)
    for _ in range(3):
        ended_run(app, ids["Foxtrot NV"], RunState.ERROR, error_code=ErrorCode.INTERNAL)
    return ids


def test_what_needs_help_comes_first(app, client, auth, fleet):
    auth.login("cs@flexsync.test")
    page = client.get("/cs/fleet").get_data(as_text=True)
    # Reconnect and error first (most failures in a row, then name), then most failures in
    # a row, most people the last run failed for, name; switched-off integrations last.
    assert companies_listed(page) == ["Alfa BV", "Bravo NV", "Echo BV", "Charlie BV", "Delta NV", "Golf BV", "Foxtrot NV"]
    charlie = page[page.index("Charlie BV") : page.index("Delta NV")]
    assert "Partial" in charlie and "42.0 s" in charlie
    # A partial run went through but for three people: open problems, not a failed run.
    assert re.search(r"<td>0</td>\s*<td>3</td>", charlie), "no failed run in a row, three open problems"
    assert "reconnect needed" in page[page.index("Bravo NV") : page.index("Echo BV")]
    ended_run(app, fleet["Alfa BV"], RunState.ERROR, error_code=ErrorCode.PROVIDER_UNAVAILABLE)
    with app.app_context():
        assert db.session.get(Integration, fleet["Alfa BV"]).failed_runs_in_a_row == 2
        assert db.session.get(Integration, fleet["Charlie BV"]).failed_runs_in_a_row == 0
    ended_run(app, fleet["Echo BV"], RunState.SUCCESS)
    rows = client.get("/cs/fleet", headers=ROWS).get_data(as_text=True)
    assert "<html" not in rows
    assert companies_listed(rows)[:5] == ["Alfa BV", "Bravo NV", "Charlie BV", "Delta NV", "Echo BV"]


def test_a_run_closed_because_its_worker_died_counts_as_one_more_failure(app, client, auth):
    """The stale sweep ends runs too: the fleet columns follow every way a run ends."""
    integration_id = company_with(app, "Lost Run BV")
    ended_run(app, integration_id, RunState.PARTIAL, failed=1)
    with app.app_context():
        tenant_id = db.session.get(Integration, integration_id).tenant_id
        silent_since = datetime.utcnow() - sync_runs.STALE_AFTER * 2
        with tenancy.acting_for(tenant_id):
            db.session.add(
                SyncRun(
                    integration_id=integration_id,
                    trigger=Trigger.NIGHTLY,
                    status=RunState.RUNNING,
                    started_at=silent_since,
                    heartbeat_at=silent_since,
                )
            )
            db.session.commit()
        assert sync_runs.close_stale_runs() == 1
    auth.login("cs@flexsync.test")
    row = client.get("/cs/fleet?q=lost", headers=ROWS).get_data(as_text=True)
    # The person the last finished run failed for is still an open problem: nobody synced them since.
    assert "status-error" in row and re.search(r"<td>1</td>\s*<td>1</td>", row), "Error, one in a row, one open problem"


def test_filters_and_search_by_name_or_vat(client, auth, fleet):
    auth.login("cs@flexsync.test")
    assert companies_listed(client.get("/cs/fleet?provider=liantis").get_data(as_text=True)) == ["Bravo NV"]
    assert companies_listed(client.get("/cs/fleet?state=error").get_data(as_text=True)) == ["Alfa BV"]
    assert companies_listed(client.get("/cs/fleet?state=disabled", headers=ROWS).get_data(as_text=True)) == ["Foxtrot NV"]
    assert companies_listed(client.get("/cs/fleet?q=echo", headers=ROWS).get_data(as_text=True)) == ["Echo BV"]
    # A VAT number as people write it.
    assert companies_listed(client.get("/cs/fleet?q=0123.456.749").get_data(as_text=True)) == ["Delta NV"]
    assert companies_listed(client.get("/cs/fleet?provider=securex&state=active").get_data(as_text=True)) == [
        "Charlie BV",
        "Delta NV",
    ]
    assert "No integration matches these filters." in client.get("/cs/fleet?q=100%25").get_data(as_text=True)


def test_a_long_fleet_is_paged(app, client, auth):
    for n in range(30):
        company_with(app, f"Company {n:02d}")
    auth.login("cs@flexsync.test")
    first = client.get("/cs/fleet").get_data(as_text=True)
    second = client.get("/cs/fleet?page=2", headers=ROWS).get_data(as_text=True)
    assert len(companies_listed(first)) == 25 and "Page 1 of 2" in first
    assert companies_listed(second) == [f"Company {n}" for n in range(25, 30)]


def test_the_people_waiting_for_review_and_the_next_nightly_sync_are_shown(app, client, auth, fleet):
    with app.app_context():
        echo = db.session.get(Integration, fleet["Echo BV"])
        with tenancy.acting_for(echo.tenant_id):
            db.session.add_all(
                SelectionEntry(integration_id=echo.id, provider_id=f"P{n}", selection=Selection.PARKED, display_name=f"P {n}")
                for n in range(4)
            )
            db.session.commit()
    auth.login("cs@flexsync.test")
    page = client.get("/cs/fleet?q=echo").get_data(as_text=True)
    assert re.search(r"<td>4</td>\s*<td>\d[^<]*(AM|PM)</td>", page), "4 waiting for review, tonight's sync"
    assert "—" in client.get("/cs/fleet?q=foxtrot").get_data(as_text=True).split("<tbody>")[1]


def test_a_provider_failing_for_many_companies_is_one_banner_that_goes_when_they_recover(app, client, auth, fleet):
    auth.login("cs@flexsync.test")
    failing = [company_with(app, f"Outage {n}") for n in range(3)]
    for integration_id in failing:
        ended_run(app, integration_id, RunState.ERROR, error_code=ErrorCode.PROVIDER_UNAVAILABLE)
    page = client.get("/cs/fleet").get_data(as_text=True)
    # Alfa BV failed the same way: four of the six Securex companies that synced lately.
    assert "Securex is failing for 4 companies" in page
    assert "of the 6 companies that synced with it in the last hour" in page
    # The banner explains those rows: Bravo NV (reconnect) needs help first, not 4 red Securex rows.
    assert companies_listed(page)[0] == "Bravo NV"
    assert page.count('class="line-fail"') == 1
    for integration_id in failing:
        ended_run(app, integration_id, RunState.SUCCESS)
    banner = client.get("/cs/fleet", headers={"HX-Request": "true", "HX-Target": "fleet-outages"}).get_data(as_text=True)
    assert "failing" not in banner and "<html" not in banner


def test_with_redis_down_the_page_says_so_and_still_answers(app, client, auth, fleet, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    app.extensions.pop("flexsync_redis", None)
    auth.login("cs@flexsync.test")
    try:
        response = client.get("/cs/fleet")
        panel = client.get("/cs/fleet", headers={"HX-Request": "true", "HX-Target": "fleet-workers"})
    finally:
        app.extensions.pop("flexsync_redis", None)
    assert response.status_code == 200 and "Alfa BV" in response.get_data(as_text=True)
    assert "Redis does not answer" in panel.get_data(as_text=True)
