"""Securex and the HR system list the same people (the same e-mail): one integration is
master of them, chosen once by the admin; the other leaves them out quietly, never as the
same failure every night."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers.pages import csrf_token_from
from helpers.sync_runs import employees_of, finished_run, start_sync
from portal.extensions import db
from portal.models import AuditAction, AuditEntry, Employee, RunState, SyncRunEmployee
from portal.sync.outcomes import Reason
from portal.sync.plan import Action


@pytest.fixture
def admin(sync_setup, client, auth):
    auth.login("hr@demo.test")
    return client


def lines_by_reason(app, run_id: int) -> dict[Reason | None, list[SyncRunEmployee]]:
    with app.app_context():
        grouped: dict[Reason | None, list[SyncRunEmployee]] = {}
        for line in db.session.execute(select(SyncRunEmployee).where(SyncRunEmployee.run_id == run_id)).scalars():
            grouped.setdefault(line.reason, []).append(line)
        return grouped


def accounts_by_email(app) -> dict[str, tuple[int, int | None]]:
    with app.app_context():
        return {e.email: (e.id, e.integration_id) for e in db.session.execute(select(Employee)).scalars()}


def choose_master(admin, integration_id: int):
    token = csrf_token_from(admin.get("/integrations").get_data(as_text=True))
    return admin.post("/integrations/shared-people", data={"master": integration_id, "csrf_token": token})


def test_the_people_two_integrations_list_are_synced_by_one_the_admin_chooses(
    sync_setup, admin, sandbox_demo_company, activate, worker
):
    app = sync_setup
    securex = activate("securex")
    finished_run(app, start_sync(app, securex))
    hris = activate("hris", credentials={"api_token": sandbox_demo_company["api_key"]})

    # Not chosen yet: whoever synced them first keeps them; the HR system leaves them out, no failure.
    first = finished_run(app, start_sync(app, hris))
    shared = lines_by_reason(app, first.id).get(Reason.SYNCED_BY_OTHER_INTEGRATION, [])
    assert shared and first.status is RunState.SUCCESS and first.failed == 0
    assert {line.action for line in shared} == {Action.SKIP}
    before = accounts_by_email(app)
    # A third integration that lists none of them is not offered as their master.
    activate("connexie")
    page = admin.get("/integrations").get_data(as_text=True)
    assert "Not chosen yet: each person stays with the integration that synced them first." in page
    section = page.split('id="shared-people"')[1].split("</section>")[0]
    assert f"{len(shared)} people are listed by Securex and Generic HR system: " in section
    assert sorted(line.display_name for line in shared)[0] in section
    assert "Connexie" not in section and "Generic HR system</label>" in section
    assert f"HR system left {len(shared)} people to your other integration in its last sync." in page
    run_page = admin.get(f"/syncs/{first.id}?action=skip").get_data(as_text=True)
    assert 'href="/integrations#shared-people"' in run_page

    # The next night says nothing new: the same skips, still no failure to report.
    again = finished_run(app, start_sync(app, hris))
    assert again.failed == 0 and len(lines_by_reason(app, again.id)[Reason.SYNCED_BY_OTHER_INTEGRATION]) == len(shared)

    # The admin makes the HR system master: its next sync takes them over, same accounts.
    assert choose_master(admin, hris).status_code == 302
    with app.app_context():
        chosen = select(AuditEntry).where(AuditEntry.action == AuditAction.SHARED_PEOPLE_MASTER_CHOSEN)
        entry = db.session.execute(chosen).scalar_one()
        assert (entry.actor, entry.detail) == ("hr@demo.test", {"field": "shared_people_master", "old": None, "new": "hris"})
    taking_over = finished_run(app, start_sync(app, hris))
    taken = lines_by_reason(app, taking_over.id)[Reason.TAKEN_OVER]
    assert len(taken) == len(shared) and {line.action for line in taken} == {Action.UPDATE}
    after = accounts_by_email(app)
    moved = [email for email, (account, owner) in after.items() if owner == hris and before[email][1] == securex]
    assert len(moved) == len(shared)
    assert all(after[email][0] == before[email][0] for email in moved)

    # Securex now leaves them out, and deactivates nobody; the HR system has nothing left to do.
    securex_run = finished_run(app, start_sync(app, securex))
    assert len(lines_by_reason(app, securex_run.id)[Reason.SYNCED_BY_OTHER_INTEGRATION]) == len(shared)
    assert securex_run.deactivated == 0 and securex_run.failed == 0
    settled = finished_run(app, start_sync(app, hris))
    assert Reason.TAKEN_OVER not in lines_by_reason(app, settled.id)
    assert all(e.active for e in employees_of(app, hris) if e.email in moved)
    assert "HR system is master of the people both integrations list." in admin.get("/integrations").get_data(as_text=True)


def test_only_an_active_integration_of_the_company_can_be_master(sync_setup, admin, activate):
    app = sync_setup
    activate("securex")
    activate("hris")
    other_company = activate("securex", tenant="Other BV")
    response = choose_master(admin, other_company)
    assert response.status_code == 302
    assert "Choose one of your active integrations." in admin.get("/integrations").get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.execute(select(AuditEntry).where(AuditEntry.action == AuditAction.SHARED_PEOPLE_MASTER_CHOSEN)).first()
            is None
        )


def test_choosing_the_master_shows_the_choice_and_saved_in_place(app, live_server, page, activate):
    activate("securex")
    activate("hris")
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill("hr@demo.test")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server + "/integrations")
    section = page.locator("#shared-people")
    section.get_by_text("Not chosen yet").wait_for()
    page.evaluate("window.notReloaded = true")
    page.on("dialog", lambda dialog: dialog.accept())
    section.get_by_label("Generic HR system").check()
    section.get_by_role("button", name="Save").click()
    section.get_by_text("Saved. From its next sync on, Generic HR system syncs").wait_for()
    assert section.get_by_text("Generic HR system is master of the people both integrations list.").is_visible()
    assert not section.get_by_text("Not chosen yet").is_visible()
    assert page.evaluate("window.notReloaded") is True
