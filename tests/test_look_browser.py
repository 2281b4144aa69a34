"""What an HR admin sees at a glance (issue 23): each provider by its mark, where the wizard
stands, a state by its icon beside its words, and the same empty state on every empty list.
Screenshots under tests/artifacts/look-*.png."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from helpers.logins import log_in
from helpers.pages import screenshot
from portal import tenancy
from portal.extensions import db
from portal.models import Integration, RunState, SyncRun, SyncRunEmployee, Tenant, Trigger
from portal.providers.base import Provider
from portal.sync.outcomes import Reason
from portal.sync.plan import Action


def demo_tenant_id() -> int:
    return db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()


def partial_run(app, integration_id: int) -> int:
    """A finished run of two lines: one created, one failed for a missing e-mail address."""
    with app.app_context(), tenancy.acting_for(demo_tenant_id()):
        ended = datetime.utcnow() - timedelta(hours=2)
        run = SyncRun(
            integration_id=integration_id,
            trigger=Trigger.MANUAL,
            status=RunState.PARTIAL,
            queued_at=ended - timedelta(seconds=40),
            started_at=ended - timedelta(seconds=40),
            finished_at=ended,
            fetched=2,
            total=2,
            created=1,
            failed=1,
        )
        db.session.add(run)
        db.session.flush()
        db.session.add_all(
            [
                SyncRunEmployee(run_id=run.id, provider_id="L-1", display_name="Ann Claes", action=Action.CREATE),
                SyncRunEmployee(
                    run_id=run.id, provider_id="L-2", display_name="Bart Maes", action=Action.FAIL, reason=Reason.MISSING_EMAIL
                ),
            ]
        )
        db.session.commit()
        return run.id


def connected_but_no_mode(app, make_available, provider: str) -> None:
    """The wizard after a successful connect: the company found, no sync mode chosen yet."""
    make_available(provider)
    with app.app_context(), tenancy.acting_for(demo_tenant_id()):
        integration = db.session.execute(select(Integration).where(Integration.provider == Provider(provider))).scalar_one()
        integration.provider_company_id = "C001"
        integration.provider_company_name = "Demo NV at Securex"
        db.session.commit()


def assert_icon_beside_words(pill) -> None:
    assert pill.locator("svg.icon[aria-hidden='true']").count() == 1
    assert pill.inner_text().strip(), "an icon is never alone"


def test_each_provider_has_its_mark_and_each_state_its_icon(app, make_available, activate, live_server, page):
    run_id = partial_run(app, activate("liantis"))
    make_available("securex")
    log_in(page, live_server)

    page.goto(live_server + "/integrations")
    cards = page.locator(".integration-card")
    assert cards.count() == 4
    marks = [card.locator("h2 svg.provider-mark").get_attribute("class") for card in cards.all()]
    assert sorted(marks) == sorted(f"provider-mark provider-{p.value}" for p in Provider), marks
    for card in cards.all():
        assert card.locator("h2 svg.provider-mark").get_attribute("aria-hidden") == "true"
        assert card.locator("h2").inner_text().strip(), "the mark stands beside the provider's name"
    states = {card.get_attribute("id"): card.locator(".card-head .status-pill") for card in cards.all()}
    for pill in states.values():
        assert_icon_beside_words(pill)
    assert states["card-liantis"].locator("svg.icon-check").count() == 1
    assert states["card-securex"].locator("svg.icon-plus").count() == 1
    assert states["card-connexie"].locator("svg.icon-off").count() == 1
    last_run = page.locator("#card-liantis dd .status-pill")
    assert_icon_beside_words(last_run)
    assert last_run.locator("svg.icon-warning").count() == 1 and "Partial" in last_run.inner_text()
    screenshot(page, "look-1-integrations")

    page.goto(f"{live_server}/syncs/{run_id}")
    assert page.locator("h1 svg.provider-liantis").count() == 1
    outcome = page.locator(".run-progress .status-pill")
    assert_icon_beside_words(outcome)
    assert outcome.locator("svg.icon-warning").count() == 1 and "Partial" in outcome.inner_text()
    screenshot(page, "look-2-run")

    page.goto(live_server + "/")
    assert page.locator("#last-syncs svg.provider-liantis").count() == 1
    assert_icon_beside_words(page.locator("#last-syncs .status-pill").first)
    screenshot(page, "look-3-dashboard")


def test_the_wizard_shows_the_steps_done_the_current_one_and_those_to_do(app, make_available, live_server, page):
    connected_but_no_mode(app, make_available, "securex")
    make_available("hris")
    log_in(page, live_server)

    page.goto(live_server + "/integrations/securex/activate")
    assert page.locator("h1 svg.provider-securex").count() == 1
    steps = page.locator("ol.steps > li")
    assert steps.count() == 3
    assert [steps.nth(i).get_attribute("class") for i in range(3)] == ["step step-done", "step step-current", "step step-to-do"]
    current = page.locator('ol.steps [aria-current="step"]')
    assert current.count() == 1 and current.locator(".step-name").inner_text() == "Sync mode"
    assert steps.nth(0).locator(".visually-hidden").inner_text().strip() == "(done)"
    assert steps.nth(0).locator(".step-marker svg").count() == 1, "a done step shows a tick"
    assert steps.nth(2).locator(".step-marker").inner_text() == "3"
    screenshot(page, "look-4-wizard-step-2")

    # The generic HR system has a step more: its entities are chosen before the sync mode.
    page.goto(live_server + "/integrations/hris/activate")
    names = page.locator("ol.steps .step-name").all_inner_texts()
    assert names == ["Connect", "Configure", "Sync mode", "Preview"]
    assert page.locator('ol.steps [aria-current="step"]').count() == 1
    assert page.locator("ol.steps > li").first.get_attribute("aria-current") == "step"
    screenshot(page, "look-5-wizard-hris-step-1")


def test_empty_lists_say_so_the_same_way(live_server, page):
    log_in(page, live_server)
    for path, title, name in [
        ("/notifications", "No notifications yet. After every sync you will find a summary here.", "look-6-empty-notifications"),
        ("/employees?q=nobody-by-this-name", "No employee matches “nobody-by-this-name”.", "look-7-empty-employees"),
        ("/audit?person=nobody-by-this-name", "Nothing in the log concerns “nobody-by-this-name”.", "look-8-empty-audit"),
    ]:
        page.goto(live_server + path)
        empty = page.locator(".empty-state")
        assert empty.count() == 1, path
        assert empty.locator("svg.empty-icon").get_attribute("aria-hidden") == "true"
        assert empty.locator(".empty-title").inner_text() == title
        screenshot(page, name)

    # An empty list that one action fills offers it in its empty state.
    page.goto(live_server + "/hours?month=2001-01")
    empty = page.locator(".empty-state")
    assert empty.locator(".empty-title").inner_text() == "No shifts in 2001-01. Import a CSV to add them."
    empty.get_by_role("link", name="Import a CSV…").click()
    page.get_by_role("heading", name="Import hours from a CSV file").wait_for()
