"""An employee's timeline: every change a sync made, every admin action, every problem
opened and resolved, newest first and paginated."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers.pages import csrf_token_from
from helpers.sync_runs import finished_run, start_sync
from portal.accounts import audit
from portal.extensions import db
from portal.models import AuditAction, Employee, SyncRunEmployee, User
from portal.sync.plan import Action
from sandbox.testing import raise_salaries, set_faults


@pytest.fixture
def admin(sync_setup, client, auth):
    auth.login("hr@demo.test")
    return client


def first_person(app, integration_id: int) -> Employee:
    with app.app_context():
        employee = (
            db.session.execute(select(Employee).where(Employee.integration_id == integration_id).order_by(Employee.provider_id))
            .scalars()
            .first()
        )
        db.session.expunge(employee)
        return employee


def test_the_timeline_tells_what_syncs_admins_and_problems_did_newest_first(sync_setup, admin, sandboxes, activate, worker):
    app = sync_setup
    integration_id = activate("securex")
    created_run = finished_run(app, start_sync(app, integration_id))
    with app.app_context():
        # A creation is one line naming the provider record, not a change per field.
        created = db.session.execute(select(SyncRunEmployee).where(SyncRunEmployee.run_id == created_run.id)).scalars().all()
        creations = [line for line in created if line.action == Action.CREATE]
        assert len(creations) == created_run.created and all(line.changes is None for line in creations)
    person = first_person(app, integration_id)

    set_faults(sandboxes["securex"], bad_date=1)
    failed_run = finished_run(app, start_sync(app, integration_id))
    assert failed_run.failed == 1
    set_faults(sandboxes["securex"], bad_date=None)
    raise_salaries(sandboxes["securex"], "C001", 100)
    finished_run(app, start_sync(app, integration_id))

    page = admin.get(f"/employees/{person.id}").get_data(as_text=True)
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    expected = [
        "Securex sync: updated.",
        "Problem solved: the Securex sync went through again.",
        "Problem at Securex: A date at the provider is missing or is a day that does not exist",
        f"Created by a Securex sync from the provider record {person.provider_id}.",
    ]
    positions = [timeline.index(text) for text in expected]
    assert positions == sorted(positions), timeline
    # The failure is one entry, the problem, with the run that found it.
    assert "Securex sync: failed" not in timeline and f"/syncs/{failed_run.id}" in timeline
    assert "Gross amount at the provider" in timeline and "→" in timeline


def test_the_timeline_pages_through_admin_actions(sync_setup, admin, activate, worker, staff):
    app = sync_setup
    with app.app_context():
        hr = db.session.execute(select(User).where(User.email == "hr@demo.test")).scalar_one()
        employee = db.session.get(Employee, staff["An"])
        for _ in range(25):
            audit.record(AuditAction.BUDGET_ASSIGNED, hr, employee.email, employee.tenant_id, employee_id=employee.id)
        db.session.commit()
    first = admin.get(f"/employees/{staff['An']}").get_data(as_text=True)
    assert first.count("by hr@demo.test") == 20 and "Page 1 of 2" in first
    second = admin.get(f"/employees/{staff['An']}/timeline?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.count("by hr@demo.test") == 5 and "<html" not in second and "Newer" in second
    # Another company's employee is not found, timeline or not.
    assert admin.get(f"/employees/{staff['Olga']}/timeline").status_code == 404


def test_invitations_and_keeping_an_external_user_show_on_the_timeline_and_in_the_log(client, auth, staff):
    """Issue 20: every admin action on a person is on their timeline and in the audit log."""
    auth.login("hr@demo.test")
    token = csrf_token_from(client.get("/employees").get_data(as_text=True))
    client.post(f"/employees/{staff['Dirk']}/invitation", data={"csrf_token": token})
    client.post("/employees/bulk", data={"csrf_token": token, "action": "invite", "employee_id": [staff["Bram"]]})
    client.post(f"/employees/{staff['Eva']}/keep", data={"csrf_token": token})

    invited, kept = "invited an employee to the platform", "kept an external user"
    for name, action in (("Dirk", invited), ("Bram", invited), ("Eva", kept)):
        page = client.get(f"/employees/{staff[name]}").get_data(as_text=True)
        timeline = page.split('id="timeline"')[1].split("</section>")[0]
        assert f"{action} — by hr@demo.test" in timeline, name
    log = client.get("/audit?kind=employees").get_data(as_text=True)
    assert log.count(invited) == 2 and kept in log
