"""Exporting a month of worked hours to Connexie, through the pages, with a real worker
and the Connexie sandbox: what goes, what is left out and why, and never a double booking."""

from __future__ import annotations

import requests
from sqlalchemy import select

from helpers.pages import csrf_token_from
from helpers.waiting import wait_for
from portal.extensions import db
from portal.models import ExportState, HoursExport, WorkedShift
from sandbox.testing import set_faults


def readback(sandboxes, company: dict, export_key: str | None = None) -> dict:
    """What Connexie holds, asked the way Connexie answers it (GET /api/hours-imports)."""
    response = requests.get(
        f"{sandboxes['connexie']}/api/hours-imports",
        params={"export_key": export_key} if export_key else None,
        headers={"Authorization": f"Bearer {company['api_token']}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def export_month(client, story) -> HoursExport:
    """Open the preview, press Export, wait for the job to end."""
    page = client.get(f"/hours/export?month={story.period}")
    response = client.post(
        "/hours/export", data={"month": str(story.period), "csrf_token": csrf_token_from(page.get_data(as_text=True))}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    export_id = int(response.headers["Location"].rsplit("/", 1)[1])

    def finished():
        with story.app.app_context():
            export = db.session.get(HoursExport, export_id)
            return export if not export.status.is_open else None

    return wait_for(finished, timeout=30, message=f"export {export_id} to finish")


def exported_shifts(story) -> dict[int, object]:
    with story.app.app_context():
        return dict(db.session.execute(select(WorkedShift.id, WorkedShift.exported_at)).all())


def booked(holding: dict) -> list[tuple]:
    return sorted((l["team_member_id"], l["date"], l["type"], l["quantity"]) for i in holding["imports"] for l in i["lines"])


def test_the_preview_says_what_goes_and_what_is_left_out_and_why_and_only_that_is_booked(
    hours_story, client, auth, worker, sandboxes, sandbox_demo_company
):
    story = hours_story
    going = story.add_shift("flex", 10, meals=1, allowance="4.50")
    not_approved = story.add_shift("flex_2", 11, approved=False)
    fixed = story.add_shift("fixed", 12)
    before_contract = story.add_shift("starts_next_month", story.period.end.day)
    by_hand = story.add_shift("by_hand", 13)
    auth.login()

    preview = client.get(f"/hours/export?month={story.period}").get_data(as_text=True)
    assert "Will be exported: 2 lines" in preview  # the hours and the meal of the flex shift
    assert "Left out: 5 lines" in preview
    for reason in (
        "Not approved",
        "Fixed-hours contract",
        "No active contract that day",
        "Not synced from Connexie",
        "No code mapped",
    ):
        assert reason in preview, reason

    export = export_month(client, story)
    assert export.status is ExportState.SUCCESS, (export.error_code, export.error_detail)
    assert (export.lines_sent, export.lines_accepted, export.lines_rejected) == (2, 2, 0)
    member = story.team_member_ids[story.people["flex"]]
    day = story.period.start.replace(day=10).isoformat()
    assert booked(readback(sandboxes, sandbox_demo_company, export.export_key)) == [
        (member, day, "meal", "1"),
        (member, day, "worked_hours", "5.50"),
    ]
    marks = exported_shifts(story)
    assert marks[going] is not None
    assert all(marks[s] is None for s in (not_approved, fixed, before_contract, by_hand))


def test_a_second_export_sends_the_whole_month_again_under_the_same_key_and_books_nothing_twice(
    hours_story, client, auth, worker, sandboxes, sandbox_demo_company, app
):
    story = hours_story
    story.add_shift("flex", 3, allowance="4.50")
    story.add_shift("flex_2", 4, meals=1)
    auth.login()
    first = export_month(client, story)
    assert len(booked(readback(sandboxes, sandbox_demo_company))) == 3  # two hours lines and a meal

    # The allowance code is mapped afterwards, and one more shift is approved: export again.
    from portal import tenancy
    from portal.models import Integration

    with app.app_context(), tenancy.acting_for(story.tenant_id):
        integration = db.session.get(Integration, story.integration_id)
        integration.settings = {**integration.settings, "allowance_code": "A300"}
        db.session.commit()
    story.add_shift("flex_2", 5)
    second = export_month(client, story)

    assert second.export_key == first.export_key == f"flexsync-{story.tenant_id}-{story.integration_id}-{story.period}"
    holding = readback(sandboxes, sandbox_demo_company)
    (stored,) = holding["imports"]
    assert stored["times_posted"] == 2
    # Every category again, not only the allowance that was missing; nothing doubled.
    assert sorted(l["type"] for l in stored["lines"]) == ["allowance", "meal", "worked_hours", "worked_hours", "worked_hours"]
    assert holding["total_lines"] == 5 == second.lines_accepted


def test_connexie_failing_mid_export_then_a_retry_books_everything_once(
    hours_story, client, auth, worker, sandboxes, sandbox_demo_company
):
    story = hours_story
    shift = story.add_shift("flex", 6, meals=1)
    auth.login()
    first = export_month(client, story)
    assert first.status is ExportState.SUCCESS

    # Connexie fails every try of the re-export (the worker tries 3 times): it ends in Error...
    set_faults(sandboxes["connexie"], error_5xx={"next": 3, "status": 503})
    failed = export_month(client, story)
    assert failed.status is ExportState.ERROR and failed.error_code == "provider_unavailable"
    page = client.get(f"/hours/exports/{failed.id}").get_data(as_text=True)
    assert "nothing is booked twice" in page and "Export again" in page

    # ...and a retry that meets one more 5xx (retried by the client) goes through.
    set_faults(sandboxes["connexie"], error_5xx={"next": 1})
    retried = export_month(client, story)
    assert retried.status is ExportState.SUCCESS
    (stored,) = readback(sandboxes, sandbox_demo_company)["imports"]
    assert stored["export_key"] == failed.export_key == retried.export_key
    assert len(stored["lines"]) == 2 == readback(sandboxes, sandbox_demo_company)["total_lines"]
    with story.app.app_context():
        assert db.session.get(WorkedShift, shift).export_id == retried.id


def test_a_shift_no_longer_approved_loses_its_exported_mark_at_the_next_export(
    hours_story, client, auth, worker, sandboxes, sandbox_demo_company
):
    story = hours_story
    kept, withdrawn = story.add_shift("flex", 7), story.add_shift("flex_2", 7)
    auth.login()
    export_month(client, story)
    with story.app.app_context():
        from portal import tenancy

        with tenancy.acting_for(story.tenant_id):
            db.session.get(WorkedShift, withdrawn).approved = False
            db.session.commit()
    export_month(client, story)
    marks = exported_shifts(story)
    assert marks[kept] is not None and marks[withdrawn] is None
    assert [l[0] for l in booked(readback(sandboxes, sandbox_demo_company))] == [story.team_member_ids[story.people["flex"]]]


def test_another_companys_export_and_shifts_answer_404_and_its_marks_are_untouched(
    hours_story, client, auth, other_client, worker, app
):
    from datetime import datetime, time

    from portal.models import Employee, Tenant

    story = hours_story
    shift = story.add_shift("flex", 8)
    with app.app_context():
        other = db.session.execute(select(Tenant.id).where(Tenant.name == "Other BV")).scalar_one()
        olga = Employee(tenant_id=other, first_name="Olga", last_name="Other", email="olga@other.test")
        db.session.add(olga)
        db.session.flush()
        theirs = WorkedShift(
            tenant_id=other,
            employee_id=olga.id,
            day=story.period.start,
            starts_at=time(9),
            ends_at=time(12),
            approved=True,
            exported_at=datetime(2025, 1, 1),
        )
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    auth.login()
    export = export_month(client, story)
    # The export clears the marks of the month's shifts it no longer sends, but only its own company's.
    assert exported_shifts(story)[theirs_id] == datetime(2025, 1, 1)
    from helpers.logins import AuthActions

    AuthActions(other_client).login("hr@other.test")
    for url in (f"/hours/exports/{export.id}", f"/hours/exports/{export.id}/progress", f"/hours/{shift}/edit"):
        assert other_client.get(url).status_code == 404, url
    assert f"/hours/{shift}/edit" not in other_client.get(f"/hours?month={story.period}").get_data(as_text=True)
