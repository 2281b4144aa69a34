"""Selective sync: the card asks for a review, the window searches, pages, counts and saves."""

from sqlalchemy import select

from helpers.activation import stored_integration
from helpers.logins import log_in
from helpers.pages import screenshot
from portal.extensions import db
from portal.models import IntegrationState, SelectionEntry
from portal.sync.state import Selection, SyncMode

OFFERED = 30


def offer_people(app, already_selected: int) -> None:
    """What a first sync of a selective integration leaves behind: everyone offered."""
    integration = stored_integration(app, "securex")
    with app.app_context():
        integration = db.session.merge(integration)
        integration.state, integration.sync_mode, integration.provider_company_id = (
            IntegrationState.ACTIVE,
            SyncMode.SELECTIVE,
            "C001",
        )
        for n in range(OFFERED):
            db.session.add(
                SelectionEntry(
                    tenant_id=integration.tenant_id,
                    integration_id=integration.id,
                    provider_id=f"C001-{n:06}",
                    selection=Selection.SELECTED if n < already_selected else Selection.PARKED,
                    display_name=f"Person {n:02}",
                    email=f"person{n:02}@flexsync-demo.be",
                )
            )
        db.session.commit()
        db.session.remove()


def selections(app) -> dict[str, Selection]:
    with app.app_context():
        return {e.display_name: e.selection for e in db.session.execute(select(SelectionEntry)).scalars()}


def test_selection_window_search_pages_counts_and_save(app, live_server, page, make_available):
    make_available("securex")
    offer_people(app, already_selected=3)
    log_in(page, live_server)
    page.goto(live_server + "/integrations")
    review = page.locator("#card-securex").get_by_role("link", name="30 new employees to review")
    screenshot(page, "selection-1-card-asks-for-review")
    review.click()

    page.get_by_text("3 of 30 selected").wait_for()
    assert page.locator("tbody tr").count() == 25
    assert page.get_by_text("Page 1 of 2").is_visible()
    screenshot(page, "selection-2-window")

    page.get_by_role("link", name="Next →").click()
    page.get_by_text("Page 2 of 2").wait_for()
    assert page.locator("tbody tr").count() == 5

    page.get_by_placeholder("Search by name or e-mail").fill("person 1")
    page.get_by_label("Person 19").wait_for()
    assert page.locator("tbody tr").count() == 10
    page.get_by_label("Person 10").check()
    page.get_by_label("Person 11").check()
    screenshot(page, "selection-3-search")
    page.get_by_role("button", name="Save selection").click()
    page.get_by_text("Selection saved: 5 of 30 employees selected.").wait_for()
    chosen = selections(app)
    assert chosen["Person 10"] is Selection.SELECTED and chosen["Person 12"] is Selection.PARKED
    assert chosen["Person 00"] is Selection.SELECTED  # not on the saved page: untouched

    page.goto(live_server + "/integrations")
    assert page.locator("#card-securex").get_by_role("link", name="20 new employees to review").is_visible()

    page.goto(live_server + "/integrations/securex/selection")
    page.get_by_label("Person 00").uncheck()
    page.get_by_role("button", name="Save selection").click()
    page.get_by_text("4 of 30 selected").wait_for()
    page.get_by_role("button", name="Select all 30").click()
    page.get_by_text("30 of 30 selected").wait_for()
    screenshot(page, "selection-4-all-selected")
    assert set(selections(app).values()) == {Selection.SELECTED}
    page.goto(live_server + "/integrations")
    assert page.locator("#card-securex").get_by_text("new employees to review").count() == 0
