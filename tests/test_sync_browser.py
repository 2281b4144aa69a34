"""An HR admin presses Sync now on a slow Liantis, watches the progress move, and reads the
history entry with every failed employee, the reason and the fix."""

from __future__ import annotations

import re
import time

from helpers.logins import log_in
from helpers.pages import screenshot
from helpers.waiting import wait_for
from sandbox.testing import set_faults


def fetched_count(card) -> int:
    text = card.locator(".progress-text").inner_text()
    return int(re.search(r"(\d+)", text).group(1))


def test_the_progress_bar_moves_during_a_slow_liantis_sync_and_the_history_lists_the_failures(
    sync_setup, sandboxes, activate, worker, myliantis, live_server, page
):
    token = myliantis.consent_as_main_user()
    activate(
        "liantis",
        credentials={
            "access_token": token["access_token"],
            "refresh_token": token["refresh_token"],
            "expires_at": time.time() + token["expires_in"],
        },
    )
    # The seeds' "performance issues": every page takes a while; two people have no e-mail.
    set_faults(sandboxes["liantis"], page_latency_ms=900, malformed={"missing_email": 2})
    log_in(page, live_server)
    page.goto(live_server + "/integrations")
    card = page.locator("#card-liantis")
    card.get_by_role("button", name="Sync now").click()
    card.locator("progress").wait_for()
    wait_for(lambda: card.locator(".progress-text").count() and fetched_count(card) > 0, timeout=20, message="first page")
    first_seen = fetched_count(card)
    screenshot(page, "sync-1-progress")
    wait_for(
        lambda: card.locator(".progress-text").count() and fetched_count(card) > first_seen,
        timeout=20,
        message="the progress to move",
    )
    screenshot(page, "sync-2-progress-moved")

    card.get_by_text("Partial").wait_for(timeout=30_000)
    assert card.get_by_role("button", name="Sync now").is_enabled()
    screenshot(page, "sync-3-card-partial")

    card.get_by_role("link", name="History").click()
    page.get_by_role("heading", name=re.compile("Sync history")).wait_for()
    row = page.locator("#history-rows tbody tr").first
    assert "manual" in row.inner_text() and "Partial" in row.inner_text()
    screenshot(page, "sync-4-history")

    row.get_by_role("link").first.click()
    page.get_by_role("link", name="failed").click()
    page.wait_for_url(re.compile(r"action=fail"))
    failures = page.locator("#run-lines tbody tr")
    wait_for(lambda: failures.count() == 2, timeout=10, message="only the failed employees")
    assert failures.count() == 2
    for line in failures.all():
        assert "The provider has no e-mail address for this employee." in line.inner_text()
        assert "Add the e-mail address at the provider, then sync again." in line.inner_text()
    screenshot(page, "sync-5-run-failures")
