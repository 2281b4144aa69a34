"""The README's tour of the demo, at Securex (sandbox/datasets/securex.json, who shows what
under its "about"): the preview, the first sync and the sync after the changes of a night,
as the HR admin reads them on the pages (a real worker, the sandbox over HTTP)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from helpers.pages import csrf_token_from
from helpers.sync_runs import finished_run, start_sync
from helpers.waiting import wait_for
from portal.extensions import db
from portal.models import Employee, Integration
from portal.runs import preview_store
from sandbox.testing import advance


@pytest.fixture
def admin(sync_setup, client, auth):
    auth.login("hr@demo.test")
    return client


def employee_id(app, first_name: str) -> int:
    with app.app_context():
        return db.session.execute(select(Employee.id).where(Employee.first_name == first_name)).scalar_one()


def words(html: str) -> str:
    """The page's text, tags dropped and white space folded, as the admin reads it."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def row_of(html: str, name: str) -> str:
    """The words of the table row that names the person."""
    return words(next(row for row in html.split("<tr") if name in row))


def preview_page(app, client, integration_id: int) -> str:
    """Ask for a preview as the settings page does, wait for the worker, and read the page."""
    token = csrf_token_from(client.get("/integrations/securex/settings").get_data(as_text=True))
    assert client.post("/integrations/securex/preview", data={"csrf_token": token}).status_code == 302

    def done():
        with app.app_context():
            status = preview_store.read(db.session.get(Integration, integration_id))
            return status is not None and status.result is not None

    wait_for(done, timeout=30, message="the preview")
    return client.get("/integrations/securex/preview?category=failed").get_data(as_text=True)


def test_the_first_sync_puts_each_failure_on_the_person_who_failed_with_its_own_reason_and_fix(securex_demo, activate, admin):
    app = admin.application
    integration_id = activate("securex")

    preview = preview_page(app, admin, integration_id)
    # Securex sends their addresses; only what else it sends fails them.
    for name, email in (
        ("Saskia Smets", "saskia.smets@demo-nv.be"),
        ("Floor Hermans", "floor.hermans@demo-nv.be"),
        ("Lars Michiels", "lars.michiels@demo-nv.be"),
    ):
        assert email in row_of(preview, name), name
    run = finished_run(app, start_sync(app, integration_id))
    lines = admin.get(f"/syncs/{run.id}?action=fail").get_data(as_text=True)

    for page in (preview, lines):
        saskia, floor, seppe = (row_of(page, name) for name in ("Saskia Smets", "Floor Hermans", "Seppe Lenaerts"))
        assert "is a day that does not exist" in saskia and "ends before it starts" not in saskia
        assert "Set the wage type to hourly or monthly at the provider" in floor and "support" not in floor.lower()
        assert "Another account in Flexsync already has this e-mail address" in seppe
        assert "Correct the e-mail address at the provider" in seppe and "entities" not in seppe

    # Seppe failed, not Noor, whose e-mail Securex gave him too.
    noor = admin.get(f"/employees/{employee_id(app, 'Noor')}").get_data(as_text=True)
    assert "The sync fails for this employee" not in noor
    assert "Noor Peeters" not in admin.get("/employees?filter=sync_problem").get_data(as_text=True)
    # Her timeline names the entity the sync put her in, as the run page does.
    assert "Entity: — → Demo NV – Gent" in words(noor)


def test_after_a_night_an_ended_contract_keeps_its_end_date_and_a_move_between_entities_is_left_to_support(
    securex_demo, activate, admin
):
    app = admin.application
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    advance(securex_demo)

    finished_run(app, start_sync(app, integration_id))

    liesbeth = words(admin.get(f"/employees/{employee_id(app, 'Liesbeth')}").get_data(as_text=True))
    assert "deactivated" in liesbeth and "no end date" not in liesbeth
    with app.app_context():
        ended = db.session.execute(select(Employee).where(Employee.first_name == "Liesbeth")).scalar_one().wage_contract
        assert ended.end_date is not None and ended.end_date < ended.start_date.today()
    # Moved to Antwerpen under a new ID: not synced, so his account stays as it is, with the error.
    stijn = words(admin.get(f"/employees/{employee_id(app, 'Stijn')}").get_data(as_text=True))
    assert "The sync fails for this employee" in stijn and "contact support to move the account" in stijn
    assert "Removed at the provider" not in stijn and "Deactivated: no access" not in stijn
