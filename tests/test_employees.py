"""The employees area over HTTP: what the admin finds, what is refused, and another
tenant's employees answering 404 on every route."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from helpers.pages import csrf_token_from
from portal.extensions import db
from portal.models import Budget, BudgetChange, Employee, EmployeeAccount, Invitation, WageContract


@pytest.fixture
def admin(client, auth, staff):
    auth.login("hr@demo.test")
    return client


def token(client) -> str:
    return csrf_token_from(client.get("/employees").get_data(as_text=True))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- The list ----------------------------------------------------------------------


def test_no_budget_assigned_finds_the_new_arrivals(admin):
    body = page(admin, "/employees?filter=no_budget")
    for name in ("Bram Maes", "Chloé Dubois", "Eva Extern", "Greet Wouters"):
        assert name in body
    for name in ("An Janssens", "Dirk Hendrickx", "Olga"):
        assert name not in body


@pytest.mark.parametrize(
    "chosen,shown,hidden",
    [
        ("not_invited", ["An Janssens", "Dirk Hendrickx"], ["Eva Extern"]),
        ("external", ["Eva Extern"], ["An Janssens"]),
        ("sync_problem", ["Chloé Dubois"], ["An Janssens", "Bram Maes"]),
        ("probable_duplicate", ["frank.peeters@demo.test"], ["frank@demo.test", "An Janssens"]),
        ("email_changes", ["Greet Wouters"], ["An Janssens"]),
    ],
)
def test_each_filter_shows_only_its_people(admin, chosen, shown, hidden):
    body = page(admin, f"/employees?filter={chosen}")
    assert all(name in body for name in shown)
    assert not any(name in body for name in hidden)


def test_an_empty_filter_says_so(admin):
    assert "Nobody is deactivated." in page(admin, "/employees?filter=deactivated")


def test_search_sort_and_the_htmx_fragment(admin):
    body = page(admin, "/employees?q=janss")
    assert "An Janssens" in body and "Bram Maes" not in body
    fragment = admin.get("/employees?sort=email&dir=desc", headers={"HX-Request": "true", "HX-Target": "employee-rows"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text
    assert text.index("greet@demo.test") < text.index("an.janssens@demo.test")


def test_the_list_shows_provider_status_and_budget(admin):
    body = page(admin, "/employees")
    assert "Securex" in body and "added by hand" in body
    assert "€1,200.00" in body
    assert "not invited" in body and "external" in body


def test_the_list_needs_two_queries_whatever_the_page_size(app, admin, staff):
    from sqlalchemy import event

    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page(admin, "/employees")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    employee_queries = [s for s in statements if "FROM employees" in s]
    # count, the page, the facts of its rows: never one per employee.
    assert len(employee_queries) <= 3


# --- Locked fields -------------------------------------------------------------------


def test_synced_fields_are_read_only_with_the_reason_and_a_link(admin, staff):
    body = page(admin, f"/employees/{staff['An']}")
    assert "Managed by Securex: change it there, the next sync brings it here." in body
    assert 'name="first_name"' not in body
    assert "/employees/SX-1" in body


def test_a_forged_post_to_a_locked_field_is_refused_with_the_reason(app, admin, staff):
    response = admin.post(
        f"/employees/{staff['An']}", data={"csrf_token": token(admin), "first_name": "Anneke", "language": "en"}
    )
    assert response.status_code == 400
    assert "Managed by Securex: change it there, the next sync brings it here." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Employee, staff["An"]).first_name == "An"


def test_people_added_by_hand_can_be_edited(app, admin, staff):
    data = {
        "csrf_token": token(admin),
        "first_name": "Dirk",
        "last_name": "Hendrickx-Peeters",
        "email": "Dirk.H@Demo.test",
        "language": "nl",
        "start_date": "2024-03-01",
    }
    response = admin.post(f"/employees/{staff['Dirk']}", data=data)
    assert response.status_code == 302
    with app.app_context():
        dirk = db.session.get(Employee, staff["Dirk"])
        assert (dirk.last_name, dirk.email, dirk.start_date) == ("Hendrickx-Peeters", "dirk.h@demo.test", date(2024, 3, 1))


def test_the_hourly_to_monthly_rule_is_shown(admin, staff):
    body = page(admin, f"/employees/{staff['Bram']}")
    assert "20.0000 per hour × 38 hours a week × 52 weeks ÷ 12 months = 3293.33 per month" in body


# --- Budgets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount,currency,year,message",
    [
        ("0", "EUR", None, "Enter an amount above 0."),
        ("-5", "EUR", None, "Enter an amount above 0."),
        ("12.345", "EUR", None, "at most 2 decimals"),
        ("1000000", "EUR", None, "A yearly budget is at most"),
        ("500", "USD", None, "Not a valid choice"),
        ("500", "EUR", 5, "Choose a year from"),
        ("abc", "EUR", None, "Not a valid decimal value"),
    ],
)
def test_budget_validation(app, admin, staff, amount, currency, year, message):
    chosen_year = date.today().year + (year or 0)
    response = admin.post(
        f"/employees/{staff['Bram']}/budget",
        data={"csrf_token": token(admin), "amount": amount, "currency": currency, "year": chosen_year},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Budget).where(Budget.employee_id == staff["Bram"])).first() is None


def test_a_budget_change_is_kept_with_who_and_old_to_new(app, admin, staff):
    response = admin.post(
        f"/employees/{staff['An']}/budget",
        data={"csrf_token": token(admin), "amount": "1350.50", "currency": "EUR", "year": date.today().year},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "€1,200.00 → €1,350.50" in body and "Hanne Peeters" in body
    with app.app_context():
        change = db.session.execute(select(BudgetChange).where(BudgetChange.employee_id == staff["An"])).scalar_one()
        assert (change.old_amount, change.new_amount) == (Decimal("1200.00"), Decimal("1350.50"))


def test_two_admins_giving_a_first_budget_at_the_same_moment_both_succeed(app, admin, staff, monkeypatch):
    """The other admin's budget is committed between this request's check and its insert."""
    from portal.employees import budgets

    year = date.today().year
    seen = budgets.budget_for

    def other_admin_commits_meanwhile(employee, wanted_year):
        found = seen(employee, wanted_year)
        if found is None and not getattr(other_admin_commits_meanwhile, "done", False):
            other_admin_commits_meanwhile.done = True
            with app.app_context():
                db.session.add(
                    Budget(
                        tenant_id=employee.tenant_id,
                        employee_id=employee.id,
                        year=wanted_year,
                        amount=Decimal("500.00"),
                        currency="EUR",
                    )
                )
                db.session.commit()
        return found

    monkeypatch.setattr(budgets, "budget_for", other_admin_commits_meanwhile)
    response = admin.post(
        f"/employees/{staff['Bram']}/budget",
        data={"csrf_token": token(admin), "amount": "750", "currency": "EUR", "year": year},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Budget saved." in response.get_data(as_text=True)
    with app.app_context():
        rows = db.session.execute(select(Budget.amount).where(Budget.employee_id == staff["Bram"], Budget.year == year)).all()
        assert rows == [(Decimal("750.00"),)]


def test_a_frozen_budget_cannot_be_changed_and_says_why(app, admin, staff):
    with app.app_context():
        db.session.get(Employee, staff["Dirk"]).budget_frozen = True
        db.session.commit()
    response = admin.post(
        f"/employees/{staff['Dirk']}/budget",
        data={"csrf_token": token(admin), "amount": "2000", "currency": "EUR", "year": date.today().year},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "frozen because the employee is deactivated" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Budget.amount).where(Budget.employee_id == staff["Dirk"])).scalar() == Decimal("900.00")


def test_bulk_budget_skips_frozen_budgets(app, admin, staff):
    with app.app_context():
        db.session.get(Employee, staff["Chloé"]).budget_frozen = True
        db.session.commit()
    response = admin.post(
        "/employees/bulk",
        data={
            "csrf_token": token(admin),
            "action": "budget",
            "amount": "800",
            "currency": "EUR",
            "year": date.today().year,
            "employee_id": [staff["Bram"], staff["Chloé"]],
        },
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert "Budget assigned to 1 employees." in body
    assert "their budget is frozen because they are deactivated: Chloé Dubois" in body


def test_bulk_budget_validation_errors_show_on_the_list(admin, staff):
    response = admin.post(
        "/employees/bulk",
        data={
            "csrf_token": token(admin),
            "action": "budget",
            "amount": "0",
            "currency": "EUR",
            "year": date.today().year,
            "employee_id": [staff["Bram"]],
        },
    )
    assert response.status_code == 400
    assert "Enter an amount above 0." in response.get_data(as_text=True)


# --- Invitations -------------------------------------------------------------------


def test_an_unreachable_mail_server_keeps_the_invitation_for_a_resend(app, admin, staff, unreachable_smtp):
    response = admin.post(f"/employees/{staff['Dirk']}/invitation", data={"csrf_token": token(admin)}, follow_redirects=True)
    assert "The mail server could not be reached" in response.get_data(as_text=True)
    with app.app_context():
        invitation = db.session.execute(select(Invitation).where(Invitation.employee_id == staff["Dirk"])).scalar_one()
        assert invitation.sent_at is None


def test_the_invitation_is_in_the_employees_language_and_a_resend_kills_the_old_link(app, admin, staff, smtp_server, client):
    for _ in range(2):
        admin.post(f"/employees/{staff['Bram']}/invitation", data={"csrf_token": token(admin)})
    first, second = smtp_server.to("bram.maes@demo.test")
    # Bram's language is French; the catalogue gets the mail's French text at merge.
    assert '<html lang="fr">' in first.get_body(("html",)).get_content()
    old_link, new_link = (link_in(m) for m in (first, second))
    assert admin.get(old_link).status_code == 404
    assert admin.get(new_link).status_code == 200


def test_a_link_works_once_and_expires(app, admin, staff, smtp_server):
    admin.post(f"/employees/{staff['Dirk']}/invitation", data={"csrf_token": token(admin)})
    link = link_in(smtp_server.to("dirk.hendrickx@demo.test")[0])
    form = {
        "csrf_token": csrf_token_from(admin.get(link).get_data(as_text=True)),
        "password": "correct horse battery",
        "confirm": "correct horse battery",
    }
    assert admin.post(link, data=form).status_code == 200
    assert admin.get(link).status_code == 404
    with app.app_context():
        assert db.session.execute(select(EmployeeAccount).where(EmployeeAccount.employee_id == staff["Dirk"])).scalar_one()
    assert "active" in page(admin, f"/employees/{staff['Dirk']}")

    admin.post(f"/employees/{staff['An']}/invitation", data={"csrf_token": token(admin)})
    expired = link_in(smtp_server.to("an.janssens@demo.test")[0])
    with app.app_context():
        invitation = db.session.execute(select(Invitation).where(Invitation.employee_id == staff["An"])).scalar_one()
        invitation.expires_at = datetime.utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert admin.get(expired).status_code == 404


def link_in(message) -> str:
    import re

    return re.search(r"http://\S+/invitations/\S+", message.get_body(("plain",)).get_content()).group(0)


# --- End of employment, external users, duplicates, e-mail changes -------------------


def test_ending_employment_while_the_provider_has_an_active_contract_warns(app, admin, staff):
    body = page(admin, f"/employees/{staff['An']}/end")
    assert "still has an active contract at Securex: the next sync will activate them again" in body
    response = admin.post(
        f"/employees/{staff['An']}/end", data={"csrf_token": token(admin), "last_day": "2026-01-31"}, follow_redirects=True
    )
    assert "End the employment at Securex too." in response.get_data(as_text=True)
    with app.app_context():
        an = db.session.get(Employee, staff["An"])
        assert (an.active, an.access_revoked, an.budget_frozen, an.employment_ended_on) == (False, True, True, date(2026, 1, 31))


def test_ending_a_hand_added_employment_has_no_warning(admin, staff):
    assert "next sync" not in page(admin, f"/employees/{staff['Dirk']}/end")


def test_removing_an_external_user_without_history_deletes_them(app, admin, staff):
    admin.post(f"/employees/{staff['Eva']}/remove", data={"csrf_token": token(admin)})
    with app.app_context():
        assert db.session.get(Employee, staff["Eva"]) is None


def test_an_external_user_with_history_is_deactivated_not_deleted(app, admin, staff):
    with app.app_context():
        db.session.add(
            Budget(
                tenant_id=db.session.get(Employee, staff["Eva"]).tenant_id,
                employee_id=staff["Eva"],
                year=date.today().year,
                amount=Decimal("100"),
            )
        )
        db.session.commit()
    admin.post(f"/employees/{staff['Eva']}/remove", data={"csrf_token": token(admin)})
    with app.app_context():
        assert db.session.get(Employee, staff["Eva"]).active is False


def test_merging_a_duplicate_moves_the_provider_id_to_the_existing_person(app, admin, staff):
    admin.post(f"/employees/{staff['Frank (duplicate)']}/merge", data={"csrf_token": token(admin)})
    with app.app_context():
        frank = db.session.get(Employee, staff["Frank"])
        assert (frank.provider_id, frank.email, frank.integration_id is not None) == ("SX-6", "frank@demo.test", True)
        assert db.session.execute(select(WageContract.provider_id).where(WageContract.employee_id == frank.id)).scalar() == "C-6"
        assert db.session.execute(select(Budget.amount).where(Budget.employee_id == frank.id)).scalar() == Decimal("1500.00")
        assert db.session.get(Employee, staff["Frank (duplicate)"]) is None


def test_an_email_change_is_applied_or_dismissed_by_the_admin(app, admin, staff):
    with app.app_context():
        from portal.models import Discrepancy

        discrepancy_id = db.session.execute(select(Discrepancy.id)).scalar_one()
    body = page(admin, f"/employees/{staff['Greet']}")
    assert "greet.wouters@demo.test" in body
    admin.post(f"/employees/{staff['Greet']}/discrepancies/{discrepancy_id}/accept", data={"csrf_token": token(admin)})
    with app.app_context():
        assert db.session.get(Employee, staff["Greet"]).email == "greet.wouters@demo.test"
    assert "Greet" not in page(admin, "/employees?filter=email_changes")


# --- Another tenant's employees -----------------------------------------------------

ROUTES = [
    ("GET", "/employees/{id}"),
    ("POST", "/employees/{id}"),
    ("POST", "/employees/{id}/budget"),
    ("POST", "/employees/{id}/invitation"),
    ("POST", "/employees/{id}/phone-verification"),
    ("GET", "/employees/{id}/end"),
    ("POST", "/employees/{id}/end"),
    ("POST", "/employees/{id}/keep"),
    ("GET", "/employees/{id}/remove"),
    ("POST", "/employees/{id}/remove"),
    ("GET", "/employees/{id}/merge"),
    ("POST", "/employees/{id}/merge"),
    ("POST", "/employees/{id}/discrepancies/1/accept"),
]


@pytest.mark.parametrize("method,path", ROUTES)
def test_another_tenants_employee_is_a_404(app, client, auth, staff, method, path):
    auth.login("hr@other.test")
    for person in ("An", "Eva", "Frank (duplicate)", "Greet"):
        response = client.open(
            path.format(id=staff[person]),
            method=method,
            data={
                "csrf_token": token(client),
                "amount": "5",
                "currency": "EUR",
                "year": date.today().year,
                "last_day": "2026-01-01",
                "first_name": "X",
            },
        )
        assert response.status_code == 404, (person, path)
        assert "Janssens" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Employee, staff["An"]).active is True


@pytest.mark.parametrize("action", ["budget", "invite"])
def test_bulk_actions_with_another_tenants_employee_are_a_404(client, auth, staff, action):
    auth.login("hr@other.test")
    response = client.post(
        "/employees/bulk",
        data={
            "csrf_token": token(client),
            "action": action,
            "amount": "5",
            "currency": "EUR",
            "year": date.today().year,
            "employee_id": [staff["Olga"], staff["Bram"]],
        },
    )
    assert response.status_code == 404


def test_another_tenants_discrepancy_is_a_404_on_my_own_employee(app, client, auth, staff):
    with app.app_context():
        from portal.models import Discrepancy

        discrepancy_id = db.session.execute(select(Discrepancy.id)).scalar_one()
    auth.login("hr@other.test")
    response = client.post(
        f"/employees/{staff['Olga']}/discrepancies/{discrepancy_id}/dismiss", data={"csrf_token": token(client)}
    )
    assert response.status_code == 404


def test_the_other_tenants_list_shows_only_their_people(client, auth, staff):
    auth.login("hr@other.test")
    body = client.get("/employees").get_data(as_text=True)
    assert "Olga Other" in body and "Janssens" not in body


def test_two_entities_of_the_same_name_are_told_apart_by_where_they_come_from(app, admin):
    """The sync names a provider's entity as the provider does, which may be the name of one of
    yours: the choices say whose is whose instead of showing the same name twice."""
    import re

    from portal import tenancy
    from portal.models import Entity, Integration, SyncRunEmployee, Tenant
    from portal.providers.base import Provider
    from portal.runs.history import entity_names

    with app.test_request_context():
        demo = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
        with tenancy.acting_for(demo):
            securex = db.session.execute(select(Integration.id).where(Integration.provider == Provider.SECUREX)).scalar_one()
            ours = db.session.execute(select(Entity).where(Entity.integration_id.is_(None))).scalars().first()
            theirs = Entity(name=ours.name, integration_id=securex, provider_ref="E-GENT")
            db.session.add(theirs)
            by_hand = db.session.execute(select(Employee.id).where(Employee.integration_id.is_(None))).scalars().first()
            db.session.commit()
            name = ours.name
            # A sync that moves someone from one to the other says so on the run page and the timeline.
            move = SyncRunEmployee(changes=[{"field": "entity_id", "old": ours.id, "new": theirs.id}])
            assert entity_names([move]) == {str(ours.id): f"{name} (added by you)", str(theirs.id): f"{name} (Securex)"}
    body = page(admin, f"/employees/{by_hand}")
    options = re.findall(r"<option[^>]*>([^<]*)</option>", body[body.index('name="entity_id"') :])
    assert f"{name} (added by you)" in options and f"{name} (Securex)" in options
    assert len(set(options)) == len(options)
