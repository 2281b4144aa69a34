"""The integration's settings act on the sync: Connexie's venue mapping, the generic HR
system's entities and exclusions, and the company's entities the employees belong to,
shown by name. Real syncs (RQ worker, sandboxes over HTTP), settings saved through the
settings page."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from helpers.activation import demo_entity_ids, every_venue_mapped
from helpers.pages import csrf_token_from
from helpers.sync_runs import employees_of, finished_run, start_sync
from portal import tenancy
from portal.extensions import db
from portal.models import Budget, Employee, Entity, SyncRunEmployee, Tenant
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from sandbox.testing import true_employees


def run_lines(app, run_id: int) -> dict[str, tuple[Action, Reason | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(SyncRunEmployee.provider_id, SyncRunEmployee.action, SyncRunEmployee.reason).where(
                SyncRunEmployee.run_id == run_id
            )
        ).all()
    return {provider_id: (action, reason) for provider_id, action, reason in rows}


def entity_names(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(select(Entity.id, Entity.name)).all())


def working_today(people: list[dict]) -> list[dict]:
    today = date.today().isoformat()
    return [
        p
        for p in people
        if any(c["start_date"] <= today and (c["end_date"] is None or today <= c["end_date"]) for c in p["contracts"])
    ]


@pytest.fixture
def admin(sync_setup, client, auth):
    auth.login("hr@demo.test")
    return client


def save_configuration(admin, provider: str, data: dict) -> None:
    """Post the settings tab's configuration form, as the admin does."""
    token = csrf_token_from(admin.get(f"/integrations/{provider}/settings").get_data(as_text=True))
    response = admin.post(f"/integrations/{provider}/settings/configure", data={**data, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


def connexie_form_data(settings: dict, venues: list[dict]) -> dict:
    data = {f"venue_{i}": settings["venues"][v["id"]] for i, v in enumerate(venues)}
    return {**data, "meal_code": settings.get("meal_code") or "", "allowance_code": settings.get("allowance_code") or ""}


def test_connexie_inactive_venues_import_nobody_and_mapped_venues_become_the_local_entity(
    sync_setup, admin, sandboxes, sandbox_demo_company, activate, worker
):
    app = sync_setup
    company = sandbox_demo_company
    venues = company["entities"]
    settings = every_venue_mapped(app, company)
    inactive = venues[-1]["id"]
    settings["venues"][inactive] = "inactive"
    integration_id = activate("connexie", credentials={"api_token": company["api_token"]}, settings=settings)

    run = finished_run(app, start_sync(app, integration_id))

    people = working_today(true_employees(sandboxes["connexie"], company["id"]))
    at_inactive = {p["id"] for p in people if p["entity_id"] == inactive}
    assert at_inactive, "the sandbox must have people at every venue"
    created = {e.provider_id: e for e in employees_of(app, integration_id)}
    assert not at_inactive & set(created)
    lines = run_lines(app, run.id)
    assert {lines[pid] for pid in at_inactive} == {(Action.SKIP, Reason.VENUE_INACTIVE)}
    # Everyone else belongs to the entity their venue is mapped onto, never to the venue's ID.
    names = entity_names(app)
    venue_of = {p["id"]: p["entity_id"] for p in people}
    for provider_id, employee in created.items():
        assert employee.entity_id == int(settings["venues"][venue_of[provider_id]])
    listed = admin.get("/employees?sort=entity").get_data(as_text=True)
    assert names[demo_entity_ids(app)[0]] in listed
    assert not [v["id"] for v in venues if v["id"] in listed]
    someone = next(iter(created.values()))
    detail = admin.get(f"/employees/{someone.id}").get_data(as_text=True)
    assert names[someone.entity_id] in detail and venue_of[someone.provider_id] not in detail
    run_page = admin.get(f"/syncs/{run.id}?action=skip").get_data(as_text=True)
    assert "venue is set to Inactive in the Connexie settings." in run_page

    # A second venue set to Inactive on the settings page: its people leave at the next sync.
    leaving_venue = next(v["id"] for v in venues[:-1] if any(p["entity_id"] == v["id"] for p in people))
    leaving = {e.id: e.provider_id for e in created.values() if venue_of[e.provider_id] == leaving_venue}
    someone = next(iter(leaving))
    with app.app_context(), tenancy.acting_for(created[leaving[someone]].tenant_id):
        db.session.add(Budget(employee_id=someone, year=date.today().year, amount=Decimal("500.00")))
        db.session.commit()
    changed = {**settings, "venues": {**settings["venues"], leaving_venue: "inactive"}}
    save_configuration(admin, "connexie", connexie_form_data(changed, venues))

    second = finished_run(app, start_sync(app, integration_id))

    lines = run_lines(app, second.id)
    assert {lines[pid] for pid in leaving.values()} == {(Action.DEACTIVATE, Reason.VENUE_INACTIVE)}
    after = {e.provider_id: e for e in employees_of(app, integration_id)}
    for provider_id in leaving.values():
        # Deactivated, never deleted: access revoked, budget kept and frozen.
        assert (after[provider_id].active, after[provider_id].access_revoked, after[provider_id].budget_frozen) == (
            False,
            True,
            True,
        )
    with app.app_context():
        assert db.session.execute(select(Budget.amount).where(Budget.employee_id == someone)).scalar_one() == Decimal("500.00")
    others = [e for pid, e in after.items() if venue_of[pid] != leaving_venue]
    assert others and all(e.active for e in others)


def test_connexie_remapping_a_venue_moves_its_people_and_the_run_line_names_both_entities(
    sync_setup, admin, sandboxes, sandbox_demo_company, activate, worker
):
    app = sync_setup
    company = sandbox_demo_company
    venues = company["entities"]
    gent, antwerpen = demo_entity_ids(app)[1], demo_entity_ids(app)[0]
    settings = {"venues": {v["id"]: str(gent) for v in venues}, "meal_code": None, "allowance_code": None}
    integration_id = activate("connexie", credentials={"api_token": company["api_token"]}, settings=settings)
    finished_run(app, start_sync(app, integration_id))

    moved_venue = venues[0]["id"]
    changed = {**settings, "venues": {**settings["venues"], moved_venue: str(antwerpen)}}
    save_configuration(admin, "connexie", connexie_form_data(changed, venues))
    run = finished_run(app, start_sync(app, integration_id))

    moved = [e for e in employees_of(app, integration_id) if e.entity_id == antwerpen]
    assert moved and run.updated == len(moved)
    names = entity_names(app)
    page = admin.get(f"/syncs/{run.id}?action=update").get_data(as_text=True)
    assert f"Entity: {names[gent]} → {names[antwerpen]}" in page


def test_generic_hr_only_ticked_entities_are_synced_named_as_the_hr_system_names_them(
    sync_setup, admin, sandboxes, sandbox_demo_company, activate, worker
):
    app = sync_setup
    company = sandbox_demo_company
    entities = company["entities"]
    integration_id = activate("hris", credentials={"api_token": company["api_key"]}, settings={})
    ticked = entities[0]
    save_configuration(admin, "hris", {"entities": [ticked["id"]], "exclusions": ""})

    run = finished_run(app, start_sync(app, integration_id))

    people = working_today(true_employees(sandboxes["hris"], company["id"]))
    synced = employees_of(app, integration_id)
    assert synced and {e.provider_id for e in synced} <= {p["id"] for p in people if p["entity_id"] == ticked["id"]}
    # The local entity carries the HR system's name, not its ID.
    assert {entity_names(app)[e.entity_id] for e in synced} == {ticked["name"]}
    lines = run_lines(app, run.id)
    unticked = [p["id"] for p in people if p["entity_id"] != ticked["id"] and not p.get("excluded")]
    assert unticked and {lines[pid] for pid in unticked} == {(Action.SKIP, Reason.ENTITY_NOT_SYNCED)}
    assert ticked["name"] in admin.get("/employees").get_data(as_text=True)


def test_generic_hr_an_excluded_employee_synced_before_is_deactivated_with_the_reason(
    sync_setup, admin, sandboxes, sandbox_demo_company, activate, worker
):
    app = sync_setup
    company = sandbox_demo_company
    everyone = [e["id"] for e in company["entities"]]
    integration_id = activate("hris", credentials={"api_token": company["api_key"]}, settings={})
    save_configuration(admin, "hris", {"entities": everyone, "exclusions": ""})
    finished_run(app, start_sync(app, integration_id))
    by_number, by_id = sorted(employees_of(app, integration_id), key=lambda e: e.provider_id)[:2]

    # One by employee number, one by ID, in another case: both leave the sync.
    save_configuration(
        admin, "hris", {"entities": everyone, "exclusions": f"{by_number.employee_number}\n{by_id.provider_id.lower()}"}
    )
    run = finished_run(app, start_sync(app, integration_id))

    lines = run_lines(app, run.id)
    assert lines[by_number.provider_id] == lines[by_id.provider_id] == (Action.DEACTIVATE, Reason.EXCLUDED_IN_SETTINGS)
    after = {e.provider_id: e for e in employees_of(app, integration_id)}
    assert not after[by_number.provider_id].active and not after[by_id.provider_id].active
    assert Counter(e.active for e in after.values())[True] == len(after) - 2
    page = admin.get(f"/syncs/{run.id}?action=deactivate").get_data(as_text=True)
    assert "Listed under Excluded employees in the settings of the integration." in page

    # Taken off the list again: back at the next sync.
    save_configuration(admin, "hris", {"entities": everyone, "exclusions": ""})
    finished_run(app, start_sync(app, integration_id))
    again = {e.provider_id: e for e in employees_of(app, integration_id)}
    assert again[by_number.provider_id].active and not again[by_number.provider_id].budget_frozen


def test_securex_entities_get_a_local_entity_named_as_securex_names_them(
    sync_setup, admin, sandbox_demo_company, activate, worker
):
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    names = entity_names(app)
    synced = employees_of(app, integration_id)
    assert {names[e.entity_id] for e in synced} <= {e["name"] for e in sandbox_demo_company["entities"]}
    assert all(e.entity_id is not None for e in synced)


# --- The entities page -----------------------------------------------------------------


def test_the_admin_sees_adds_and_renames_the_companys_entities(app, client, auth, staff):
    auth.login("hr@demo.test")
    page = client.get("/company/entities").get_data(as_text=True)
    assert "Demo NV – Gent" in page and "Demo NV – Antwerpen" in page
    token = csrf_token_from(page)

    assert client.post("/company/entities", data={"name": "  Brugge  ", "csrf_token": token}).status_code == 302
    refused = client.post("/company/entities", data={"name": "brugge", "csrf_token": token})
    assert refused.status_code == 400 and "Another entity already has this name." in refused.get_data(as_text=True)
    empty = client.post("/company/entities", data={"name": "", "csrf_token": token})
    assert empty.status_code == 400 and "Give the entity a name." in empty.get_data(as_text=True)

    with app.app_context():
        demo = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
        gent = db.session.execute(select(Entity).where(Entity.tenant_id == demo, Entity.name == "Demo NV – Gent")).scalar_one()
    assert client.post(f"/company/entities/{gent.id}", data={"name": "Gent centrum", "csrf_token": token}).status_code == 302
    # Everywhere the entity shows, it shows by its new name: the employees list (An is in Gent).
    employees = client.get("/employees").get_data(as_text=True)
    assert "Gent centrum" in employees and "Demo NV – Gent" not in employees
    assert "Brugge" in client.get("/company/entities").get_data(as_text=True)


def test_another_companys_admin_cannot_see_or_rename_our_entities(app, client, auth):
    auth.login("hr@other.test")
    page = client.get("/company/entities").get_data(as_text=True)
    assert "Demo NV" not in page
    with app.app_context():
        gent = db.session.execute(select(Entity).where(Entity.name == "Demo NV – Gent")).scalar_one()
    token = csrf_token_from(page)
    assert client.post(f"/company/entities/{gent.id}", data={"name": "Mine now", "csrf_token": token}).status_code == 404
    assert entity_names(app)[gent.id] == "Demo NV – Gent"


def test_customer_success_has_no_entities_page(client, auth):
    auth.login("cs@flexsync.test")
    assert client.get("/company/entities").status_code == 404


def test_an_employee_added_by_hand_gets_one_of_the_companys_entities(app, client, auth, staff):
    auth.login("hr@demo.test")
    dirk = staff["Dirk"]
    page = client.get(f"/employees/{dirk}").get_data(as_text=True)
    antwerpen = demo_entity_ids(app)[0]
    assert "Demo NV – Antwerpen" in page
    data = {
        "csrf_token": csrf_token_from(page),
        "first_name": "Dirk",
        "last_name": "Hendrickx",
        "email": "dirk.hendrickx@demo.test",
        "language": "en",
        "entity_id": str(antwerpen),
    }
    assert client.post(f"/employees/{dirk}", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Employee, dirk).entity_id == antwerpen
    # Another company's entity is not a choice.
    with app.app_context():
        other = Entity(
            tenant_id=db.session.execute(select(Tenant.id).where(Tenant.name == "Other BV")).scalar_one(), name="Elsewhere"
        )
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert client.post(f"/employees/{dirk}", data={**data, "entity_id": str(other_id)}).status_code == 400
