"""An HR admin activates Securex and meets every activation error on the way, in Chromium."""

import re

from helpers.activation import open_wizard, preview_then_start_first_sync, set_demo_vat, stored_integration
from helpers.logins import log_in
from helpers.pages import screenshot
from portal.models import IntegrationState
from portal.sync.state import SyncMode
from sandbox.testing import set_faults


def try_again(page, problem_heading: str, detail: str) -> None:
    # Wait for the detail: the heading of the previous problem may still be on screen.
    page.get_by_role("button", name="Try again").click()
    page.locator("#activation-problem", has_text=detail).wait_for()
    assert page.get_by_role("heading", name=problem_heading).is_visible()


def test_every_activation_error_then_retry_after_fixing(
    app, live_server, page, make_available, providers_at_sandboxes, sandbox_companies
):
    make_available("securex")
    set_demo_vat(app, None)
    log_in(page, live_server)
    open_wizard(page, live_server, "Securex")
    screenshot(page, "securex-1-connect")

    page.get_by_role("button", name="Connect to Securex").click()
    page.get_by_role("heading", name="Missing VAT number").wait_for()
    assert page.get_by_role("link", name="Open Company details").is_visible()
    screenshot(page, "securex-2-missing-vat")

    set_demo_vat(app, "BE012345")
    try_again(page, "Invalid VAT number", "it needs 10 digits after BE")
    screenshot(page, "securex-3-invalid-vat-format")

    set_demo_vat(app, "BE0123456748")
    try_again(page, "Invalid VAT number", "check digits do not match")
    screenshot(page, "securex-4-invalid-vat-check-digits")

    set_demo_vat(app, "BE0403170701")
    try_again(page, "Company not found", "does not know a company with VAT number BE0403170701")
    screenshot(page, "securex-5-company-not-found")

    closed = next(c for c in sandbox_companies.values() if not c["integration_available"])
    set_demo_vat(app, closed["vat"])
    try_again(page, "Not available at Securex", "has not opened the integration with Flexsync")
    screenshot(page, "securex-6-not-available")

    # The admin fixes the number in Company details and comes back to the same step.
    page.get_by_role("link", name="Open Company details").click()
    page.get_by_label("VAT number").fill("BE 0123.456.749")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Company details saved.").wait_for()
    set_faults(providers_at_sandboxes["securex"], error_5xx={"every": 1, "status": 503})
    open_wizard(page, live_server, "Securex")
    page.get_by_role("button", name="Connect to Securex").click()
    page.get_by_role("heading", name="Internal error").wait_for()
    reference = re.search(r"reference: ([0-9A-F]{8})", page.locator("#activation-problem").inner_text())
    assert reference, "the internal error names a reference for support"
    screenshot(page, "securex-7-internal-error")
    assert stored_integration(app, "securex").provider_company_id is None

    set_faults(providers_at_sandboxes["securex"], error_5xx=None)
    page.get_by_role("button", name="Try again").click()
    page.get_by_role("heading", name="Choose how employees are synced").wait_for()
    assert page.get_by_text("Connected to Flexsync Demo BV.").is_visible()
    assert page.get_by_text("applies to future employees only").is_visible()
    screenshot(page, "securex-8-mode")

    page.get_by_label("Selective (semi-automatic)").check()
    preview_then_start_first_sync(page)
    page.get_by_text("Securex is active.").wait_for()
    # Selective: the wizard ends in the selection window the first sync fills.
    assert page.get_by_role("heading", name="Select employees to sync").is_visible()
    page.goto(live_server + "/integrations")
    card = page.locator("#card-securex")
    assert card.get_by_text("active", exact=True).is_visible()
    assert card.get_by_role("link", name="Settings").is_visible()
    screenshot(page, "securex-9-active")
    integration = stored_integration(app, "securex")
    assert integration.state is IntegrationState.ACTIVE and integration.sync_mode is SyncMode.SELECTIVE
    assert integration.activated_by_id is not None and integration.activated_at is not None
