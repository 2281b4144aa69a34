"""What the admins are told after a sync: an e-mail with a text and an HTML part, people who
come back named, and words that say what the run's counts say."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select

from helpers.activation import demo_tenant_id
from helpers.sync_runs import employees_of, finished_run, start_sync
from helpers.waiting import wait_for
from portal import tenancy
from portal.extensions import db
from portal.models import Employee, Notification, RunState, SyncRun, SyncRunEmployee, Trigger
from portal.runs import problems, summary
from portal.sync.outcomes import Reason
from portal.sync.plan import Action


def test_the_sync_summary_e_mail_has_a_text_and_an_html_part_in_the_company_language(
    smtp_server, sync_setup, activate, start_worker
):
    """Defends against a summary e-mail with a text part only (README: text and HTML for every e-mail)."""
    app = sync_setup
    start_worker()
    run = finished_run(app, start_sync(app, activate("securex")))
    (mail,) = wait_for(lambda: smtp_server.to("hr@demo.test"), timeout=10, message="the summary e-mail")
    assert mail.get_content_type() == "multipart/alternative"
    text, html = mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()
    newcomer = employees_of(app, run.integration_id)[0].display_name
    assert "Nieuwe werknemers" in text and newcomer in text and f"/syncs/{run.id}" in text
    assert "Nieuwe werknemers" in html and newcomer in html and f'/syncs/{run.id}">' in html
    assert '<html lang="nl">' in html and "Bekijk" in html


def test_someone_active_again_is_named_in_the_notification_and_the_admins_get_an_e_mail(
    smtp_server, sync_setup, activate, start_worker, client, auth
):
    """Defends against Koen Willems, back at Securex, told as "1 problem still open" and no e-mail."""
    app = sync_setup
    start_worker()
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    wait_for(lambda: smtp_server.to("hr@demo.test"), timeout=10, message="the first summary e-mail")
    koen = deactivated_here(app, integration_id)

    run = finished_run(app, start_sync(app, integration_id))
    assert (run.updated, run.created, run.deactivated) == (1, 0, 0)
    mails = wait_for(lambda: smtp_server.to("hr@demo.test")[1:], timeout=10, message="the second summary e-mail")
    assert koen in mails[0].get_body(("plain",)).get_content()
    auth.login()
    with app.app_context():
        notification_id = db.session.execute(select(Notification.id).where(Notification.sync_run_id == run.id)).scalar_one()
    page = client.get(f"/notifications/{notification_id}").get_data(as_text=True)
    assert f"Active again, their access restored: {koen}." in page
    assert "up to date" not in page and "were updated" not in page


def deactivated_here(app, integration_id: int) -> str:
    """One synced employee made inactive in Flexsync, as a removal at the provider leaves them."""
    with app.app_context(), tenancy.acting_for(demo_tenant_id()):
        employee = db.session.execute(
            select(Employee).where(Employee.integration_id == integration_id).order_by(Employee.id).limit(1)
        ).scalar_one()
        employee.active, employee.access_revoked, employee.budget_frozen = False, True, True
        employee.synced_record_digest = None
        db.session.commit()
        return employee.display_name


# --- The words match the counts, for every combination of counts ---------------------------

COUNTED = ("created", "updated", "deactivated", "failed", "skipped", "new_to_review")
# A different number for each count, so a sentence quoting the wrong count is caught.
SOME = {"created": 2, "updated": 3, "deactivated": 1, "failed": 2, "skipped": 4, "new_to_review": 5}
LINE_ACTION = {
    "created": Action.CREATE,
    "updated": Action.UPDATE,
    "deactivated": Action.DEACTIVATE,
    "failed": Action.FAIL,
    "skipped": Action.SKIP,
}


def expected_words(counts: dict[str, int]) -> dict[str, bool]:
    """Each sentence, and whether the run's counts call for it."""
    return {
        "New employees: Created 0, Created 1.": counts["created"] > 0,
        f"{SOME['updated']} employees were updated with the provider's changes.": counts["updated"] > 0,
        "Deactivated employees: Deactivated 0.": counts["deactivated"] > 0,
        "New problems, not synced:\n- Failed 0: ": counts["failed"] > 0,
        f"{SOME['skipped']} employees at the provider were skipped": counts["skipped"] > 0,
        f"{SOME['new_to_review']} new employees wait for your review": counts["new_to_review"] > 0,
        "Every employee was already up to date.": not any(counts.values()),
    }


def test_the_summary_says_what_the_counts_say_for_every_combination_of_counts(app, activate):
    """Defends against "Every employee was already up to date." for a run that updated 4 people."""
    integration_id = activate("securex")
    with app.test_request_context():
        for present in itertools.product((False, True), repeat=len(COUNTED)):
            counts = {name: SOME[name] if there else 0 for name, there in zip(COUNTED, present, strict=True)}
            body = summary.body(summary.summarise(run_with(integration_id, counts)))
            for words, told in expected_words(counts).items():
                assert (words in body) is told, f"{counts}: {words!r} {'missing from' if told else 'in'} {body!r}"
            db.session.rollback()


def run_with(integration_id: int, counts: dict[str, int]) -> SyncRun:
    """A finished run with these counts and a line for each person they count."""
    tenant_id = demo_tenant_id()
    run = SyncRun(
        tenant_id=tenant_id,
        integration_id=integration_id,
        trigger=Trigger.NIGHTLY,
        status=RunState.PARTIAL if counts["failed"] else RunState.SUCCESS,
        started_at=datetime.utcnow(),
        finished_at=datetime.utcnow(),
        **counts,
    )
    db.session.add(run)
    db.session.flush()
    for count_name, action in LINE_ACTION.items():
        for number in range(counts[count_name]):
            name = f"{count_name.capitalize()} {number}"
            db.session.add(
                SyncRunEmployee(
                    tenant_id=tenant_id,
                    run_id=run.id,
                    provider_id=f"{count_name}-{number}",
                    display_name=name,
                    action=action,
                    reason=Reason.EMAIL_IN_USE if action is Action.FAIL else None,
                    changes=[{"field": "phone", "old": None, "new": "+32470123456"}] if action is Action.UPDATE else None,
                )
            )
    db.session.flush()
    problems.reconcile(run, datetime.utcnow())
    return run
