"""Selective sync from the wizard to the synced employee, and the ways out of it: every
flow ends on a page that exists and says what happens next.

- the end of the wizard in selective mode leads to the selection window, which fills
  with the first sync's progress and then lists everyone;
- saving the selection starts the sync that applies it, and the window shows its result;
- switching to full brings in the people who were waiting for review, and the people
  left out are told how to sync them on a page that exists;
- uninstalling and re-installing in selective mode offers everyone the provider lists.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from helpers.activation import demo_tenant_id, open_wizard, preview_then_start_first_sync
from helpers.logins import log_in
from helpers.pages import csrf_token_from, screenshot
from helpers.sync_runs import active_at_provider, employees_of, finished_run, start_sync
from helpers.waiting import wait_for
from portal import tenancy
from portal.extensions import db
from portal.integrations import selection
from portal.models import Integration, SelectionEntry, SyncRun
from portal.sync.state import Selection, SyncMode
from sandbox.testing import set_faults


def offered(app, integration_id: int) -> dict[str, int]:
    """How many the selection window offers, and of them how many wait for review or are ticked."""
    with app.app_context():
        rows = db.session.execute(
            select(SelectionEntry.selection, SelectionEntry.reviewed_at).where(SelectionEntry.integration_id == integration_id)
        ).all()
    return {
        "offered": len(rows),
        "waiting": sum(1 for _selection, reviewed_at in rows if reviewed_at is None),
        "selected": sum(1 for chosen, _reviewed in rows if chosen is Selection.SELECTED),
    }


def runs_of(app, integration_id: int) -> list[SyncRun]:
    with app.app_context():
        return list(
            db.session.execute(select(SyncRun).where(SyncRun.integration_id == integration_id).order_by(SyncRun.id)).scalars()
        )


def securex_id(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(Integration.id).where(Integration.tenant_id == demo_tenant_id(), Integration.provider == "securex")
        ).scalar_one()


def test_the_wizard_in_selective_mode_leads_to_the_selection_window_and_saving_syncs_the_chosen(
    sync_setup, sandboxes, make_available, worker, live_server, page
):
    app = sync_setup
    make_available("securex")
    # Slow enough pages for the progress to be seen while the window fills.
    set_faults(sandboxes["securex"], page_latency_ms=700)
    log_in(page, live_server)
    open_wizard(page, live_server, "Securex")
    page.get_by_role("button", name="Connect to Securex").click()
    page.get_by_label("Selective (semi-automatic)").check()
    preview_then_start_first_sync(page)

    # Not the integrations page: the window the admin has to fill next, filling.
    page.get_by_role("heading", name="Select employees to sync").wait_for()
    assert page.get_by_text("once the first sync has ended: then tick whom to sync").is_visible()
    filling = page.locator("#selection-sync .run-progress")
    filling.locator("progress").wait_for()
    screenshot(page, "selection-flow-1-window-filling")

    everyone = active_at_provider(sandboxes, "securex")
    counts = page.locator("#selection-counts")
    counts.get_by_text(f"0 of {everyone} selected").wait_for(timeout=30_000)
    assert page.locator("#selection-list tbody tr").count() == 25
    integration_id = securex_id(app)
    assert offered(app, integration_id)["offered"] == everyone
    screenshot(page, "selection-flow-2-window-filled")

    set_faults(sandboxes["securex"], page_latency_ms=None)
    names = [page.locator("#selection-list tbody tr label").nth(n).inner_text() for n in range(3)]
    for name in names:
        page.get_by_label(name, exact=True).check()
    runs_before = len(runs_of(app, integration_id))
    page.get_by_role("button", name="Save selection").click()
    page.get_by_text(f"Selection saved: 3 of {everyone} employees selected. A sync has started to apply it").wait_for()
    runs = runs_of(app, integration_id)
    assert len(runs) == runs_before + 1
    run = finished_run(app, runs[-1].id)
    assert run.created + run.updated == 3
    result = page.locator("#selection-sync")
    result.get_by_text(f"{run.created} created, {run.updated} updated").wait_for()
    # The section's title follows, without a reload: the sync has ended.
    result.get_by_role("heading", name="Last sync").wait_for()
    assert not result.get_by_text("Sync progress").is_visible()
    assert not result.get_by_text("brought up to date once this sync has ended").is_visible()
    screenshot(page, "selection-flow-3-selection-synced")
    synced = {f"{e.first_name} {e.last_name}" for e in employees_of(app, integration_id)}
    assert synced == set(names)

    result.get_by_role("link", name="See the employees in this sync").click()
    page.wait_for_url(re.compile(rf"/syncs/{run.id}"))
    page.locator("#run-lines").get_by_role("link", name="created", exact=True).click()
    page.wait_for_url(re.compile(r"action=create"))
    wait_for(lambda: page.locator("#run-lines tr.line-create").count() == run.created, timeout=10, message="the created lines")


def test_switching_to_full_syncs_those_waiting_for_review_and_tells_the_left_out_what_to_do(
    sync_setup, sandboxes, activate, worker, live_server, page
):
    app = sync_setup
    integration_id = activate("securex", mode=SyncMode.SELECTIVE)
    finished_run(app, start_sync(app, integration_id))
    with app.app_context(), tenancy.acting_for(demo_tenant_id()):
        integration = db.session.get(Integration, integration_id)
        entries = select(SelectionEntry.id).where(SelectionEntry.integration_id == integration_id)
        first_ten = list(db.session.execute(entries.order_by(SelectionEntry.id).limit(10)).scalars())
        # Seen and decided: two ticked, eight left out; everyone else still waits for review.
        selection.save_choice(integration, first_ten, first_ten[:2])
        db.session.remove()
    waiting = offered(app, integration_id)["waiting"]
    assert waiting > 10
    assert finished_run(app, start_sync(app, integration_id)).created == 2

    log_in(page, live_server)
    page.goto(live_server + "/integrations/securex/settings")
    page.locator("#settings-mode").get_by_label("Full (automatic)").check()
    page.get_by_role("button", name="Save sync mode").click()
    page.get_by_text("Sync mode saved.").wait_for()
    said = " ".join(page.locator(".flash").all_inner_texts())
    left_out = " ".join(page.locator("#left-out").all_inner_texts())
    screenshot(page, "selection-flow-4-switched-to-full")
    # Full sync has no selection window.
    assert page.request.get(live_server + "/integrations/securex/selection").status == 404

    page.goto(live_server + "/integrations")
    card = page.locator("#card-securex")
    card.get_by_role("button", name="Sync now").click()
    wait_for(lambda: len(runs_of(app, integration_id)) == 3, timeout=10, message="the full sync to start")
    run = finished_run(app, runs_of(app, integration_id)[-1].id)
    assert run.created + run.updated == waiting, "the people waiting for review are synced by the full sync"
    card.get_by_text(f"{run.created} created, {run.updated} updated").wait_for()
    assert len(employees_of(app, integration_id)) == 2 + waiting
    assert f"The {waiting} people who were waiting for review are synced by the next sync" in said
    assert "8 people you left out of the selection" in left_out

    page.goto(live_server + f"/syncs/{run.id}?action=skip")
    left_out_lines = page.locator("#run-lines tbody tr", has_text="Not selected for the sync.")
    left_out_lines.first.wait_for()
    assert left_out_lines.count() == 8
    line = left_out_lines.first
    assert "switch back to selective sync" in line.inner_text()
    assert line.locator('a[href*="/selection"]').count() == 0
    screenshot(page, "selection-flow-5-left-out-lines-after-full")
    line.get_by_role("link", name="Open the settings").click()
    page.locator("#left-out").wait_for()


def test_uninstall_and_reinstall_in_selective_mode_offers_everyone_the_provider_lists(
    sync_setup, sandboxes, activate, worker, live_server, page
):
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    synced_before = len(employees_of(app, integration_id))
    assert synced_before > 20

    log_in(page, live_server)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(live_server + "/integrations/securex/settings")
    page.get_by_role("button", name="Uninstall Securex").click()
    page.get_by_text("Securex is uninstalled.").wait_for()

    open_wizard(page, live_server, "Securex")
    page.get_by_role("button", name="Connect to Securex").click()
    page.get_by_label("Selective (semi-automatic)").check()
    preview_then_start_first_sync(page)
    page.get_by_text("Securex is active.").wait_for()
    # Wherever the wizard ends (the test above checks that), the window must offer everyone.
    page.goto(live_server + "/integrations/securex/selection")

    everyone = active_at_provider(sandboxes, "securex")
    page.locator("#selection-counts").get_by_text(f"0 of {everyone} selected").wait_for(timeout=30_000)
    screenshot(page, "selection-flow-6-reinstalled-offers-everyone")
    assert offered(app, integration_id) == {"offered": everyone, "waiting": everyone, "selected": 0}
    # Waiting for review, the people synced before stay as they are: nobody deactivated, no twin.
    employees = employees_of(app, integration_id)
    assert len(employees) == synced_before and all(e.active for e in employees)

    runs_before = len(runs_of(app, integration_id))
    page.get_by_role("button", name=f"Select all {everyone}").click()
    page.get_by_text(f"Selection saved: {everyone} of {everyone} employees selected.").wait_for()
    runs = runs_of(app, integration_id)
    assert len(runs) == runs_before + 1
    last = finished_run(app, runs[-1].id)
    assert last.failed == 0
    # Picked again, the people synced before are brought in step under their provider ID: no twin.
    employees = employees_of(app, integration_id)
    assert len(employees) == synced_before + last.created
    assert len({e.provider_id for e in employees}) == len(employees)
    with app.app_context():
        assert (
            db.session.execute(
                select(func.count()).select_from(SelectionEntry).where(SelectionEntry.integration_id == integration_id)
            ).scalar_one()
            == everyone
        )


def test_saving_the_selection_starts_the_sync_that_applies_it(app, client, auth, sync_setup, activate):
    integration_id = activate("securex", mode=SyncMode.SELECTIVE)
    with app.app_context(), tenancy.acting_for(demo_tenant_id()):
        for n in range(4):
            db.session.add(
                SelectionEntry(
                    tenant_id=demo_tenant_id(),
                    integration_id=integration_id,
                    provider_id=f"C001-{n:06}",
                    selection=Selection.PARKED,
                    display_name=f"Person {n}",
                )
            )
        db.session.commit()
        ids = list(db.session.execute(select(SelectionEntry.id).order_by(SelectionEntry.id)).scalars())
        db.session.remove()
    auth.login()
    token = csrf_token_from(client.get("/integrations/securex/selection").get_data(as_text=True))
    saved = client.post(
        "/integrations/securex/selection",
        data={"csrf_token": token, "shown": ids, "selected": ids[:2]},
        follow_redirects=True,
    )
    page = saved.get_data(as_text=True)
    assert "Selection saved: 2 of 4 employees selected. A sync has started to apply it: follow it below." in page
    (run,) = runs_of(app, integration_id)
    assert run.status.is_open and run.started_by_id is not None
    assert f'id="run-progress-{run.id}"' in page
