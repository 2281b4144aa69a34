"""Every field of every activation, configuration and settings form changes what the next
sync does. Generated from the code that builds the forms (helpers/settings_matrix.py),
like the route matrix: a field added tomorrow is a case here, and fails by name until
someone teaches the matrix how to see its effect.

Each case runs two companies side by side against the same sandbox account: Demo NV
keeps every default, Other BV changes the one field through the page the admin uses.
Both sync, the sandbox may move on, both sync again; what the second sync leaves behind
(who exists and is active, in which entity, the run's per-employee lines, and for the
Connexie codes the lines the hours export would send) must differ.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from fixtures.sandboxes import SANDBOX_SEED
from helpers.logins import AuthActions
from helpers.pages import csrf_token_from
from helpers.settings_matrix import FormField, fields_from_code, fields_of_pages
from helpers.sync_runs import finished_run, start_sync
from portal import tenancy
from portal.extensions import db
from portal.models import (
    Employee,
    Entity,
    Integration,
    IntegrationState,
    RunState,
    SyncRunEmployee,
    Tenant,
    User,
    WageContract,
    WorkedShift,
)
from portal.models.integration import DEFAULT_DELTA_EVERY_MINUTES
from portal.providers.base import ContractType, Provider
from portal.runs import sync_runs
from portal.sync.state import SyncMode
from sandbox.testing import MyLiantisBrowser, advance, pkce_pair, raise_salaries

FIELDS = fields_from_code(SANDBOX_SEED)
ADMINS = {"Demo NV": "hr@demo.test", "Other BV": "hr@other.test"}
# The company's own entities in both worlds, for Connexie's venues to be mapped onto.
SITES = ("Site 1", "Site 2")


@dataclass
class World:
    """One company with the provider activated and configured as the pages leave it."""

    tenant: str
    admin: FlaskClient
    tenant_id: int = 0
    integration_id: int = 0
    run_id: int = 0


@dataclass
class Matrix:
    app: Flask
    provider: Provider
    sandboxes: dict[str, str]
    companies: dict[str, dict]
    activate: Callable[..., int]
    worlds: list[World] = field(default_factory=list)

    @property
    def company(self) -> dict:
        return self.companies["C001"]

    # --- the pages, as the admin uses them ---------------------------------------

    def post(self, world: World, path: str, data: dict, expected=(302, 204)) -> None:
        page = world.admin.get(f"/integrations/{self.provider.value}/settings")
        token = csrf_token_from(page.get_data(as_text=True))
        response = world.admin.post(path, data={**data, "csrf_token": token})
        assert response.status_code in expected, f"{path}: {response.status_code}\n{response.get_data(as_text=True)[-3000:]}"

    def configure(self, world: World, data: dict) -> None:
        self.post(world, f"/integrations/{self.provider.value}/settings/configure", data)

    def configuration(self, world: World, **changes) -> dict:
        """The configuration form's data as the defaults leave it, with `changes`."""
        if self.provider is Provider.CONNEXIE:
            sites = self.sites(world)
            data = {f"venue_{i}": str(sites[i % len(sites)]) for i, _ in enumerate(self.company["entities"])}
            data |= {"meal_code": "", "allowance_code": ""}
        else:
            # The form's own default: every entity ticked, nobody excluded.
            data = {"entities": [e["id"] for e in self.company["entities"]], "exclusions": ""}
        return {**data, **changes}

    def sites(self, world: World) -> list[int]:
        with self.app.app_context():
            return list(
                db.session.execute(
                    select(Entity.id).where(Entity.tenant_id == world.tenant_id, Entity.name.in_(SITES)).order_by(Entity.name)
                ).scalars()
            )

    def form_choices(self, world: World, name: str) -> list[str]:
        """The values the page offers for a field, as its own form builds them."""
        from flask_login import login_user

        from portal.web.integration_settings import settings_context

        with self.app.app_context(), self.app.test_request_context():
            user = db.session.execute(select(User).where(User.email == ADMINS[world.tenant])).scalar_one()
            login_user(user)
            with tenancy.acting_for(world.tenant_id):
                integration = db.session.get(Integration, world.integration_id)
                context = settings_context(integration)
                configured = context.get("form")
                form = configured if configured is not None and name in configured else context["mode_form"]
                return [str(value) for value, *_ in form[name].iter_choices()]

    # --- the two worlds -----------------------------------------------------------

    def set_up(self, world: World) -> None:
        with self.app.app_context():
            world.tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == world.tenant)).scalar_one()
            db.session.add_all(Entity(tenant_id=world.tenant_id, name=name) for name in SITES)
            db.session.commit()
        AuthActions(world.admin).login(ADMINS[world.tenant])
        world.integration_id = self.activate(
            self.provider.value, company_id="C001", tenant=world.tenant, credentials=self.credentials("C001")
        )
        if self.provider in (Provider.CONNEXIE, Provider.HRIS):
            self.configure(world, self.configuration(world))

    def credentials(self, company_id: str) -> dict:
        company = self.companies[company_id]
        match self.provider:
            case Provider.CONNEXIE:
                return {"api_token": company["api_token"]}
            case Provider.HRIS:
                return {"api_token": company["api_key"]}
            case Provider.LIANTIS:
                # Each company's main user consents in a browser of their own.
                verifier, challenge = pkce_pair()
                browser = MyLiantisBrowser(self.sandboxes["liantis"], requests.Session(), verifier, challenge)
                token = browser.consent_as_main_user(f"main.{company_id.lower()}")
                return {
                    "access_token": token["access_token"],
                    "refresh_token": token["refresh_token"],
                    "expires_at": time.time() + token["expires_in"],
                }
        return {}

    def sync_all(self) -> None:
        runs = [(world, start_sync(self.app, world.integration_id)) for world in self.worlds]
        for world, run_id in runs:
            run = finished_run(self.app, run_id)
            assert run.status is not RunState.ERROR, f"{world.tenant}: {run.error_code} {run.error_detail}"
            world.run_id = run_id

    def synced(self, world: World) -> list[Employee]:
        with self.app.app_context():
            rows = db.session.execute(
                select(Employee).where(Employee.integration_id == world.integration_id).order_by(Employee.provider_id)
            ).scalars()
            employees = list(rows)
            for employee in employees:
                db.session.expunge(employee)
            return employees

    def outcome(self, world: World, probe: Probe) -> dict:
        """What the last sync left behind, in terms both companies share (provider IDs, names)."""
        with self.app.app_context():
            names = dict(db.session.execute(select(Entity.id, Entity.name)).all())
            employees = {
                e.provider_id: (e.active, names.get(e.entity_id)) for e in self.synced(world) if e.provider_id is not None
            }
            lines = {
                provider_id: (action.value, reason.value if reason else None)
                for provider_id, action, reason in db.session.execute(
                    select(SyncRunEmployee.provider_id, SyncRunEmployee.action, SyncRunEmployee.reason).where(
                        SyncRunEmployee.run_id == world.run_id
                    )
                ).all()
            }
        return {"employees": employees, "run lines": lines, "export": probe.observe(self, world)}


# --- How each field's effect is made visible ---------------------------------------------


def change_mode(matrix: Matrix, world: World, form_field: FormField) -> None:
    other = next(value for value in matrix.form_choices(world, form_field.name) if value != SyncMode.FULL.value)
    matrix.post(world, f"/integrations/{matrix.provider.value}/settings/mode", {form_field.name: other})


def newcomers_arrive(matrix: Matrix) -> None:
    """A new hire (and the other scheduled changes) at the provider before the second sync:
    a mode applies to people the provider shows from now on."""
    applied = advance(matrix.sandboxes[matrix.provider.value])["applied"]
    assert any(c["kind"] == "new_hire" and c["company_id"] == "C001" for c in applied), applied


def change_token(matrix: Matrix, world: World, form_field: FormField) -> None:
    """Another valid token (another Connexie account) through the reconnect step: the only
    page that takes a token once the integration is active."""
    with matrix.app.app_context():
        db.session.execute(
            update(Integration).where(Integration.id == world.integration_id).values(state=IntegrationState.RECONNECT_NEEDED)
        )
        db.session.commit()
    token = matrix.credentials("C002")["api_token"]
    matrix.post(world, f"/integrations/{matrix.provider.value}/activate/connect", {form_field.name: token})


def venue_inactive(matrix: Matrix, world: World, form_field: FormField) -> None:
    matrix.configure(world, matrix.configuration(world, **{form_field.name: "inactive"}))


def untick_an_entity(matrix: Matrix, world: World, form_field: FormField) -> None:
    entities = [e["id"] for e in matrix.company["entities"]]
    assert len(entities) > 1, "the sandbox company needs two entities, one stays ticked"
    matrix.configure(world, matrix.configuration(world, entities=entities[1:]))


def exclude_someone(matrix: Matrix, world: World, form_field: FormField) -> None:
    someone = next(e for e in matrix.synced(world) if e.active and e.employee_number)
    matrix.configure(world, matrix.configuration(world, exclusions=someone.employee_number))


def choose_a_code(matrix: Matrix, world: World, form_field: FormField) -> None:
    code = next(value for value in matrix.form_choices(world, form_field.name) if value)
    matrix.configure(world, matrix.configuration(world, **{form_field.name: code}))


def export_lines(matrix: Matrix, world: World) -> object:
    """The lines the hours export of this month would send, for one flex worker's shift
    with a meal and an allowance."""
    from portal.hours.connexie_export import preview
    from portal.hours.rules import Period

    today = date.today()
    with matrix.app.app_context(), tenancy.acting_for(world.tenant_id):
        flex = (
            db.session.execute(
                select(Employee)
                .join(WageContract, WageContract.employee_id == Employee.id)
                .where(
                    Employee.integration_id == world.integration_id,
                    Employee.active.is_(True),
                    WageContract.contract_type == ContractType.FLEX,
                )
                .order_by(Employee.provider_id)
            )
            .scalars()
            .first()
        )
        assert flex is not None, "the sandbox company needs a flex worker"
        db.session.add(
            WorkedShift(
                employee_id=flex.id,
                day=today,
                starts_at=clock(9),
                ends_at=clock(15),
                meals=1,
                allowance_amount=Decimal("5.00"),
                approved=True,
            )
        )
        db.session.commit()
        plan = preview(Period.of(today), db.session.get(Integration, world.integration_id))
        return (
            sorted((line.team_member_id, line.line_type.value, str(line.quantity), line.code) for line in plan.lines),
            sorted((left.line_type.value, left.reason.value) for left in plan.left_out),
        )


def switch_changes_off(matrix: Matrix, world: World, form_field: FormField) -> None:
    matrix.post(world, f"/integrations/{matrix.provider.value}/settings/changes", {form_field.name: "off"})


def salaries_raised(matrix: Matrix) -> None:
    """People change at the provider after the first sync: what a sync of the changes brings in."""
    assert raise_salaries(matrix.sandboxes[matrix.provider.value], "C001", 10)


def schedule_of_changes(matrix: Matrix) -> None:
    """The second sync is the one the schedule of changes starts, once the default interval
    has passed, instead of "Sync now": a world it starts none for keeps its first sync."""
    later = datetime.utcnow() + timedelta(minutes=DEFAULT_DELTA_EVERY_MINUTES)
    with matrix.app.app_context():
        started = {run.integration_id: run.id for run in sync_runs.request_delta_syncs(now=later)}
    for world in matrix.worlds:
        if world.integration_id in started:
            run = finished_run(matrix.app, started[world.integration_id])
            assert run.status is not RunState.ERROR, f"{world.tenant}: {run.error_code} {run.error_detail}"
            world.run_id = run.id


def nothing(*_args) -> None:
    return None


@dataclass(frozen=True)
class Probe:
    # Other BV's admin changes the field, through the page.
    change: Callable[[Matrix, World, FormField], None]
    # What happens at the provider between the two syncs, in both worlds.
    between: Callable[[Matrix], None] = nothing
    # What else the second sync's outcome holds (the hours export of the month).
    observe: Callable[[Matrix, World], object] = nothing
    # How the second sync starts: "Sync now" in both worlds, unless the field is about another start.
    sync_again: Callable[[Matrix], None] = Matrix.sync_all


MODE = Probe(change_mode, between=newcomers_arrive)
CHANGES_OFF = Probe(switch_changes_off, between=salaries_raised, sync_again=schedule_of_changes)
# Keyed by provider and field kind (helpers.settings_matrix.FormField.kind).
PROBES: dict[tuple[Provider, str], Probe] = {
    (Provider.SECUREX, "mode"): MODE,
    (Provider.LIANTIS, "mode"): MODE,
    (Provider.CONNEXIE, "mode"): MODE,
    (Provider.HRIS, "mode"): MODE,
    (Provider.CONNEXIE, "api_token"): Probe(change_token),
    (Provider.HRIS, "api_token"): Probe(change_token),
    (Provider.CONNEXIE, "venue_N"): Probe(venue_inactive),
    (Provider.CONNEXIE, "meal_code"): Probe(choose_a_code, observe=export_lines),
    (Provider.CONNEXIE, "allowance_code"): Probe(choose_a_code, observe=export_lines),
    (Provider.HRIS, "entities"): Probe(untick_an_entity),
    (Provider.HRIS, "exclusions"): Probe(exclude_someone),
    (Provider.SECUREX, "delta_every"): CHANGES_OFF,
    (Provider.HRIS, "delta_every"): CHANGES_OFF,
}


def probe_for(form_field: FormField) -> Probe:
    probe = PROBES.get((form_field.provider, form_field.kind))
    if probe is None:
        pytest.fail(
            f"no effect probe for field {form_field.id}: teach tests/test_settings_matrix.py (PROBES) how the next sync"
            " shows that this field was changed"
        )
    return probe


def differences(control: dict, changed: dict) -> list[str]:
    found = []
    for part in control:
        if control[part] == changed[part]:
            continue
        if isinstance(control[part], dict):
            keys = sorted(set(control[part]) | set(changed[part]), key=str)
            differ = [k for k in keys if control[part].get(k) != changed[part].get(k)]
            sample = ", ".join(f"{k}: {control[part].get(k)} -> {changed[part].get(k)}" for k in differ[:3])
            found.append(f"{part}: {len(differ)} differ ({sample})")
        else:
            found.append(f"{part}: {control[part]} -> {changed[part]}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("form_field", FIELDS, ids=[f.id for f in FIELDS])
def test_every_setting_changes_what_the_next_sync_does(
    form_field, sync_setup, sandboxes, sandbox_companies, activate, worker, client, other_client
):
    probe = probe_for(form_field)
    matrix = Matrix(sync_setup, form_field.provider, sandboxes, sandbox_companies, activate)
    control, changed = World("Demo NV", client), World("Other BV", other_client)
    matrix.worlds = [control, changed]
    for world in matrix.worlds:
        matrix.set_up(world)
    matrix.sync_all()
    probe.between(matrix)
    probe.change(matrix, changed, form_field)
    probe.sync_again(matrix)

    before, after = matrix.outcome(control, probe), matrix.outcome(changed, probe)

    assert before != after, (
        f"setting {form_field.id} changed nothing: the sync after changing it did exactly what it does with the default"
    )
    print(f"{form_field.id}: " + "; ".join(differences(before, after)))


def test_the_matrix_knows_every_field_the_pages_build(sync_setup, sandbox_companies, activate):
    """The fields read while collecting (the provider's answers taken from the sandbox
    dataset) are those the live pages build against the running sandboxes."""
    from flask_login import login_user

    app = sync_setup
    company = sandbox_companies["C001"]
    secrets = {Provider.CONNEXIE: {"api_token": company["api_token"]}, Provider.HRIS: {"api_token": company["api_key"]}}
    for provider in Provider:
        integration_id = activate(provider.value, credentials=secrets.get(provider, {}))
        with app.app_context(), app.test_request_context():
            login_user(db.session.execute(select(User).where(User.email == "hr@demo.test")).scalar_one())
            integration = db.session.get(Integration, integration_id)
            with tenancy.acting_for(integration.tenant_id):
                live = fields_of_pages(integration)
        assert live == [f.name for f in FIELDS if f.provider is provider], provider
