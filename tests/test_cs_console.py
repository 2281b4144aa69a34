"""Customer success makes an integration available per company, and the trail shows who did."""

from sqlalchemy import select

from helpers.pages import csrf_token_from
from portal import tenancy
from portal.extensions import db
from portal.models import AuditAction, AuditEntry, Integration, Tenant


def tenant_id(app, name: str) -> int:
    with app.app_context():
        return db.session.execute(select(Tenant.id).where(Tenant.name == name)).scalar_one()


def switch(client, tenant: int, provider: str, available: bool, **headers):
    token = csrf_token_from(client.get(f"/cs/tenants/{tenant}").get_data(as_text=True))
    return client.post(
        f"/cs/tenants/{tenant}/providers/{provider}/availability",
        data={"available": "1" if available else "0", "csrf_token": token},
        headers=headers,
    )


def test_cs_searches_tenants_and_the_search_box_gets_only_rows(client, auth):
    auth.login("cs@flexsync.test")
    page = client.get("/cs/tenants").get_data(as_text=True)
    assert "Demo NV" in page and "Other BV" in page
    rows = client.get("/cs/tenants?q=other", headers={"HX-Request": "true", "HX-Trigger": "search"})
    body = rows.get_data(as_text=True)
    assert "Other BV" in body and "Demo NV" not in body
    assert "<html" not in body
    assert "No company matches" in client.get("/cs/tenants?q=zzz").get_data(as_text=True)


def test_cs_makes_securex_available_and_the_switch_is_audited(app, client, auth):
    auth.login("cs@flexsync.test")
    demo = tenant_id(app, "Demo NV")
    response = switch(client, demo, "securex", True, **{"HX-Request": "true"})
    assert response.status_code == 200
    assert "made Securex available" in response.get_data(as_text=True)
    with app.app_context(), tenancy.acting_for(demo):
        integration = db.session.execute(select(Integration)).scalar_one()
        assert integration.available
        change = db.session.execute(select(AuditEntry)).scalar_one()
        made_available = (AuditAction.INTEGRATION_MADE_AVAILABLE, "cs@flexsync.test", "securex")
        assert (change.action, change.actor, change.subject) == made_available


def test_the_hr_admin_sees_the_card_change_from_not_available_to_available(app, client, auth, other_client):
    from helpers.logins import AuthActions

    AuthActions(other_client).login("cs@flexsync.test")
    auth.login("hr@demo.test")
    assert "Contact them to use Securex".lower() in client.get("/integrations").get_data(as_text=True).lower()
    switch(other_client, tenant_id(app, "Demo NV"), "securex", True)
    card = client.get("/integrations/securex/card", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Connects with: Your company VAT number" in card
    assert "<html" not in card


def test_an_hr_admin_cannot_open_the_console_nor_switch_their_own_integrations(app, client, auth):
    auth.login("hr@demo.test")
    assert client.get("/cs/tenants").status_code == 404
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(
        f"/cs/tenants/{tenant_id(app, 'Demo NV')}/providers/securex/availability",
        data={"available": "1", "csrf_token": token},
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.execute(select(Integration)).first() is None


def test_an_unknown_provider_is_a_404(app, client, auth):
    auth.login("cs@flexsync.test")
    assert switch(client, tenant_id(app, "Demo NV"), "payroll-x", True).status_code == 404
