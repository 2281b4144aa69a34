"""Liantis: VAT check, the MyLiantis consent round trip, and every way consent can fail."""

from helpers.activation import open_wizard, preview_then_start_first_sync, stored_integration
from helpers.database import database_dump
from helpers.logins import log_in
from helpers.pages import screenshot
from portal.models import IntegrationState
from portal.sync.state import SyncMode


def go_to_myliantis_as(page, live_server: str, login: str) -> None:
    log_in(page, live_server)
    open_wizard(page, live_server, "Liantis")
    page.get_by_role("button", name="Go to MyLiantis").click()
    page.get_by_role("heading", name="Log in").wait_for()
    page.locator(f'input[name="login"][value="{login}"]').check()
    page.get_by_role("button", name="Log in").click()


def test_consent_by_a_main_user_then_mode_and_a_replayed_answer_is_refused(
    app, live_server, page, make_available, providers_at_sandboxes
):
    make_available("liantis")
    callbacks = []
    page.on("request", lambda r: callbacks.append(r.url) if "/integrations/liantis/callback" in r.url else None)
    go_to_myliantis_as(page, live_server, "main.c001")
    page.get_by_role("heading", name="Give consent").wait_for()
    screenshot(page, "liantis-1-consent-at-myliantis")
    page.get_by_role("button", name="Allow").click()
    page.get_by_role("heading", name="Choose how employees are synced").wait_for()
    assert page.get_by_text("Connected to Flexsync Demo BV.").is_visible()
    screenshot(page, "liantis-2-mode")
    first_tokens = stored_integration(app, "liantis").credentials
    # Stored, and encrypted at rest: a dump of the whole database shows neither token.
    assert first_tokens["access_token"] and first_tokens["refresh_token"]
    dump = database_dump(app)
    assert first_tokens["access_token"] not in dump and first_tokens["refresh_token"] not in dump

    # The same answer again, and an answer to a consent never started here.
    page.goto(callbacks[0])
    page.get_by_role("heading", name="This consent answer was not expected").wait_for()
    screenshot(page, "liantis-3-replayed-state")
    page.goto(live_server + "/integrations/liantis/callback?code=forged&state=forged")
    page.get_by_role("heading", name="This consent answer was not expected").wait_for()
    assert stored_integration(app, "liantis").credentials == first_tokens

    page.goto(live_server + "/integrations/liantis/activate")
    page.get_by_label("Full (automatic)").check()
    preview_then_start_first_sync(page)
    # No worker runs in this test: the first sync is said to wait, not to have started.
    page.get_by_text("Liantis is active. The first sync is waiting for a free worker.").wait_for()
    screenshot(page, "liantis-4-active")
    integration = stored_integration(app, "liantis")
    assert integration.state is IntegrationState.ACTIVE and integration.sync_mode is SyncMode.FULL


def test_denied_consent_stores_nothing(app, live_server, page, make_available, providers_at_sandboxes):
    make_available("liantis")
    go_to_myliantis_as(page, live_server, "main.c001")
    page.get_by_role("button", name="Deny").click()
    page.get_by_role("heading", name="Consent cancelled").wait_for()
    screenshot(page, "liantis-5-denied")
    integration = stored_integration(app, "liantis")
    assert integration.credentials is None and integration.state is IntegrationState.AVAILABLE
    assert page.get_by_role("button", name="Go to MyLiantis").is_visible()


def test_a_colleague_who_is_not_main_user_is_refused(app, live_server, page, make_available, providers_at_sandboxes):
    make_available("liantis")
    go_to_myliantis_as(page, live_server, "colleague.c001")
    page.get_by_text("is not a main user").wait_for()
    screenshot(page, "liantis-6-myliantis-refusal")
    page.get_by_role("link", name="Back to Flexsync").click()
    page.get_by_role("heading", name="Not a main user in MyLiantis").wait_for()
    screenshot(page, "liantis-7-not-main-user")
    integration = stored_integration(app, "liantis")
    assert integration.credentials is None and integration.state is IntegrationState.AVAILABLE
