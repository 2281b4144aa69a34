"""The audit log: every action an HR admin or customer success takes on a company's
integrations and employees writes exactly one entry, and the company's log shows it, to
its HR admins and to customer success, never to another company."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from helpers.activation import demo_tenant_id, every_venue_mapped, integration_of
from helpers.logins import AuthActions
from helpers.pages import csrf_token_from
from portal.accounts import audit
from portal.accounts.audit import Kind, kind_of
from portal.extensions import db
from portal.models import AuditAction, AuditEntry, Discrepancy, IntegrationState, Tenant, User
from portal.runs.sync_scope import INACTIVE
from portal.sync.state import SyncMode
from portal.texts.access import AUDIT_ACTIONS

HR = "hr@demo.test"
CS = "cs@flexsync.test"
YEAR = date.today().year


def post(client, path: str, form_page: str = "/notifications", **data: Any):
    """Posts as the browser does, with the CSRF token of a page the user has open."""
    token = csrf_token_from(client.get(form_page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def new_entries(app, after: int) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.execute(select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)).scalars())
        db.session.expunge_all()
        return entries


def last_entry_id(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.coalesce(func.max(AuditEntry.id), 0))).scalar_one()


# --- Setting the scene, straight in the database ---------------------------------------------


def wizard_at_mode_step(app, make_available, provider: str) -> None:
    """The wizard as an admin leaves it before the last step: connected (and configured)."""
    make_available(provider)
    with app.app_context():
        integration = integration_of(provider)
        integration.provider_company_id = "C001"
        integration.settings = {"entities": ["E1"], "exclusions": []} if provider == "hris" else {}
        if provider == "connexie":
            integration.settings = {"venues": {"V1": INACTIVE}, "meal_code": None, "allowance_code": None}
        db.session.commit()


def set_state(app, provider: str, state: IntegrationState) -> None:
    with app.app_context():
        integration_of(provider).state = state
        db.session.commit()


def discrepancy_id(app) -> int:
    with app.app_context():
        return db.session.execute(select(Discrepancy.id)).scalar_one()


@dataclass
class Scene:
    """What a case needs: the app and the fixtures it asks for."""

    app: Any
    request: pytest.FixtureRequest

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    @property
    def people(self) -> dict[str, int]:
        """Demo NV's people in every state (the `staff` fixture), by first name."""
        return self.fixture("staff")


@dataclass(frozen=True)
class Case:
    action: AuditAction
    name: str
    # Returns the client of whoever acts, logged in, after setting the scene.
    drive: Callable[[Scene, Any], Any]
    subject: str | Callable[[Scene], str]
    detail: dict | Callable[[Scene], dict] | None
    actor: str = HR
    setup: Callable[[Scene], None] = lambda scene: None


def activation_case(provider: str) -> Case:
    return Case(
        AuditAction.INTEGRATION_ACTIVATED,
        f"activated-{provider}",
        setup=lambda s: wizard_at_mode_step(s.app, s.fixture("make_available"), provider),
        drive=lambda s, c: (
            post(c, f"/integrations/{provider}/activate/mode", "/integrations", mode="full"),
            post(c, f"/integrations/{provider}/activate/start", "/integrations"),
        )[-1],
        subject=provider,
        detail={"field": "sync_mode", "new": "full"},
    )


def securex_active(scene: Scene, mode: SyncMode = SyncMode.FULL) -> None:
    scene.fixture("make_available")("securex")
    with scene.app.app_context():
        integration = integration_of("securex")
        integration.state, integration.sync_mode, integration.provider_company_id = IntegrationState.ACTIVE, mode, "C001"
        integration.activated_at = datetime.now()
        db.session.commit()


def securex_disabled(scene: Scene) -> None:
    securex_active(scene)
    set_state(scene.app, "securex", IntegrationState.DISABLED)


def two_active(scene: Scene) -> None:
    securex_active(scene)
    scene.fixture("activate")("hris", company_id="C002")


def master_id(scene: Scene) -> int:
    with scene.app.app_context():
        return integration_of("hris").id


def person(first: str, email: str) -> Callable[[Scene], str]:
    return lambda scene: f"{first} ({email})"


CASES = [
    Case(
        AuditAction.INTEGRATION_MADE_AVAILABLE,
        "made-available",
        actor=CS,
        drive=lambda s, c: post(
            c, f"/cs/tenants/{tenant_of(s)}/providers/securex/availability", f"/cs/tenants/{tenant_of(s)}", available="1"
        ),
        subject="securex",
        detail=None,
    ),
    Case(
        AuditAction.INTEGRATION_MADE_UNAVAILABLE,
        "made-unavailable",
        actor=CS,
        setup=securex_active,
        drive=lambda s, c: post(
            c, f"/cs/tenants/{tenant_of(s)}/providers/securex/availability", f"/cs/tenants/{tenant_of(s)}", available="0"
        ),
        subject="securex",
        detail=None,
    ),
    *(activation_case(provider) for provider in ("securex", "liantis", "connexie", "hris")),
    Case(
        AuditAction.INTEGRATION_SETTING_CHANGED,
        "sync-mode",
        setup=securex_active,
        drive=lambda s, c: post(c, "/integrations/securex/settings/mode", "/integrations/securex/settings", mode="selective"),
        subject="securex",
        detail={"field": "sync_mode", "old": "full", "new": "selective"},
    ),
    Case(
        AuditAction.INTEGRATION_DISABLED,
        "disabled",
        setup=securex_active,
        drive=lambda s, c: post(c, "/integrations/securex/disable", "/integrations/securex/settings"),
        subject="securex",
        detail=None,
    ),
    Case(
        AuditAction.INTEGRATION_ENABLED,
        "enabled",
        setup=securex_disabled,
        drive=lambda s, c: post(c, "/integrations/securex/enable", "/integrations/securex/settings"),
        subject="securex",
        detail=None,
    ),
    Case(
        AuditAction.INTEGRATION_UNINSTALLED,
        "uninstalled",
        setup=securex_active,
        drive=lambda s, c: post(c, "/integrations/securex/uninstall", "/integrations/securex/settings"),
        subject="securex",
        detail=None,
    ),
    Case(
        AuditAction.SHARED_PEOPLE_MASTER_CHOSEN,
        "master-chosen",
        setup=two_active,
        drive=lambda s, c: post(c, "/integrations/shared-people", "/integrations", master=str(master_id(s))),
        subject="hris",
        detail={"field": "shared_people_master", "old": None, "new": "hris"},
    ),
    Case(
        AuditAction.EMPLOYMENT_ENDED,
        "employment-ended",
        drive=lambda s, c: post(c, f"/employees/{s.people['An']}/end", last_day=date.today().isoformat()),
        subject=person("An Janssens", "an.janssens@demo.test"),
        detail={"field": "last_day", "new": date.today().isoformat()},
    ),
    Case(
        AuditAction.EMPLOYEES_MERGED,
        "merged",
        drive=lambda s, c: post(c, f"/employees/{s.people['Frank (duplicate)']}/merge"),
        subject=person("Frank Peeters", "frank@demo.test"),
        detail={"duplicate": "Frank Peeters (frank.peeters@demo.test)"},
    ),
    *(
        Case(
            action,
            decision,
            drive=lambda s, c, decision=decision: post(
                c, f"/employees/{s.people['Greet']}/discrepancies/{discrepancy_id(s.app)}/{decision}"
            ),
            subject=person("Greet Wouters", "greet@demo.test"),
            detail={"field": "email", "old": "greet@demo.test", "new": "greet.wouters@demo.test"},
        )
        for action, decision in ((AuditAction.EMAIL_CHANGE_APPLIED, "accept"), (AuditAction.EMAIL_CHANGE_DISMISSED, "dismiss"))
    ),
    Case(
        AuditAction.BUDGET_ASSIGNED,
        "budget",
        drive=lambda s, c: post(c, f"/employees/{s.people['An']}/budget", amount="1300", currency="EUR", year=str(YEAR)),
        subject=person("An Janssens", "an.janssens@demo.test"),
        detail={"field": "budget", "item": str(YEAR), "old": "1200.00", "new": "1300.00", "currency": "EUR"},
    ),
    Case(
        AuditAction.BUDGET_ASSIGNED,
        "budget-bulk",
        drive=lambda s, c: post(
            c, "/employees/bulk", action="budget", employee_id=[s.people["Bram"]], amount="800", year=str(YEAR)
        ),
        subject=person("Bram Maes", "bram.maes@demo.test"),
        detail={"field": "budget", "item": str(YEAR), "old": None, "new": "800.00", "currency": "EUR"},
    ),
    Case(
        AuditAction.EMPLOYEE_INVITED,
        "invited",
        drive=lambda s, c: post(c, f"/employees/{s.people['Dirk']}/invitation"),
        subject=person("Dirk Hendrickx", "dirk.hendrickx@demo.test"),
        detail=None,
    ),
    Case(
        AuditAction.EMPLOYEE_INVITED,
        "invited-bulk",
        drive=lambda s, c: post(c, "/employees/bulk", action="invite", employee_id=[s.people["Bram"]]),
        subject=person("Bram Maes", "bram.maes@demo.test"),
        detail=None,
    ),
    Case(
        AuditAction.EXTERNAL_KEPT,
        "external-kept",
        drive=lambda s, c: post(c, f"/employees/{s.people['Eva']}/keep"),
        subject=person("Eva Extern", "eva@consultancy.test"),
        detail=None,
    ),
    Case(
        AuditAction.EXTERNAL_REMOVED,
        "external-removed",
        drive=lambda s, c: post(c, f"/employees/{s.people['Eva']}/remove"),
        subject=person("Eva Extern", "eva@consultancy.test"),
        detail=None,
    ),
]


def tenant_of(scene: Scene) -> int:
    with scene.app.app_context():
        return demo_tenant_id()


# Written by a sync in a worker, not by a request: test_sync_product_rules.py drives it.
BY_A_SYNC = {AuditAction.EXTERNAL_FOUND}


def test_the_table_covers_every_action_on_integrations_and_employees():
    """Defends against a new action nobody drives: add its case to CASES."""
    audited = {action for action in AuditAction if kind_of(action) in (Kind.INTEGRATIONS, Kind.EMPLOYEES)}
    assert audited - BY_A_SYNC == {case.action for case in CASES}


def test_every_action_has_a_text():
    """Defends against a new action the log cannot name."""
    assert set(AUDIT_ACTIONS) == set(AuditAction)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_action_writes_exactly_one_entry(app, client, no_sync_service, request, case: Case):
    scene = Scene(app, request)
    case.setup(scene)
    AuthActions(client).login(case.actor)
    before = last_entry_id(app)
    response = case.drive(scene, client)
    assert response.status_code in (200, 204, 302), response.get_data(as_text=True)[:500]
    [entry] = new_entries(app, before)
    subject = case.subject(scene) if callable(case.subject) else case.subject
    assert (entry.action, entry.actor, entry.subject, entry.detail) == (case.action, case.actor, subject, case.detail)
    assert entry.tenant_id == tenant_of(scene)


@pytest.fixture
def no_sync_service(app):
    """Redis nowhere: the end of a wizard activates without a queue to start the first sync in."""
    from demo.launcher import free_port

    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    app.extensions.pop("flexsync_redis", None)
    yield
    app.config["REDIS_URL"] = saved
    app.extensions.pop("flexsync_redis", None)


# --- Settings: one entry per changed field, none without a change, no secret ever ----------


def connexie_settings_form(company: dict, mapping: dict, meal_code: str = "") -> dict:
    form = {f"venue_{i}": mapping[venue["id"]] for i, venue in enumerate(company["entities"])}
    return {**form, "meal_code": meal_code, "allowance_code": ""}


def test_a_configuration_saved_logs_each_changed_field_by_name(
    app, client, auth, activate, providers_at_sandboxes, sandbox_demo_company
):
    company = sandbox_demo_company
    settings = every_venue_mapped(app, company)
    activate("connexie", company_id=company["id"], credentials={"api_token": company["api_token"]}, settings=settings)
    auth.login()
    first_venue = company["entities"][0]
    changed = {**settings["venues"], first_venue["id"]: INACTIVE}
    form = connexie_settings_form(company, changed, meal_code="M200")

    before = last_entry_id(app)
    assert post(client, "/integrations/connexie/settings/configure", "/integrations/connexie/settings", **form).status_code == 302
    entries = new_entries(app, before)
    assert [entry.detail for entry in entries] == [
        {"field": "meal_code", "old": None, "new": "M200"},
        {"field": "venue", "item": first_venue["name"], "old": "Demo NV – Antwerpen", "new": INACTIVE},
    ]
    assert {(e.action, e.actor, e.subject) for e in entries} == {(AuditAction.INTEGRATION_SETTING_CHANGED, HR, "connexie")}

    # Saved again as it is: nothing changed, nothing logged.
    before = last_entry_id(app)
    post(client, "/integrations/connexie/settings/configure", "/integrations/connexie/settings", **form)
    assert new_entries(app, before) == []
    page = client.get("/audit?kind=integrations").get_data(as_text=True)
    assert f"Venue {first_venue['name']}: Demo NV – Antwerpen → Inactive" in page
    assert "Code for meals: — → M200" in page


def test_a_new_api_token_is_logged_as_changed_and_never_shown(
    app, client, auth, activate, providers_at_sandboxes, sandbox_demo_company
):
    company = sandbox_demo_company
    activate(
        "connexie",
        company_id=company["id"],
        credentials={"api_token": "cnx_the_old_token"},
        settings=every_venue_mapped(app, company),
    )
    set_state(app, "connexie", IntegrationState.RECONNECT_NEEDED)
    auth.login()
    before = last_entry_id(app)
    response = post(client, "/integrations/connexie/activate/connect", "/integrations", api_token=company["api_token"])
    assert response.status_code == 302
    [entry] = new_entries(app, before)
    assert (entry.action, entry.detail) == (AuditAction.INTEGRATION_SETTING_CHANGED, {"field": "api_token", "changed": True})
    page = client.get("/audit").get_data(as_text=True)
    assert "API token: changed" in page
    assert company["api_token"] not in page and "cnx_the_old_token" not in page


def test_a_budget_for_several_people_logs_one_entry_per_person_whose_budget_changed(app, client, auth, staff):
    auth.login()
    before = last_entry_id(app)
    people = [staff["An"], staff["Bram"], staff["Dirk"]]
    post(client, "/employees/bulk", action="budget", employee_id=people, amount="900", currency="EUR", year=str(YEAR))
    # Dirk already had 900: no change, no entry.
    entries = new_entries(app, before)
    assert sorted(entry.subject for entry in entries) == [
        "An Janssens (an.janssens@demo.test)",
        "Bram Maes (bram.maes@demo.test)",
    ]
    page = client.get("/audit?kind=employees").get_data(as_text=True)
    assert f"Budget {YEAR}: €1,200.00 → €900.00" in page


# --- The log as HR admins and customer success read it ----------------------------------------


@pytest.fixture
def company_log(app) -> int:
    """Demo NV's log: 52 budgets, a setting, an invitation and a support view; one entry of Other BV."""
    with app.app_context():
        tenants = dict(db.session.execute(select(Tenant.name, Tenant.id)).all())
        demo, other = tenants["Demo NV"], tenants["Other BV"]
        hr, cs = (db.session.execute(select(User).where(User.email == email)).scalar_one() for email in (HR, CS))
        for n in range(52):
            detail = {"field": "budget", "item": str(YEAR), "old": None, "new": f"{n + 1}00.00", "currency": "EUR"}
            audit.record(AuditAction.BUDGET_ASSIGNED, hr, f"Person {n} (person{n}@demo.test)", demo, detail=detail)
        setting = {"field": "sync_mode", "old": "full", "new": "selective"}
        audit.record(AuditAction.INTEGRATION_SETTING_CHANGED, hr, "securex", demo, detail=setting)
        audit.record(AuditAction.ADMIN_INVITED, hr, "new.admin@demo.test", demo)
        audit.record(AuditAction.SUPPORT_VIEWED, cs, "employees list", demo, detail={"page": "employees", "q": "janssens"})
        audit.record(AuditAction.ADMIN_INVITED, None, "olivier@other.test", other)
        db.session.commit()
        return demo


def rows(client, path: str) -> str:
    response = client.get(path, headers={"HX-Request": "true", "HX-Target": "audit-rows"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_hr_admin_pages_through_the_log_newest_first_and_filters_it(client, auth, company_log):
    auth.login()
    page = client.get("/audit").get_data(as_text=True)
    assert "Page 1 of 2" in page
    assert page.index("looked at employee data for support") < page.index("invited an HR admin") < page.index("Person 51")
    assert "Person 0 " not in page and "olivier@other.test" not in page
    assert "Person 0 (person0@demo.test)" in client.get("/audit?page=2").get_data(as_text=True)

    integrations = rows(client, "/audit?kind=integrations")
    assert "<html" not in integrations
    assert "changed a setting of an integration: Securex" in integrations
    assert "Sync mode: Full (automatic) → Selective (semi-automatic)" in integrations
    assert "Person" not in integrations

    support = rows(client, "/audit?kind=support")
    assert "Charlotte Claes" in support and "the employees list" in support and "Searched for “janssens”" in support
    assert "Charlotte Claes" in rows(client, "/audit?person=charlotte")
    by_subject = rows(client, "/audit?kind=employees&person=person7@")
    assert "Person 7 (person7@demo.test)" in by_subject and "Person 8" not in by_subject
    assert "Nothing in the log concerns “nobody”." in rows(client, "/audit?person=nobody")
    assert 'href="/audit"' in client.get("/").get_data(as_text=True)


def test_another_company_sees_none_of_it_and_customer_success_sees_it_all(client, other_client, auth, company_log):
    auth.login("hr@other.test")
    theirs = client.get("/audit").get_data(as_text=True)
    assert "Person" not in theirs and "olivier@other.test" in theirs
    assert client.get(f"/cs/tenants/{company_log}/audit").status_code == 404

    AuthActions(other_client).login(CS)
    assert f'href="/cs/tenants/{company_log}/audit"' in other_client.get(f"/cs/tenants/{company_log}").get_data(as_text=True)
    ours = other_client.get(f"/cs/tenants/{company_log}/audit?kind=access").get_data(as_text=True)
    assert "new.admin@demo.test" in ours and "olivier@other.test" not in ours and "Person" not in ours
    assert "Person 3 " in rows(other_client, f"/cs/tenants/{company_log}/audit?person=person3@")


def test_an_empty_log_says_so(client, auth):
    auth.login()
    assert "Nothing in the log yet" in client.get("/audit").get_data(as_text=True)


def test_the_admin_finds_who_changed_a_budget_in_the_log(live_server, page, staff, company_log):
    from helpers.logins import log_in
    from helpers.pages import screenshot

    log_in(page, live_server)
    page.goto(f"{live_server}/employees/{staff['An']}")
    page.get_by_label("Yearly budget").fill("1350")
    page.get_by_role("button", name="Save budget").click()
    page.get_by_text("Budget saved.").wait_for()

    page.get_by_role("link", name="Audit log").click()
    page.get_by_role("link", name="Employees", exact=True).last.click()
    page.wait_for_url("**/audit?kind=employees")
    page.get_by_label("Search by person").fill("janssens")
    page.wait_for_url("**/audit?*person=janssens*")
    entry = page.locator("#audit-rows tr", has_text="An Janssens")
    entry.get_by_text(f"Budget {YEAR}: €1,200.00 → €1,350.00").wait_for()
    assert page.locator("#audit-rows tbody tr").count() == 1
    assert entry.get_by_text("Hanne Peeters").is_visible()
    screenshot(page, "audit-log")
