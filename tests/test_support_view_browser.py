"""Customer success in a real headless Chromium: from the console to the run where a company's
sync failed for someone, read only, with the reason and the fix in the language they pick."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from helpers.logins import log_in
from helpers.pages import screenshot
from portal.extensions import db
from portal.models import Integration, SyncRunEmployee
from portal.providers.base import Provider
from portal.sync.outcomes import FIX_FOR, FIX_TEXT, REASON_TEXT, Reason


def failure_and_fix(app, language: str) -> tuple[str, str]:
    """Why Chloé's sync failed (`staff`: an entity move) and what to do, as the page says it."""
    with app.test_request_context(), force_locale(language):
        return gettext(REASON_TEXT[Reason.ENTITY_MOVE]), gettext(FIX_TEXT[FIX_FOR[Reason.ENTITY_MOVE]])


@pytest.fixture
def failing_securex(app, staff) -> None:
    """Demo NV's Securex as the end of each run keeps it for the fleet (`portal.runs.sync_runs`):
    `staff` wrote its two partial runs straight to the database, the last one failed for Chloé."""
    with app.app_context():
        last = db.session.execute(
            select(SyncRunEmployee.run_id).where(SyncRunEmployee.employee_id == staff["Chloé"])
        ).scalar_one()
        db.session.execute(
            update(Integration).where(Integration.provider == Provider.SECUREX).values(last_run_id=last, failed_runs_in_a_row=2)
        )
        db.session.commit()


def test_cs_reads_a_companys_failing_run_in_the_language_they_choose(app, live_server, page, staff):
    log_in(page, live_server, "cs@flexsync.test")
    page.get_by_role("link", name="Companies").click()
    page.get_by_role("link", name="Open support view of Demo NV").click()
    # Demo NV's pages open in its own language, Dutch.
    page.get_by_role("heading", name="Integraties · Demo NV").wait_for()
    page.get_by_role("row", name="Securex").get_by_role("link").first.click()
    reason, fix = failure_and_fix(app, "nl")
    line = page.get_by_role("row", name="Chloé Dubois")
    line.get_by_text(reason).wait_for()
    line.get_by_text(fix).wait_for()

    page.get_by_role("link", name="FR", exact=True).click()
    reason, fix = failure_and_fix(app, "fr")
    line.get_by_text(reason).wait_for()
    line.get_by_text(fix).wait_for()
    assert page.get_by_role("button").all_inner_texts() == ["Se déconnecter"]
    screenshot(page, "support-run")

    # The employee from the run's line: still French, still read only.
    line.get_by_role("link", name="Chloé Dubois").click()
    page.get_by_role("heading", name="Chloé Dubois").wait_for()
    page.get_by_text(fix).wait_for()
    assert page.get_by_role("button").all_inner_texts() == ["Se déconnecter"]
    assert page.get_by_role("textbox").count() == 0


def test_cs_goes_from_the_fleet_to_the_failure_and_its_fix_in_two_clicks(app, live_server, page, failing_securex):
    log_in(page, live_server, "cs@flexsync.test")
    page.get_by_role("link", name="Fleet").click()
    # The failing company comes first; its last run is the second click.
    first_row = page.locator("#fleet-rows tbody tr").first
    assert "Demo NV" in first_row.inner_text() and "Securex" in first_row.inner_text()
    first_row.get_by_role("cell").nth(3).get_by_role("link").click()
    reason, fix = failure_and_fix(app, "nl")
    line = page.get_by_role("row", name="Chloé Dubois")
    line.get_by_text(reason).wait_for()
    line.get_by_text(fix).wait_for()
    screenshot(page, "support-run-from-fleet")
