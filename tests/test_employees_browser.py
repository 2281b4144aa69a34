"""The HR admin after a sync, in a real headless Chromium: find the new arrivals, give
them a budget, invite them, and handle what the sync cannot decide alone."""

import re
from datetime import date

import pytest

from helpers.pages import screenshot


@pytest.fixture
def admin_page(live_server, page, staff):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill("hr@demo.test")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Employees", exact=True).click()
    page.get_by_role("heading", name="Employees").wait_for()
    return page


def row(page, name: str):
    return page.locator("tr", has=page.get_by_role("link", name=name, exact=True))


def test_new_arrivals_are_found_and_get_a_budget_in_bulk(admin_page):
    page = admin_page
    screenshot(page, "employees-1-list")
    page.get_by_role("link", name="No budget assigned").click()
    page.get_by_role("link", name="Bram Maes").wait_for()
    page.wait_for_url(re.compile("filter=no_budget"))
    assert not page.get_by_role("link", name="An Janssens").is_visible()
    screenshot(page, "employees-2-no-budget-assigned")

    page.get_by_label("Select Bram Maes").check()
    page.get_by_label("Select Chloé Dubois").check()
    page.get_by_label("Yearly budget").fill("1250.50")
    page.get_by_role("button", name="Assign budget").click()
    page.get_by_text("Budget assigned to 2 employees.").wait_for()
    assert not page.get_by_role("link", name="Bram Maes").is_visible()
    screenshot(page, "employees-3-bulk-budget-assigned")

    page.get_by_role("link", name="All", exact=True).click()
    page.get_by_role("link", name="Has sync problem").click()
    page.get_by_role("link", name="Chloé Dubois").click()
    page.get_by_text("An account already exists for this e-mail").first.wait_for()
    assert page.get_by_text("€1,250.50").first.is_visible()
    screenshot(page, "employees-4-sync-problem-and-budget")


def test_an_invitation_is_received_and_accepted(admin_page, smtp_server, browser):
    page = admin_page
    page.get_by_role("link", name="Dirk Hendrickx").click()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to dirk.hendrickx@demo.test").wait_for()
    screenshot(page, "invitation-1-sent")

    (message,) = smtp_server.to("dirk.hendrickx@demo.test")
    link = re.search(r"http://\S+/invitations/\S+", message.get_body(("plain",)).get_content()).group(0)
    employee_browser = browser.new_context(locale="en-GB").new_page()
    try:
        employee_browser.goto(link)
        employee_browser.get_by_role("heading", name="Welcome, Dirk").wait_for()
        employee_browser.get_by_label("New password").fill("a long enough secret")
        employee_browser.get_by_label("Repeat the password").fill("a long enough secret")
        screenshot(employee_browser, "invitation-2-set-password")
        employee_browser.get_by_role("button", name="Set password").click()
        employee_browser.get_by_role("heading", name="Your account is ready").wait_for()
        screenshot(employee_browser, "invitation-3-accepted")
        employee_browser.goto(link)
        employee_browser.get_by_role("heading", name="This invitation link no longer works").wait_for()
    finally:
        employee_browser.context.close()

    page.reload()
    page.get_by_text("has accepted the invitation").wait_for()
    assert page.locator(".card-head .status-pill").inner_text() == "active"
    screenshot(page, "invitation-4-status-active")


def test_a_synced_field_explains_where_to_change_it(admin_page):
    page = admin_page
    page.get_by_role("link", name="Bram Maes").click()
    page.get_by_text("Managed by Securex: change it there, the next sync brings it here.").first.wait_for()
    assert page.get_by_role("link", name="Edit at Securex").get_attribute("href").endswith("/employees/SX-2")
    assert page.get_by_text("× 38 hours a week × 52 weeks ÷ 12 months").is_visible()
    screenshot(page, "locked-fields")


def test_ending_employment_warns_that_the_next_sync_reactivates(admin_page):
    page = admin_page
    page.get_by_role("link", name="An Janssens").click()
    page.get_by_role("link", name="End employment…").click()
    page.get_by_text("still has an active contract at Securex").wait_for()
    assert page.get_by_role("link", name="End the employment at Securex").is_visible()
    screenshot(page, "end-1-warning")
    page.get_by_label("Last working day").fill(date.today().isoformat())
    page.get_by_role("button", name="Confirm: end employment").click()
    page.get_by_text("Employment of An Janssens ended").wait_for()
    page.get_by_text("End the employment at Securex too.").wait_for()
    assert page.get_by_text("budget is frozen because the employee is deactivated").is_visible()
    screenshot(page, "end-2-ended")


def test_a_probable_duplicate_is_merged_into_the_existing_person(admin_page):
    page = admin_page
    page.get_by_role("link", name="Probable duplicate").click()
    page.locator("tr", has_text="frank.peeters@demo.test").get_by_role("link").click()
    page.get_by_role("link", name="Merge into Frank Peeters…").click()
    screenshot(page, "duplicate-1-confirm")
    page.get_by_role("button", name="Confirm: merge").click()
    page.get_by_text("Merged: Frank Peeters keeps their budget and history").wait_for()
    assert page.get_by_text("Synced from Securex.").is_visible()
    assert page.get_by_text("€1,500.00").first.is_visible()
    screenshot(page, "duplicate-2-merged")


def test_an_external_user_is_removed(admin_page):
    page = admin_page
    page.get_by_role("link", name="External", exact=True).click()
    page.get_by_role("link", name="Eva Extern").click()
    page.get_by_text("The first sync found no employee with this e-mail").wait_for()
    screenshot(page, "external-1-review")
    page.get_by_role("link", name="Remove…").click()
    page.get_by_text("they will be deleted").wait_for()
    page.get_by_role("button", name="Confirm: remove").click()
    page.get_by_text("Eva Extern was removed.").wait_for()
    page.get_by_text("No external users").wait_for()
    screenshot(page, "external-2-removed")


def test_failing_people_are_found_by_cause_and_their_timeline_tells_what_happened(admin_page):
    page = admin_page
    page.get_by_role("link", name="Has sync problem").click()
    page.get_by_role("link", name="moved to another entity (1)").click()
    page.wait_for_url(re.compile("cause=entity_move"))
    page.get_by_role("link", name="Chloé Dubois").wait_for()
    assert not page.get_by_role("link", name="An Janssens").is_visible()
    screenshot(page, "problems-1-filtered-by-cause")

    page.get_by_role("link", name="Chloé Dubois").click()
    page.get_by_role("heading", name="The sync fails for this employee").wait_for()
    page.locator("#budget").get_by_label("Yearly budget").fill("900")
    page.get_by_role("button", name="Save budget").click()
    page.locator("#budget").get_by_text("900.00").first.wait_for()
    page.reload()
    timeline = page.locator("#timeline")
    entries = timeline.locator("li")
    assert "assigned a budget — by hr@demo.test" in entries.nth(0).inner_text()
    older = timeline.inner_text().split("by hr@demo.test")[1]
    # The failure is one entry, the problem, with the sync that found it.
    assert "Problem at Securex: An account already exists for this e-mail" in older and "Sync of" in older
    assert "Securex sync: failed." not in older
    screenshot(page, "problems-2-employee-timeline")


def test_an_invitation_and_an_applied_e_mail_update_the_whole_page_without_a_reload(admin_page, smtp_server):
    page = admin_page
    page.get_by_role("link", name="Dirk Hendrickx").click()
    page.evaluate("window.notReloaded = true")
    assert page.locator("#employee-heading .status-pill").inner_text() == "not invited"
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to dirk.hendrickx@demo.test").wait_for()
    assert page.locator("#employee-heading .status-pill").inner_text() == "invited"
    page.locator("#timeline").get_by_text("invited an employee to the platform").wait_for()

    page.get_by_role("link", name="Employees", exact=True).first.click()
    page.get_by_role("link", name="Greet Wouters").click()
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Apply the new e-mail").click()
    page.get_by_text("The new e-mail address is applied").wait_for()
    assert "greet.wouters@demo.test" in page.locator("#personal-details").inner_text()
    assert "greet@demo.test" not in page.locator("#personal-details").inner_text()
    page.locator("#timeline").get_by_text("applied an e-mail change").wait_for()
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "employee-email-applied-in-place")
