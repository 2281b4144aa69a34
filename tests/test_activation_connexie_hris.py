"""Connexie (token, venue mapping, codes) and the generic HR system (key, entities, exclusions)."""

from helpers.activation import open_wizard, preview_then_start_first_sync, stored_integration
from helpers.logins import log_in
from helpers.pages import screenshot
from portal.models import IntegrationState
from sandbox.dataset import DEMO_COMPANY_VAT
from sandbox.testing import set_faults


def demo_company(companies: dict) -> dict:
    return next(c for c in companies.values() if c["vat"] == DEMO_COMPANY_VAT)


def test_connexie_token_then_every_venue_mapped_and_codes(
    app, live_server, page, make_available, providers_at_sandboxes, sandbox_companies
):
    make_available("connexie")
    company = demo_company(sandbox_companies)
    log_in(page, live_server)
    open_wizard(page, live_server, "Connexie")
    page.get_by_label("API token").fill("cnx_wrong_token")
    page.get_by_role("button", name="Check and save").click()
    page.get_by_role("heading", name="Connexie did not accept this key").wait_for()
    screenshot(page, "connexie-1-wrong-token")
    assert stored_integration(app, "connexie").credentials is None

    set_faults(providers_at_sandboxes["connexie"], codes_inactive=True)
    page.get_by_label("API token").fill(company["api_token"])
    page.get_by_role("button", name="Check and save").click()
    page.get_by_role("heading", name="Configure Connexie").wait_for()
    assert page.locator("#no-codes").is_visible()
    screenshot(page, "connexie-2-no-codes-activated")

    set_faults(providers_at_sandboxes["connexie"], codes_inactive=None)
    page.reload()
    venues = [e["name"] for e in company["entities"]]
    assert len(venues) >= 2
    page.get_by_label(venues[0]).select_option(label="Demo NV – Gent")
    page.get_by_label("Code for meals").select_option("M200")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Map this venue to one of your entities, or mark it Inactive.").first.wait_for()
    screenshot(page, "connexie-3-unmapped-venue-refused")
    assert stored_integration(app, "connexie").settings == {}

    for venue in venues[1:]:
        page.get_by_label(venue).select_option(label="Inactive")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Choose how employees are synced").wait_for()
    page.get_by_label("Full (automatic)").check()
    preview_then_start_first_sync(page)
    page.get_by_text("Connexie is active.").wait_for()

    integration = stored_integration(app, "connexie")
    assert integration.state is IntegrationState.ACTIVE
    assert integration.credentials == {"api_token": company["api_token"]}
    mapping = integration.settings["venues"]
    assert list(mapping.values()).count("inactive") == len(venues) - 1
    assert integration.settings["meal_code"] == "M200" and integration.settings["allowance_code"] is None

    page.locator("#card-connexie").get_by_role("link", name="Settings").click()
    assert page.get_by_label("Code for meals").input_value() == "M200"
    page.get_by_label("Code for allowances").select_option("A300")
    page.get_by_role("button", name="Save configuration").click()
    page.get_by_text("Configuration saved.").wait_for()
    screenshot(page, "connexie-4-settings")
    assert stored_integration(app, "connexie").settings["allowance_code"] == "A300"


def test_generic_hr_key_entities_and_exclusions(
    app, live_server, page, make_available, providers_at_sandboxes, sandbox_companies
):
    make_available("hris")
    company = demo_company(sandbox_companies)
    log_in(page, live_server)
    open_wizard(page, live_server, "Generic HR system")
    page.get_by_label("API key").fill(company["api_key"])
    page.get_by_role("button", name="Check and save").click()
    page.get_by_role("heading", name="Configure Generic HR system").wait_for()
    entities = [e["name"] for e in company["entities"]]
    for name in entities:
        page.get_by_label(name).uncheck()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Tick at least one entity to sync.").wait_for()
    page.get_by_label(entities[0]).check()
    page.get_by_label("Excluded employees").fill("000025, 000050\nC001-000075")
    screenshot(page, "hris-1-entities-and-exclusions")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Selective (semi-automatic)").check()
    preview_then_start_first_sync(page)
    page.get_by_text("Generic HR system is active.").wait_for()
    integration = stored_integration(app, "hris")
    assert integration.settings == {
        "entities": [company["entities"][0]["id"]],
        "exclusions": ["000025", "000050", "C001-000075"],
    }
