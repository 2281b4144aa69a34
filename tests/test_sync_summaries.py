"""What the admins are told after a sync: an e-mail with a text and an HTML part, people who
come back named, and words that say what the run's counts say."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import select

from helpers.activation import demo_tenant_id
from helpers.sync_runs import employees_of, finished_run, start_sync
from helpers.waiting import wait_for
from portal.extensions import db
from portal.models import Notification, RunState, SyncRun, SyncRunEmployee, Trigger
from portal.runs import problems, summary
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from sandbox.testing import advance


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
    assert "Bekijk alle werknemers van deze sync: http" in text and "See every" not in text


def test_koen_willems_back_at_securex_is_told_as_active_again_and_the_admins_get_an_e_mail(
    smtp_server, sync_setup, securex_demo, activate, client, auth
):
    """The demo's story (sandbox/datasets/securex.json): Koen removed by run 1, back with run 2."""
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    advance(securex_demo)  # run 1: Koen removed at Securex
    finished_run(app, start_sync(app, integration_id))
    advance(securex_demo)  # run 2: Koen back, under the same ID
    run = finished_run(app, start_sync(app, integration_id))
    # Koen is the run's one update: told as back, not also as "1 employee was updated".
    assert (run.created, run.updated, run.deactivated) == (0, 1, 0)
    notification = wait_for(lambda: notification_of(app, run.id), timeout=10, message="run 2's notification")
    auth.login()
    page = client.get(f"/notifications/{notification}").get_data(as_text=True)
    assert "Active again, their access restored: Koen Willems." in page and "was updated" not in page
    mails = wait_for(lambda: smtp_server.to("hr@demo.test")[2:], timeout=10, message="run 2's summary e-mail")
    assert "Koen Willems" in mails[0].get_body(("plain",)).get_content()


def notification_of(app, run_id: int) -> int | None:
    with app.app_context():
        return db.session.execute(select(Notification.id).where(Notification.sync_run_id == run_id)).scalar_one_or_none()


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


def test_a_first_sync_of_many_names_the_first_new_employees_and_counts_the_others(app, activate):
    """Defends against the e-mail of a 10,000-person first sync naming everyone, or miscounting the rest."""
    integration_id = activate("securex")
    with app.test_request_context():
        counts = dict.fromkeys(COUNTED, 0) | {"created": summary.NAMES_SHOWN + 5}
        body = summary.body(summary.summarise(run_with(integration_id, counts)))
        first = ", ".join(f"Created {number}" for number in range(summary.NAMES_SHOWN))
        assert f"New employees: {first} and 5 more." in body
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
