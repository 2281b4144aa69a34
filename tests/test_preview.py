"""The preview of a sync: at the end of every wizard and on the settings page, what the sync
would do person by person. It writes nothing, and the sync right after does exactly what
it said (a real worker, the sandboxes over HTTP)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from helpers.activation import open_wizard, stored_integration
from helpers.logins import log_in
from helpers.pages import csrf_token_from, screenshot
from helpers.route_matrix import snapshot
from helpers.sync_runs import finished_run, start_sync
from helpers.waiting import wait_for
from jobs.settings import SYNC_RUN
from portal import tenancy
from portal.extensions import db
from portal.models import Employee, Integration, IntegrationState, SyncRun, SyncRunEmployee, Tenant
from portal.runs import preview_store
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from portal.sync.preview import Category, Preview
from sandbox.testing import advance, set_faults, true_employees


def add_local_employee(app, **fields) -> int:
    with app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
        with tenancy.acting_for(tenant_id):
            employee = Employee(**{"first_name": "Local", "last_name": "Person", **fields})
            db.session.add(employee)
            db.session.commit()
            return employee.id


def preview_of(app, client, integration_id: int) -> Preview:
    """Ask for a preview as the settings page does, and wait for the worker's result."""
    token = csrf_token_from(client.get("/integrations/securex/settings").get_data(as_text=True))
    assert client.post("/integrations/securex/preview", data={"csrf_token": token}).status_code == 302

    def done():
        with app.app_context():
            status = preview_store.read(db.session.get(Integration, integration_id))
            assert status is not None and status.error_code is None, status
            return status.result

    return wait_for(done, timeout=30, message="the preview")


def sync(app, integration_id: int) -> SyncRun:
    """A sync, waited for until its job is over: the notification after the run is written too."""
    from rq.job import Job, JobStatus

    from portal.queue import redis_connection

    run = finished_run(app, start_sync(app, integration_id))
    with app.app_context():
        job = Job.fetch(SYNC_RUN.job_id(run.id), connection=redis_connection())
        wait_for(lambda: job.get_status() == JobStatus.FINISHED, message="the sync's job to end")
    return run


def externals(app) -> set[str]:
    with app.app_context():
        return set(db.session.execute(select(Employee.email).where(Employee.external.is_(True))).scalars())


def assert_the_sync_did_what_the_preview_said(app, preview: Preview, run_id: int, externals_before: set[str]) -> None:
    with app.app_context():
        run = db.session.get(SyncRun, run_id)
        lines = db.session.execute(
            select(SyncRunEmployee.provider_id, SyncRunEmployee.action, SyncRunEmployee.reason, SyncRunEmployee.changes).where(
                SyncRunEmployee.run_id == run_id
            )
        ).all()
        twins = db.session.execute(
            select(Employee.provider_id).where(
                Employee.probable_duplicate_of_id.is_not(None),
                Employee.provider_id.in_([line.provider_id for line in lines if line.action == Action.CREATE]),
            )
        ).scalars()
        counts = (run.created, run.updated, run.unchanged, run.skipped, run.failed, run.deactivated)
        twins = sorted(twins)
    people = preview.people

    def ids(*categories: Category, changed_only: bool = False) -> list[str]:
        return sorted(p.provider_id for c in categories for p in people[c] if p.changed or not changed_only)

    def why(*categories: Category) -> list[tuple]:
        return sorted((p.provider_id or "", p.reason) for c in categories for p in people[c])

    def lines_of(action: Action, bound: bool | None = None) -> list[str]:
        def binds(line) -> bool:
            return any(change["field"] == "provider_id" for change in line.changes or ())

        return sorted(line.provider_id for line in lines if line.action == action and bound in (None, binds(line)))

    assert ids(Category.CREATED) == lines_of(Action.CREATE)
    assert ids(Category.MATCHED_BY_EMAIL) == lines_of(Action.UPDATE, bound=True)
    assert ids(Category.MATCHED_BY_PROVIDER_ID, changed_only=True) == lines_of(Action.UPDATE, bound=False)
    for category, action in ((Category.FAILED, Action.FAIL), (Category.DEACTIVATED, Action.DEACTIVATE)):
        assert why(category) == sorted((line.provider_id or "", line.reason) for line in lines if line.action == action)
    assert why(Category.LEFT_OUT, Category.OFFERED) == sorted(
        (line.provider_id or "", line.reason) for line in lines if line.action == Action.SKIP
    )
    assert ids(Category.PROBABLE_DUPLICATE) == twins
    assert sorted(p.email for p in people[Category.EXTERNAL]) == sorted(externals(app) - externals_before)
    c = preview.counts
    assert (c.created, c.updated, c.unchanged, c.skipped, c.failed, c.deactivated) == counts


def test_a_preview_writes_nothing_and_the_sync_after_it_does_exactly_what_it_said(
    sync_setup, sandboxes, activate, worker, client, auth
):
    app = sync_setup
    securex = sandboxes["securex"]
    people = [p for p in true_employees(securex, "C001")[10:] if p["contracts"][-1]["end_date"] is None]
    add_local_employee(app, email=people[0]["email"].upper(), first_name="Old", last_name="Name")
    add_local_employee(app, email=people[1]["email"])
    twin = people[2]
    add_local_employee(
        app,
        email="private.address@demo.test",
        first_name=twin["first_name"],
        last_name=twin["last_name"],
        start_date=date.fromisoformat(twin["start_date"]),
    )
    add_local_employee(app, email="freelancer@demo.test", first_name="Fien", last_name="Freelance")
    set_faults(securex, missing_email=1, bad_date=1, duplicate_ids=1, text_salary=1)
    integration_id = activate("securex")
    auth.login()

    with app.app_context():
        before = snapshot()
    first = preview_of(app, client, integration_id)
    with app.app_context():
        assert snapshot() == before
    assert {c for c in Category if first.count(c)} == set(Category) - {
        Category.MATCHED_BY_PROVIDER_ID,
        Category.OFFERED,
        Category.DEACTIVATED,
    }
    page = client.get("/integrations/securex/preview").get_data(as_text=True)
    for heading in ("Matched to an existing user by e-mail", "Probable duplicates", "Would fail", "Local users left unmatched"):
        assert heading in page
    assert "Add the e-mail address at the provider, then sync again." in page

    externals_before = externals(app)
    run = sync(app, integration_id)
    assert_the_sync_did_what_the_preview_said(app, first, run.id, externals_before)

    # The next sync, after hires, a removal, a move between entities, new salaries and e-mails.
    advance(securex)
    with app.app_context():
        before = snapshot()
    second = preview_of(app, client, integration_id)
    with app.app_context():
        assert snapshot() == before
    assert second.count(Category.DEACTIVATED) and second.count(Category.MATCHED_BY_PROVIDER_ID)
    assert Reason.ENTITY_MOVE in {p.reason for p in second.people[Category.FAILED]}
    run = sync(app, integration_id)
    assert_the_sync_did_what_the_preview_said(app, second, run.id, externals(app))


def test_a_provider_that_does_not_answer_is_said_in_words_with_what_to_do(sync_setup, sandboxes, activate, worker, client, auth):
    app = sync_setup
    integration_id = activate("securex")
    set_faults(sandboxes["securex"], error_5xx={"every": 1, "status": 503})
    auth.login()
    token = csrf_token_from(client.get("/integrations/securex/settings").get_data(as_text=True))
    client.post("/integrations/securex/preview", data={"csrf_token": token})

    def failed():
        with app.app_context():
            status = preview_store.read(db.session.get(Integration, integration_id))
            return status is not None and status.error_code is not None

    wait_for(failed, timeout=30, message="the preview to fail")
    page = client.get("/integrations/securex/preview", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "The provider did not answer properly" in page and "Press Preview again in a few minutes." in page
    assert "Preview again" in page


# --- Through every wizard to the preview, in the browser -------------------------------


def wait_for_the_preview(page, provider: str) -> None:
    page.locator("#preview .preview-summary").wait_for(timeout=30_000)
    screenshot(page, f"preview-{provider}")


def start_the_first_sync(app, page, provider: str, name: str) -> None:
    page.get_by_role("button", name="Start the first sync").click()
    page.get_by_text(f"{name} is active.").wait_for()
    assert stored_integration(app, provider).state is IntegrationState.ACTIVE


def test_securex_wizard_previews_the_first_sync_with_its_progress(
    sync_setup, live_server, page, make_available, providers_at_sandboxes, worker
):
    app = sync_setup
    securex = providers_at_sandboxes["securex"]
    person = next(p for p in true_employees(securex, "C001")[5:] if p["contracts"][-1]["end_date"] is None)
    add_local_employee(app, email=person["email"], first_name="Old", last_name="Name")
    make_available("securex")
    # Slow pages, so the preview is seen under way; two damaged records, to be seen failing.
    set_faults(securex, page_latency_ms=400, missing_email=1, bad_date=1)
    log_in(page, live_server)
    open_wizard(page, live_server, "Securex")
    page.get_by_role("button", name="Connect to Securex").click()
    page.get_by_label("Full (automatic)").check()
    page.get_by_role("button", name="Preview the first sync").click()
    page.get_by_role("heading", name="Preview of the first sync").wait_for()
    page.locator("#preview progress").wait_for()
    page.get_by_text(re.compile(r"[1-9][0-9]* of [0-9]+ employees read from Securex")).wait_for()
    screenshot(page, "preview-progress")
    wait_for_the_preview(page, "securex")
    assert page.locator("#preview-matched_by_email").get_by_text("Old Name").is_visible()
    assert page.locator("#preview-failed").get_by_text("The provider has no e-mail address for this employee.").is_visible()
    # A page of a category at a time, replaced in place.
    created = page.locator("#preview-created")
    created.get_by_role("link", name="Next").click()
    created.get_by_text("11–20 of").wait_for()
    start_the_first_sync(app, page, "securex", "Securex")


def test_liantis_wizard_previews_the_first_sync_after_the_consent(
    sync_setup, live_server, page, make_available, providers_at_sandboxes, worker
):
    make_available("liantis")
    add_local_employee(sync_setup, email="freelancer@demo.test", first_name="Fien", last_name="Freelance")
    log_in(page, live_server)
    open_wizard(page, live_server, "Liantis")
    page.get_by_role("button", name="Go to MyLiantis").click()
    page.locator('input[name="login"][value="main.c001"]').check()
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Allow").click()
    page.get_by_label("Full (automatic)").check()
    page.get_by_role("button", name="Preview the first sync").click()
    wait_for_the_preview(page, "liantis")
    assert page.locator("#preview-created").is_visible()
    assert page.locator("#preview-external").get_by_text("Fien Freelance").is_visible()
    start_the_first_sync(sync_setup, page, "liantis", "Liantis")


def test_connexie_wizard_previews_the_venues_left_out(
    sync_setup, live_server, page, make_available, providers_at_sandboxes, worker, sandbox_demo_company
):
    make_available("connexie")
    log_in(page, live_server)
    open_wizard(page, live_server, "Connexie")
    page.get_by_label("API token").fill(sandbox_demo_company["api_token"])
    page.get_by_role("button", name="Check and save").click()
    venues = [e["name"] for e in sandbox_demo_company["entities"]]
    page.get_by_label(venues[0]).select_option(label="Demo NV – Gent")
    for venue in venues[1:]:
        page.get_by_label(venue).select_option(label="Inactive")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Full (automatic)").check()
    page.get_by_role("button", name="Preview the first sync").click()
    wait_for_the_preview(page, "connexie")
    left_out = page.locator("#preview-left_out")
    assert left_out.get_by_text("The employee's venue is set to Inactive in the Connexie settings.").first.is_visible()
    start_the_first_sync(sync_setup, page, "connexie", "Connexie")

    # A venue mapped after the first sync: the settings page previews what the next sync does.
    wait_for(lambda: stored_integration(sync_setup, "connexie").first_synced_at, message="the first sync")
    page.goto(live_server + "/integrations/connexie/settings")
    page.get_by_label(venues[1]).select_option(label="Demo NV – Gent")
    page.get_by_role("button", name="Save configuration").click()
    page.get_by_text("Configuration saved.").wait_for()
    page.get_by_role("button", name="Preview next sync").click()
    page.get_by_role("heading", name="Preview of the next sync · Connexie").wait_for()
    page.locator("#preview .preview-summary").wait_for(timeout=30_000)
    screenshot(page, "preview-next-sync-connexie")
    assert page.locator("#preview-created").is_visible() and not page.locator("#preview-deactivated").count()


def test_generic_hr_wizard_goes_back_to_the_settings_and_previews_again(
    sync_setup, live_server, page, make_available, providers_at_sandboxes, worker, sandbox_demo_company
):
    make_available("hris")
    log_in(page, live_server)
    open_wizard(page, live_server, "Generic HR system")
    page.get_by_label("API key").fill(sandbox_demo_company["api_key"])
    page.get_by_role("button", name="Check and save").click()
    page.get_by_label("Excluded employees").fill("C001-000012")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Full (automatic)").check()
    page.get_by_role("button", name="Preview the first sync").click()
    page.locator("#preview .preview-summary").wait_for(timeout=30_000)
    excluded = "Listed under Excluded employees in the settings of the integration."
    assert page.locator("#preview-left_out").get_by_text(excluded).is_visible()

    page.get_by_role("button", name="Back to the settings").click()
    page.get_by_role("heading", name="Configure Generic HR system").wait_for()
    assert page.get_by_label("Excluded employees").input_value() == "C001-000012"
    page.get_by_label("Excluded employees").fill("")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Full (automatic)").check()
    page.get_by_role("button", name="Preview the first sync").click()
    wait_for_the_preview(page, "hris")
    assert not page.get_by_text(excluded).count()
    start_the_first_sync(sync_setup, page, "hris", "Generic HR system")
