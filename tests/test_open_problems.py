"""Open problems persist across runs: a failure is news once, in the run that first sees
it, and again only when a run resolves it. Three nights with the same failure: one mention."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers.sync_runs import employees_of, finished_run, start_sync
from helpers.waiting import wait_for
from portal.extensions import db
from portal.models import EmployeeProblem, Notification, Trigger
from portal.sync.outcomes import Reason
from sandbox.testing import set_faults


@pytest.fixture
def admin(sync_setup, client, auth):
    auth.login("hr@demo.test")
    return client


def night(app, integration_id: int) -> tuple[int, Notification]:
    run = finished_run(app, start_sync(app, integration_id, Trigger.NIGHTLY))

    def notification():
        with app.app_context():
            found = db.session.execute(select(Notification).where(Notification.sync_run_id == run.id)).scalar_one_or_none()
            if found is not None:
                db.session.expunge(found)
            return found

    return run.id, wait_for(notification, timeout=10, message="the run's notification")


def open_problems(app) -> list[EmployeeProblem]:
    with app.app_context():
        problems = list(db.session.execute(select(EmployeeProblem).where(EmployeeProblem.resolved_at.is_(None))).scalars())
        db.session.expunge_all()
        return problems


def test_the_same_failure_three_nights_running_is_news_once(smtp_server, sync_setup, sandboxes, activate, start_worker, admin):
    app = sync_setup
    start_worker()
    integration_id = activate("securex")
    night(app, integration_id)
    mails_before = len(smtp_server.to("hr@demo.test"))
    set_faults(sandboxes["securex"], bad_date=1)

    nights = [night(app, integration_id) for _ in range(3)]

    (problem,) = open_problems(app)
    assert (problem.reason, problem.runs_in_a_row) == (Reason.BAD_DATE, 3)
    assert (problem.first_seen_run_id, problem.last_seen_run_id) == (nights[0][0], nights[2][0])
    name = problem.display_name
    assert [name in notification.body for _run, notification in nights] == [True, False, False]
    assert "1 probleem van een eerdere synchronisatie is nog open." in nights[2][1].body
    wait_for(lambda: len(smtp_server.to("hr@demo.test")) > mails_before, timeout=10, message="the first night's e-mail")
    mails = smtp_server.to("hr@demo.test")[mails_before:]
    assert len(mails) == 1 and name in mails[0].get_body(("plain",)).get_content()

    # The run page marks the failure new on the first night only; the employees list finds it by cause.
    first_page = admin.get(f"/syncs/{nights[0][0]}?action=fail").get_data(as_text=True)
    third_page = admin.get(f"/syncs/{nights[2][0]}?action=fail").get_data(as_text=True)
    assert ">New<" in first_page and ">New<" not in third_page and "Known since" in third_page
    listed = admin.get("/employees?filter=sync_problem&cause=bad_date").get_data(as_text=True)
    assert name in listed and "impossible date (1)" in listed
    assert name not in admin.get("/employees?filter=sync_problem&cause=missing_email").get_data(as_text=True)
    detail = admin.get(f"/employees/{problem.employee_id}").get_data(as_text=True)
    assert "3 syncs in a row" in detail

    # Corrected at the provider: the next night resolves it and says so, once.
    set_faults(sandboxes["securex"], bad_date=None)
    resolved_run, resolved = night(app, integration_id)
    assert open_problems(app) == []
    assert name in resolved.body and "Problemen opgelost" in resolved.body
    with app.app_context():
        closed = db.session.get(EmployeeProblem, problem.id)
        assert closed.resolved_by_run_id == resolved_run
    assert all(e.active for e in employees_of(app, integration_id))
    assert name not in night(app, integration_id)[1].body

    # Read again after all of that, each night's notification still says what that night found.
    for _run, notification in nights[1:]:
        shown = admin.get(f"/notifications/{notification.id}").get_data(as_text=True)
        assert "1 problem from an earlier sync is still open." in shown
