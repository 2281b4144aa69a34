"""Each rule of the sync engine in PRODUCT.md, shown by a real sync (RQ worker, sandbox over
HTTP) on a dataset that exercises it."""

from __future__ import annotations

import copy
import json
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from redis import Redis
from sqlalchemy import select, update

from helpers.activation import every_venue_mapped
from helpers.sync_runs import employees_of, finished_run, start_sync
from helpers.workers import Worker
from portal import tenancy
from portal.employees import decisions
from portal.extensions import db
from portal.integrations import selection
from portal.models import Discrepancy, Employee, Integration, RunState, SelectionEntry, SyncRunEmployee, Tenant, User
from portal.providers.base import WageType
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from portal.sync.state import SyncMode
from sandbox.testing import advance, running_sandboxes, true_employees

EXAMPLE = "sandbox/datasets/example.json"


def demo_tenant_id(app) -> int:
    with app.app_context():
        return db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()


def add_local_employee(app, **fields) -> int:
    with app.app_context(), tenancy.acting_for(demo_tenant_id(app)):
        employee = Employee(**{"first_name": "Local", "last_name": "Person", **fields})
        db.session.add(employee)
        db.session.commit()
        return employee.id


def employee(app, employee_id: int) -> Employee:
    with app.app_context():
        row = db.session.execute(select(Employee).where(Employee.id == employee_id)).scalar_one()
        db.session.expunge(row)
        return row


def by_provider_id(app, integration_id: int, provider_id: str) -> Employee:
    return next(e for e in employees_of(app, integration_id) if e.provider_id == provider_id)


def reasons(app, run_id: int, action: Action) -> dict[str, Reason]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(SyncRunEmployee.provider_id, SyncRunEmployee.reason).where(
                    SyncRunEmployee.run_id == run_id, SyncRunEmployee.action == action
                )
            ).all()
        )


@contextmanager
def own_sandboxes(app, redis_url, tmp_path, dataset: dict):
    """Sandboxes serving a dataset made for one rule, with a worker that talks to them."""
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(dataset))
    with running_sandboxes(dataset=str(path)) as urls:
        Redis.from_url(redis_url).flushdb()
        app.config.update(REDIS_URL=redis_url, PROVIDER_URLS=dict(urls))
        app.extensions.pop("flexsync_redis", None)
        worker = Worker(app, redis_url, urls, tmp_path / "worker.log")
        try:
            yield urls
        finally:
            worker.stop()


def example_dataset() -> dict:
    return json.loads(open(EXAMPLE).read())


def with_own_contract_ids(person: dict) -> dict:
    for contract in person["contracts"]:
        contract["id"] = f"{person['id']}-{contract['id']}"
    return person


def copies_of(person: dict, count: int) -> list[dict]:
    """Other people made from one, so that a company fills more than one page."""
    copies = []
    for number in range(count):
        copy_ = copy.deepcopy(person)
        copy_.update(id=f"C001-9{number:05}", employee_number=f"9{number:05}", email=f"clone.{number}@flexsync-demo.be")
        copies.append(with_own_contract_ids(copy_))
    return copies


def test_matching_is_by_email_case_insensitive_the_first_time_then_by_provider_id(sync_setup, sandboxes, activate, worker):
    app = sync_setup
    truth = true_employees(sandboxes["securex"], "C001")
    person = next(p for p in truth if p["contracts"][-1]["end_date"] is None)
    # Typed by hand, in capitals: matching ignores case.
    local_id = add_local_employee(app, email=person["email"].upper(), first_name="Old", last_name="Name")
    integration_id = activate("securex")
    run = finished_run(app, start_sync(app, integration_id))
    matched = employee(app, local_id)
    assert matched.provider_id == person["id"] and matched.integration_id == integration_id
    assert matched.first_name == person["first_name"]
    assert person["id"] not in reasons(app, run.id, Action.CREATE)
    # Once matched, an e-mail change at the provider does not break the link.
    with app.app_context():
        db.session.execute(update(Employee).where(Employee.id == local_id).values(email="changed.locally@demo.test"))
        db.session.commit()
    finished_run(app, start_sync(app, integration_id))
    assert len([e for e in employees_of(app, integration_id) if e.provider_id == person["id"]]) == 1


def test_local_users_the_first_sync_cannot_match_are_listed_as_external(sync_setup, activate, worker, client, auth):
    app = sync_setup
    local_id = add_local_employee(app, email="freelancer@demo.test", first_name="Fien", last_name="Freelance")
    finished_run(app, start_sync(app, activate("securex")))
    assert employee(app, local_id).external is True
    # Her timeline and the audit log say why she is external now, and who decided it.
    auth.login("hr@demo.test")
    said = "marked as an external user: the provider does not list them — by the first sync"
    assert said in client.get(f"/employees/{local_id}").get_data(as_text=True)
    log = client.get("/audit?kind=employees").get_data(as_text=True)
    assert "Fien Freelance" in log and "the first sync" in log


def test_a_different_email_for_an_existing_person_is_flagged_as_probable_duplicate(sync_setup, sandboxes, activate, worker):
    app = sync_setup
    truth = true_employees(sandboxes["securex"], "C001")
    person = next(p for p in truth if p["contracts"][-1]["end_date"] is None)
    local_id = add_local_employee(
        app,
        email="private.address@demo.test",
        first_name=person["first_name"],
        last_name=person["last_name"],
        start_date=date.fromisoformat(person["start_date"]),
    )
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    twin = by_provider_id(app, integration_id, person["id"])
    assert twin.probable_duplicate_of_id == local_id


def test_removed_at_the_provider_is_deactivated_never_deleted(sync_setup, sandboxes, activate, worker):
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    removal = next(c for c in advance(sandboxes["securex"])["applied"] if c["kind"] == "removal" and c["company_id"] == "C001")
    run = finished_run(app, start_sync(app, integration_id))
    gone = by_provider_id(app, integration_id, removal["employee_id"])
    assert (gone.active, gone.access_revoked, gone.budget_frozen) == (False, True, True)
    assert reasons(app, run.id, Action.DEACTIVATE)[removal["employee_id"]] == Reason.REMOVED_AT_PROVIDER


def test_ending_employment_only_locally_is_undone_by_the_next_sync(sync_setup, activate, worker):
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    ended = employees_of(app, integration_id)[0]
    with app.app_context():
        db.session.execute(update(Employee).where(Employee.id == ended.id).values(active=False))
        db.session.commit()
    finished_run(app, start_sync(app, integration_id))
    assert employee(app, ended.id).active is True


def test_generic_hr_email_changes_are_not_applied_but_raised_and_phone_changes_force_reverification(
    sync_setup, sandboxes, sandbox_demo_company, activate, worker, client, auth
):
    app = sync_setup
    integration_id = activate("hris", credentials={"api_token": sandbox_demo_company["api_key"]})
    first = finished_run(app, start_sync(app, integration_id))
    assert first.status in (RunState.SUCCESS, RunState.PARTIAL), first.error_detail
    changes = {c["kind"]: c for c in advance(sandboxes["hris"])["applied"] if c["company_id"] == "C001"}
    email_change, phone_change = changes["email_change"], changes["phone_change"]
    with app.app_context():
        db.session.execute(update(Employee).values(phone_verified=True))
        db.session.commit()
    finished_run(app, start_sync(app, integration_id))

    kept = by_provider_id(app, integration_id, email_change["employee_id"])
    assert kept.email != email_change["email"]
    with app.app_context():
        discrepancy = db.session.execute(select(Discrepancy).where(Discrepancy.employee_id == kept.id)).scalar_one()
    assert (discrepancy.field, discrepancy.provider_value) == ("email", email_change["email"])

    rephoned = by_provider_id(app, integration_id, phone_change["employee_id"])
    assert rephoned.phone == phone_change["phone"] and rephoned.phone_verified is False
    # Their page says where the new number came from, not the hint every unverified number gets.
    auth.login()
    page = client.get(f"/employees/{rephoned.id}").get_data(as_text=True)
    assert "Changed by Generic HR system on " in page and ": to verify again." in page
    assert "The employee is asked to verify this number" not in page


def test_generic_hr_exclusions_are_not_imported(sync_setup, sandboxes, sandbox_demo_company, activate, worker):
    app = sync_setup
    integration_id = activate("hris", credentials={"api_token": sandbox_demo_company["api_key"]})
    run = finished_run(app, start_sync(app, integration_id))
    excluded = {p["id"] for p in true_employees(sandboxes["hris"], "C001") if p.get("excluded")}
    assert excluded
    imported = {e.provider_id for e in employees_of(app, integration_id)}
    assert not excluded & imported
    skipped = reasons(app, run.id, Action.SKIP)
    assert {pid for pid, reason in skipped.items() if reason == Reason.EXCLUDED} == {pid for pid in excluded if pid in skipped}


def test_connexie_imports_only_team_members_with_an_active_contract(sync_setup, sandbox_demo_company, activate, worker):
    app = sync_setup
    integration_id = activate(
        "connexie",
        credentials={"api_token": sandbox_demo_company["api_token"]},
        settings=every_venue_mapped(app, sandbox_demo_company),
    )
    run = finished_run(app, start_sync(app, integration_id))
    skipped = reasons(app, run.id, Action.SKIP)
    assert skipped and set(skipped.values()) == {Reason.NO_ACTIVE_CONTRACT}
    assert not set(skipped) & {e.provider_id for e in employees_of(app, integration_id)}


def test_hourly_wages_of_white_collar_staff_are_converted_to_monthly_with_the_rule(app, redis_url, tmp_path, activate):
    dataset = example_dataset()
    person = dataset["companies"][0]["employees"][1]
    person["contracts"][0].update(
        wage_type="hourly", worker_class="white_collar", gross_amount="20.00", weekly_hours="38", work_regime_pct="100"
    )
    with own_sandboxes(app, redis_url, tmp_path, dataset):
        integration_id = activate("securex")
        finished_run(app, start_sync(app, integration_id))
        converted = by_provider_id(app, integration_id, person["id"])
        with app.app_context():
            contract = db.session.execute(select(Employee).where(Employee.id == converted.id)).scalar_one().wage_contract
            # 20.00 × 38 h × 52 weeks ÷ 12 months = 3293.33
            assert contract.gross_salary == Decimal("3293.33")
            assert contract.salary_period is WageType.MONTHLY
            assert contract.converted_with_weekly_hours == Decimal("38")
            blue = db.session.execute(select(Employee).where(Employee.provider_id == "C001-000004")).scalar_one().wage_contract
            assert blue.salary_period is WageType.HOURLY and blue.gross_salary == blue.provider_gross_amount


def test_liantis_sets_the_language_only_on_the_first_sync_and_never_over_the_employees_choice(
    sync_setup, activate, worker, myliantis, sandbox_demo_company
):
    import time

    app = sync_setup
    token = myliantis.consent_as_main_user()
    integration_id = activate(
        "liantis",
        credentials={
            "access_token": token["access_token"],
            "refresh_token": token["refresh_token"],
            "expires_at": time.time() + token["expires_in"],
        },
    )
    first = finished_run(app, start_sync(app, integration_id))
    assert first.status is RunState.SUCCESS, first.error_detail
    someone = employees_of(app, integration_id)[0]
    assert someone.language in ("nl", "fr", "en", "de")
    chosen = "en" if someone.language != "en" else "fr"
    with app.app_context():
        db.session.execute(
            update(Employee).where(Employee.id == someone.id).values(language=chosen, language_changed_by_employee=True)
        )
        db.session.commit()
    finished_run(app, start_sync(app, integration_id))
    assert employee(app, someone.id).language == chosen


def test_selective_mode_imports_only_the_chosen_and_offers_newcomers_again(sync_setup, sandboxes, activate, worker):
    app = sync_setup
    integration_id = activate("securex", mode=SyncMode.SELECTIVE)
    first = finished_run(app, start_sync(app, integration_id))
    assert first.created == 0 and first.new_to_review > 20
    with app.app_context(), tenancy.acting_for(demo_tenant_id(app)):
        integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
        entries = (
            db.session.execute(
                select(SelectionEntry).where(SelectionEntry.integration_id == integration_id).order_by(SelectionEntry.id)
            )
            .scalars()
            .all()
        )
        chosen = [e.id for e in entries[:3]]
        selection.save_choice(integration, [e.id for e in entries], chosen)
        db.session.commit()
        assert selection.to_review_count(integration) == 0
    second = finished_run(app, start_sync(app, integration_id))
    assert second.created == 3
    assert len(employees_of(app, integration_id)) == 3
    changes = advance(sandboxes["securex"])["applied"]
    hire = next(c["employee"]["id"] for c in changes if c["kind"] == "new_hire" and c["company_id"] == "C001")
    moved = next(c["new_employee_id"] for c in changes if c["kind"] == "entity_move" and c["company_id"] == "C001")
    third = finished_run(app, start_sync(app, integration_id))
    # The new hire, and the person who moved entity (a new ID at the provider), are offered.
    assert third.new_to_review == 2
    with app.app_context(), tenancy.acting_for(demo_tenant_id(app)):
        integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
        offered = (
            db.session.execute(select(SelectionEntry.provider_id).where(SelectionEntry.reviewed_at.is_(None))).scalars().all()
        )
        assert set(offered) == {hire, moved}
        assert selection.to_review_count(integration) == 2


def test_an_admin_edit_in_flexsync_is_looked_at_by_the_next_sync_though_the_record_did_not_change(sync_setup, activate, worker):
    """A resync counts records it last synced, unchanged, without planning them; an edit
    of a synced field in Flexsync (here: ending the employment) must still be undone."""
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    ended = employees_of(app, integration_id)[0]
    with app.app_context(), tenancy.acting_for(demo_tenant_id(app)):
        admin = db.session.execute(select(User).where(User.email == "hr@demo.test")).scalar_one()
        decisions.end_employment(db.session.get(Employee, ended.id), date.today(), admin)
        db.session.commit()
    run = finished_run(app, start_sync(app, integration_id))
    assert employee(app, ended.id).active is True
    assert run.updated == 1


def test_a_namesake_written_in_capitals_is_still_a_probable_duplicate(sync_setup, sandboxes, activate, worker):
    app = sync_setup
    truth = true_employees(sandboxes["securex"], "C001")
    person = next(p for p in truth if p["contracts"][-1]["end_date"] is None)
    local_id = add_local_employee(
        app,
        email="private.address@demo.test",
        first_name=person["first_name"].upper(),
        last_name=person["last_name"].upper(),
        start_date=date.fromisoformat(person["start_date"]),
    )
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    assert by_provider_id(app, integration_id, person["id"]).probable_duplicate_of_id == local_id


def test_an_id_listed_again_on_a_later_page_fails_on_a_resync_too(app, redis_url, tmp_path, activate):
    """The resync counts the first listing unchanged without planning it; the second,
    a page later, must still fail as a duplicate rather than pass as unchanged too."""
    dataset = example_dataset()
    people = dataset["companies"][0]["employees"]
    people += copies_of(people[0], count=30 - len(people))
    twice = next(p for p in people if p["contracts"][-1]["end_date"] is None and not p["excluded"])
    # Pages of 25 (the test worker's page size): the copy is on the second page.
    people.append(copy.deepcopy(twice))
    with own_sandboxes(app, redis_url, tmp_path, dataset):
        integration_id = activate("securex")
        first = finished_run(app, start_sync(app, integration_id))
        resync = finished_run(app, start_sync(app, integration_id))
    for run in (first, resync):
        assert run.status is RunState.PARTIAL
        assert reasons(app, run.id, Action.FAIL) == {twice["id"]: Reason.DUPLICATE_ID}
    assert resync.unchanged == first.created


def test_a_first_sync_finds_on_a_later_page_the_namesake_and_the_e_mail_it_wrote_on_an_earlier_one(
    app, redis_url, tmp_path, activate
):
    """A first sync keeps the people it wrote in memory while they are all the company has
    (`employee_store.CreatedByThisRun`): what a later page finds there is what the
    database would have given."""
    dataset = example_dataset()
    people = dataset["companies"][0]["employees"]
    template = people[0]
    people += copies_of(template, count=30 - len(people))
    first = next(p for p in people[:25] if p["contracts"][-1]["end_date"] is None and not p["excluded"])
    # Pages of 25 (the test worker's page size): both come on the second page.
    namesake = copy.deepcopy(first)
    namesake.update(id="C001-800001", employee_number="800001", email="second.address@flexsync-demo.be")
    same_address = copy.deepcopy(template)
    same_address.update(id="C001-800002", employee_number="800002", first_name="Other", email=first["email"].upper())
    people += [with_own_contract_ids(namesake), with_own_contract_ids(same_address)]
    with own_sandboxes(app, redis_url, tmp_path, dataset):
        integration_id = activate("securex")
        run = finished_run(app, start_sync(app, integration_id))
    assert run.status is RunState.PARTIAL
    assert (
        by_provider_id(app, integration_id, namesake["id"]).probable_duplicate_of_id
        == by_provider_id(app, integration_id, first["id"]).id
    )
    assert reasons(app, run.id, Action.FAIL) == {same_address["id"]: Reason.EMAIL_IN_USE}
