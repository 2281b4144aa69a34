"""An HR admin opens the hours of a month, previews the export to Connexie, exports it,
watches it finish, and finds the exported shifts marked in the Exported column."""
from __future__ import annotations

import re

from browsing import log_in, screenshot


def test_after_an_export_the_hours_table_shows_when_each_shift_was_exported(
        hours_story, sync_setup, worker, live_server, page):
    story = hours_story
    story.add_shift("flex", 3, meals=1)
    story.add_shift("flex_2", 4, allowance="4.50")
    story.add_shift("fixed", 5)
    story.add_shift("flex", 6, approved=False)
    log_in(page, live_server)

    page.get_by_role("link", name="Hours").click()
    page.get_by_label("Month").fill(str(story.period))
    page.get_by_label("Month").dispatch_event("change")
    rows = page.locator("#hour-rows tbody tr")
    rows.nth(3).wait_for()
    assert all(row.locator("td").nth(8).inner_text() == "—" for row in rows.all())
    screenshot(page, "hours-1-table-before-export")

    page.get_by_role("link", name=f"Export {story.period} to Connexie…").click()
    page.get_by_role("heading", name=re.compile("Will be exported: 3 lines")).wait_for()
    assert "Fixed-hours contract" in page.locator("table.left-out").inner_text()
    screenshot(page, "hours-2-export-preview")

    page.get_by_role("button", name=f"Export {story.period} to Connexie").click()
    page.get_by_text("3 of 3 lines booked by Connexie").wait_for(timeout=20_000)
    screenshot(page, "hours-3-export-done")

    page.get_by_role("link", name="Back to the hours").click()
    exported = [row.locator("td").nth(8).inner_text() for row in page.locator("#hour-rows tbody tr").all()]
    assert sum(text.startswith("Exported") for text in exported) == 2
    assert exported.count("—") == 2
    screenshot(page, "hours-4-table-exported-column")
