"""The fleet page with real `rq worker` processes and the provider sandboxes: a provider
failing for several companies is one banner until their syncs succeed again, and a worker
killed without a word is shown as lost."""

from __future__ import annotations

import os
import signal
import time

import pytest

from helpers.fleet import company_with, ended_run
from helpers.pages import screenshot
from helpers.sync_runs import finished_run, start_sync
from helpers.waiting import wait_for
from portal.models import IntegrationState, RunState
from sandbox.testing import set_faults

pytestmark = pytest.mark.slow

OUTAGES = {"HX-Request": "true", "HX-Target": "fleet-outages"}
WORKERS = {"HX-Request": "true", "HX-Target": "fleet-workers"}
COMPANIES = ("Demo NV", "Other BV", "Third Company BV")
LOST_AFTER_S = 4


def sync_all(app, integrations: list[int]) -> list:
    runs = [start_sync(app, integration_id) for integration_id in integrations]
    return [finished_run(app, run_id) for run_id in runs]


def log_in_browser(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def test_securex_failing_for_three_companies_is_one_banner_until_their_syncs_succeed(
    sync_setup, sandboxes, worker, client, auth, live_server, page
):
    app = sync_setup
    integrations = [company_with(app, name) for name in COMPANIES]
    # A company that needs help of its own, and one that is fine.
    reconnect = company_with(app, "Needs Help BV", provider="liantis", state=IntegrationState.RECONNECT_NEEDED)
    ended_run(app, reconnect, RunState.ERROR, error_code="reconnect_needed")
    ended_run(app, company_with(app, "Doing Fine NV", provider="hris"), RunState.PARTIAL, failed=2)
    set_faults(sandboxes["securex"], error_5xx={"every": 1, "status": 503})
    failed = sync_all(app, integrations)
    assert {(run.status, run.error_code) for run in failed} == {(RunState.ERROR, "provider_unavailable")}

    auth.login("cs@flexsync.test")
    banner = client.get("/cs/fleet", headers=OUTAGES).get_data(as_text=True)
    assert "Securex is failing for 3 companies" in banner
    assert "the provider does not answer properly" in banner

    log_in_browser(page, live_server, "cs@flexsync.test")
    page.get_by_role("link", name="Fleet").click()
    page.get_by_role("heading", name="Securex is failing for 3 companies").wait_for()
    page.get_by_text("waiting for work").wait_for()
    # The company with a problem of its own comes first; the outage's rows follow the banner.
    assert page.locator("#fleet-rows tbody tr td:first-child a").first.inner_text() == "Needs Help BV"
    screenshot(page, "fleet")
    # Filters and search swap the rows in place, and the address keeps them.
    rows = page.locator("#fleet-rows tbody tr td:first-child a")
    page.get_by_label("Provider").select_option("securex")
    page.wait_for_url("**provider=securex**")
    page.get_by_label("Company or VAT number").fill("third")
    page.wait_for_url("**q=third**")
    rows.filter(has_text="Third Company BV").wait_for()
    assert rows.all_inner_texts() == ["Third Company BV"]

    set_faults(sandboxes["securex"], error_5xx=None)
    assert {run.status for run in sync_all(app, integrations)} == {RunState.SUCCESS}
    assert "failing" not in client.get("/cs/fleet", headers=OUTAGES).get_data(as_text=True)
    page.reload()
    page.get_by_role("heading", name="Fleet").wait_for()
    assert page.get_by_text("is failing for").count() == 0


def test_a_worker_killed_without_a_word_is_shown_as_lost(sync_setup, start_worker, client, auth, monkeypatch):
    app = sync_setup
    # An idle worker reports every second here, and is lost after four seconds of silence.
    monkeypatch.setenv("FLEXSYNC_WORKER_HEARTBEAT_S", "1")
    monkeypatch.setitem(app.config, "FLEET_WORKER_LOST_AFTER_S", LOST_AFTER_S)
    worker = start_worker()
    auth.login("cs@flexsync.test")

    def panel() -> str:
        return client.get("/cs/fleet", headers=WORKERS).get_data(as_text=True)

    wait_for(lambda: "1 alive" in panel(), timeout=30, message="the worker on the fleet page")
    # Longer than the threshold: a worker that waits for work is not lost.
    time.sleep(LOST_AFTER_S + 1)
    assert "1 alive" in panel() and "lost" not in panel()

    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)

    def shown_lost() -> str | None:
        text = panel()
        return text if "1 lost" in text else None

    shown = wait_for(shown_lost, timeout=15, message="the worker shown as lost")
    assert "0 alive" in shown
    assert "No worker is running" in shown
