"""Matrices generated from `app.url_map`: tenant isolation, CSRF, and GETs that change nothing.
A route added tomorrow is called by these tests without anyone listing it."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from helpers.pages import csrf_token_from
from helpers.route_matrix import (
    BODY_IDS,
    MAY_ANSWER_UNAVAILABLE,
    NOT_TENANT_IDS,
    STATE_CHANGING,
    Call,
    calls,
    fill,
    id_arguments,
    rules,
    snapshot,
    without_audited_read,
)
from portal.extensions import db
from portal.models import Discrepancy, Entity, HoursExport, Integration, Notification, SyncRun, Tenant, User, WorkedShift

# Demo NV's data that must never show in a response to someone else.
DEMO_SECRETS = ("Janssens", "an.janssens@demo.test", "Demo NV", "BE0123456749", "Secret salary data", "Wouters")
EXTRA = {"provider": "securex", "decision": "accept", "filename": "app.css", "token": "no-such-invitation"}


@pytest.fixture
def demo_ids(app, staff) -> dict[str, int]:
    """One id of Demo NV for every kind of id a route can take."""
    with app.app_context():
        demo = db.session.execute(select(Tenant).where(Tenant.name == "Demo NV")).scalar_one()
        notification = Notification(tenant_id=demo.id, title="Sync finished", body="Secret salary data")
        integration_id = db.session.execute(select(Integration.id).where(Integration.tenant_id == demo.id)).scalars().first()
        export = HoursExport(
            tenant_id=demo.id,
            integration_id=integration_id,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            export_key="flexsync-demo-2026-10",
        )
        shift = WorkedShift(
            tenant_id=demo.id, employee_id=staff["An"], day=date(2026, 10, 5), starts_at=time(9), ends_at=time(17), approved=True
        )
        db.session.add_all([notification, export, shift])
        db.session.commit()
        return {
            "user_id": db.session.execute(select(User.id).where(User.email == "hr@demo.test")).scalar_one(),
            "employee_id": staff["An"],
            "discrepancy_id": db.session.execute(select(Discrepancy.id)).scalar_one(),
            "notification_id": notification.id,
            "run_id": db.session.execute(select(SyncRun.id).where(SyncRun.tenant_id == demo.id)).scalars().first(),
            "tenant_id": demo.id,
            "shift_id": shift.id,
            "export_id": export.id,
            "entity_id": db.session.execute(select(Entity.id).where(Entity.tenant_id == demo.id)).scalars().first(),
        }


def log_in(client, email: str) -> str:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": "demo", "csrf_token": token})
    return csrf_token_from(client.get("/notifications").get_data(as_text=True))


def send(client, call: Call, data: dict | None = None, headers: dict | None = None):
    return client.open(call.path, method=call.method, data=data or {}, headers=headers or {})


def test_every_id_argument_of_every_route_is_known(app, demo_ids):
    """Defends against a new route whose ids nobody checks: it fails here with its name."""
    for rule in rules(app):
        fill(rule, demo_ids, EXTRA)
        assert id_arguments(rule) <= set(demo_ids), rule.rule


def test_another_tenants_admin_gets_404_for_every_route_with_our_ids(app, client, demo_ids):
    """Defends against one tenant reading or changing another's rows by changing an id in a URL
    (IDOR); every route taking an id, every method, is called by Other BV's admin."""
    token = log_in(client, "hr@other.test")
    with app.app_context():
        before = snapshot()
    tried = []
    for call in calls(app, {"GET", "POST"}, demo_ids, EXTRA):
        if not call.takes_ids:
            continue
        response = send(client, call, {"csrf_token": token, "amount": "1", "year": "2030", "email": "x@x.test"})
        body = response.get_data(as_text=True)
        assert response.status_code in (403, 404), f"{call}: {response.status_code}"
        assert not [s for s in DEMO_SECRETS if s in body], call
        tried.append(call.endpoint)
    with app.app_context():
        assert snapshot() == before
    assert {"employees.show", "syncs.run", "notifications.mark_read", "cs.tenant", "colleagues.remove"} <= set(tried)
    assert {"cs_accounts.access", "cs_accounts.resend", "accounts.set_password"} <= set(tried)


def test_ids_in_a_form_body_are_checked_too(app, client, demo_ids):
    """Defends against bulk actions taking another tenant's employee ids from the form."""
    token = log_in(client, "hr@other.test")
    with app.app_context():
        before = snapshot()
    for endpoint, field in BODY_IDS.items():
        path = next(r.rule for r in rules(app) if r.endpoint == endpoint)
        for action in ("invite", "budget"):
            response = client.post(
                path,
                data={
                    "csrf_token": token,
                    field: demo_ids[field],
                    "action": action,
                    "amount": "100",
                    "year": "2030",
                    "currency": "EUR",
                },
            )
            assert response.status_code in (400, 403, 404), (endpoint, action, response.status_code)
            assert not [s for s in DEMO_SECRETS if s in response.get_data(as_text=True)]
    with app.app_context():
        assert snapshot() == before


def test_customer_success_routes_are_404_for_an_hr_admin(app, client, demo_ids):
    """Defends against an HR admin reaching the cross-tenant console (privilege escalation),
    onboarding included: creating companies, inviting or revoking anyone's admins, deactivating."""
    token = log_in(client, "hr@demo.test")
    cs_calls = [
        c
        for c in calls(app, {"GET", "POST"}, demo_ids, EXTRA)
        if c.endpoint.startswith(("cs.", "cs_accounts.", "support.")) or c.path.startswith("/cs/")
    ]
    assert {c.endpoint for c in cs_calls} >= {"cs_accounts.new_company", "cs_accounts.invite", "cs_accounts.deactivate"}
    assert "audit.company_log" in {c.endpoint for c in cs_calls}
    with app.app_context():
        before = snapshot()
    for call in cs_calls:
        response = send(client, call, {"csrf_token": token, "available": "y", "name": "X", "email": "x@x.test"})
        assert response.status_code in (403, 404), call
        assert "Other BV" not in response.get_data(as_text=True)
    with app.app_context():
        assert snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_every_state_changing_request_without_a_csrf_token_is_refused(app, client, demo_ids, htmx):
    """Defends against cross-site request forgery, for plain forms and for htmx requests alike."""
    log_in(client, "hr@demo.test")
    with app.app_context():
        before = snapshot()
    posts = list(calls(app, STATE_CHANGING, demo_ids, EXTRA))
    assert len(posts) > 20
    for call in posts:
        response = send(client, call, {"amount": "1", "language": "fr"}, {"HX-Request": "true"} if htmx else {})
        assert response.status_code == 400, call
        assert "This form has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert snapshot() == before


@pytest.mark.parametrize("email", ["hr@demo.test", "cs@flexsync.test"])
def test_no_get_route_changes_the_database(app, client, demo_ids, email):
    """Defends against state changes on GET, which CSRF protection does not cover."""
    log_in(client, email)
    for provider in ("securex", "liantis", "connexie", "hris"):
        for call in calls(app, {"GET"}, demo_ids, {**EXTRA, "provider": provider}):
            with app.app_context():
                before = snapshot()
            response = send(client, call, headers={"HX-Request": "true"} if call.endpoint.endswith("progress") else None)
            assert response.status_code < 500 or (call.endpoint in MAY_ANSWER_UNAVAILABLE and response.status_code == 503), call
            with app.app_context():
                assert without_audited_read(before, snapshot(), call.endpoint) == before, call


def test_not_tenant_ids_say_why():
    """Defends against an argument waved through without a reason."""
    assert all(len(reason) > 10 for reason in NOT_TENANT_IDS.values())


def test_a_route_the_matrix_cannot_fill_fails_by_name():
    """Defends against a new route slipping past the matrix: it fails, naming the route."""
    from werkzeug.routing import Map, Rule

    from helpers.route_matrix import UnfilledRoute

    rule = Rule("/widgets/<int:widget_id>", endpoint="widgets.show")
    Map([rule])
    with pytest.raises(UnfilledRoute, match=r"/widgets/<int:widget_id> \(widgets.show\) takes <widget_id>"):
        fill(rule, {"employee_id": 1}, EXTRA)
