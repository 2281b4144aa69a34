"""An HR admin follows a slow sync on the run page and on the integrations card at once:
the fetched count moves every second, and the result shows up when the run closes, on
both pages, without a reload."""

from __future__ import annotations

import re

from helpers.logins import log_in
from helpers.pages import screenshot
from helpers.sync_runs import finished_run
from helpers.waiting import wait_for
from portal.models import RunState
from sandbox.testing import set_faults

# 120 people a company, pages of 25 (the test worker's): five pages of well over a second each.
PAGE_LATENCY_MS = 1300


class Watcher:
    """The fetched counts one page showed, in order, and how often the page navigated."""

    def __init__(self, page, scope) -> None:
        self.page, self.scope, self.counts, self.navigations = page, scope, [], 0
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.navigations += 1

    def look(self) -> None:
        text = self.scope.locator(".progress-text")
        if text.count():
            match = re.search(r"(\d+)", text.first.inner_text())
            if match and (not self.counts or int(match.group(1)) != self.counts[-1]):
                self.counts.append(int(match.group(1)))

    def increases(self) -> int:
        return sum(1 for before, after in zip(self.counts, self.counts[1:], strict=False) if after > before)


def test_the_run_page_and_the_card_follow_a_slow_sync_to_its_end_without_a_reload(
    sync_setup, sandboxes, activate, worker, live_server, page, browser
):
    app = sync_setup
    activate("securex")
    set_faults(sandboxes["securex"], page_latency_ms=PAGE_LATENCY_MS)
    log_in(page, live_server)
    page.goto(live_server + "/integrations")
    card = page.locator("#card-securex")
    card.get_by_role("button", name="Sync now").click()
    follow = card.get_by_role("link", name="Follow this sync")
    follow.wait_for()
    run_url = follow.get_attribute("href")
    run_id = int(run_url.rsplit("/", 1)[1])

    # The run page in a second tab of the same session, as "Follow this sync" opens it.
    run_page = page.context.new_page()
    run_page.goto(live_server + run_url)
    progress = run_page.locator(".run-progress")
    # And the history, where the run is a row that says Running until it has ended.
    history_page = page.context.new_page()
    history_page.goto(live_server + "/integrations/securex/history")
    history_row = history_page.locator("#history-rows tbody tr").first
    on_card, on_run_page = Watcher(page, card), Watcher(run_page, progress)
    navigations_before = (on_card.navigations, on_run_page.navigations)

    def both_moved_twice() -> bool:
        on_card.look()
        on_run_page.look()
        return on_card.increases() >= 2 and on_run_page.increases() >= 2

    wait_for(both_moved_twice, timeout=30, interval=0.1, message="the fetched count to move twice on both pages")
    screenshot(run_page, "live-progress-1-run-page-moving")
    screenshot(page, "live-progress-2-card-moving")

    run = finished_run(app, run_id)
    assert run.status is RunState.SUCCESS, run.error_detail
    result = f"{run.created} created"
    progress.get_by_text("Success").wait_for()
    progress.get_by_text(result).wait_for()
    card.get_by_text(result).wait_for()
    assert card.get_by_role("button", name="Sync now").is_enabled()
    # The lines below the progress were empty while the run went: they are there now.
    run_page.locator("#run-lines tbody tr").first.wait_for()
    assert run_page.locator("#run-lines tbody tr.line-create").first.is_visible()
    screenshot(run_page, "live-progress-3-run-page-result")
    history_row.get_by_text("Success").wait_for()
    assert history_row.locator("td").nth(5).inner_text() == str(run.created)
    screenshot(page, "live-progress-4-card-result")

    assert (on_card.navigations, on_run_page.navigations) == navigations_before, "a page reloaded"
    # Closed: what replaced the polling block asks for nothing any more.
    assert progress.get_attribute("hx-trigger") is None and progress.get_attribute("hx-get") is None

    card.get_by_role("link", name="See the employees in this sync").click()
    page.wait_for_url(re.compile(rf"/syncs/{run_id}"))
    page.get_by_text(result).wait_for()
