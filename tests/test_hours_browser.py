"""An HR admin opens the hours of a month, previews the export to Connexie, exports it,
watches it finish, and finds the exported shifts marked in the Exported column."""

from __future__ import annotations

import re

from helpers.logins import log_in
from helpers.pages import screenshot


def test_after_an_export_the_hours_table_shows_when_each_shift_was_exported(hours_story, sync_setup, worker, live_server, page):
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


def test_a_csv_with_errors_lists_each_problem_and_offers_to_import_the_correct_lines(app, staff, live_server, page, tmp_path):
    csv_file = tmp_path / "hours.csv"
    csv_file.write_text(
        "email;date;start;end;break_minutes;meals;allowance;approved\n"
        "an.janssens@demo.test;2025-05-12;09:00;15:30;30;1;4,50;ja\n"
        "nobody@demo.test;2025-05-12;09:00;15:30;30;0;0;yes\n"
        "bram.maes@demo.test;31/02/2025;9h;15:30;30;0;0;maybe\n"
    )
    log_in(page, live_server)
    page.goto(live_server + "/hours/import")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Import", exact=True).click()
    errors = page.locator("table.import-errors tbody tr")
    errors.first.wait_for()
    assert errors.count() == 4
    screenshot(page, "hours-5-import-errors")

    page.get_by_role("button", name="Import the 1 correct line").click()
    page.get_by_text("2 lines with errors were not imported.").wait_for()
    assert page.locator("#hour-rows tbody tr").count() == 1
    screenshot(page, "hours-6-import-valid-lines")
