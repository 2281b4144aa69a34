"""Customer success onboards a company: creates it with a checked VAT number, invites its
first HR admins (e-mail in the company's language, saying who invited them), resends and
revokes invitations, and deactivates the company without losing its data."""

from __future__ import annotations

from sqlalchemy import func, select

from helpers.accounts import PASSWORD, add_login, audit_actions, link_in_mail, log_in, path_of, post_form, user_named
from portal.accounts import admins
from portal.extensions import db
from portal.models import Employee, Tenant


def company_id(app, name: str) -> int:
    with app.app_context():
        return db.session.execute(select(Tenant.id).where(Tenant.name == name)).scalar_one()


def create_company(client, name="Nieuw BV", vat="BE 0400.000.086", language="fr"):
    return post_form(client, "/cs/companies/new", {"name": name, "vat_number": vat, "default_language": language})


def invite(client, tenant_id: int, email: str, name: str = ""):
    return post_form(client, f"/cs/tenants/{tenant_id}/admins", {"email": email, "name": name}, f"/cs/tenants/{tenant_id}/access")


def test_cs_creates_a_company_with_a_checked_vat_number(app, client, auth):
    auth.login("cs@flexsync.test")
    for vat, message in (
        ("BE12345", "has 10 digits after BE"),
        ("BE0123456789", "check digits do not match"),
        ("BE0123456749", "Demo NV already has this VAT number"),
    ):
        refused = create_company(client, vat=vat)
        assert refused.status_code == 200 and message in refused.get_data(as_text=True)
    created = create_company(client)
    tenant_id = company_id(app, "Nieuw BV")
    assert created.headers["Location"] == f"/cs/tenants/{tenant_id}/access"
    with app.app_context():
        tenant = db.session.get(Tenant, tenant_id)
        assert (tenant.vat_number, tenant.default_language) == ("BE0400000086", "fr")
        assert audit_actions() == ["company.created"]
    page = client.get(f"/cs/tenants/{tenant_id}/access").get_data(as_text=True)
    assert "No HR admin yet" in page and "created the company" in page


def test_the_first_admin_is_invited_in_the_companys_language_by_name(app, client, auth, smtp_server, other_client):
    auth.login("cs@flexsync.test")
    create_company(client, language="fr")
    tenant_id = company_id(app, "Nieuw BV")
    response = invite(client, tenant_id, "Marie@Nieuw.example", "Marie Dupont")
    assert response.status_code == 302
    (message,) = smtp_server.to("marie@nieuw.example")
    assert "Charlotte Claes" in message["Subject"] and "Nieuw BV" in message["Subject"]
    assert 'lang="fr"' in message.get_body(("html",)).get_content()
    page = client.get(f"/cs/tenants/{tenant_id}/access").get_data(as_text=True)
    assert "Marie Dupont" in page and "invited" in page and "by Charlotte Claes" in page

    link = path_of(link_in_mail(message))
    post_form(other_client, link, {"password": PASSWORD, "confirm": PASSWORD})
    assert log_in(other_client, "marie@nieuw.example").headers["Location"] == "/"
    assert "Nieuw BV" in other_client.get("/").get_data(as_text=True)
    assert "has access" in client.get(f"/cs/tenants/{tenant_id}/access").get_data(as_text=True)
    with app.app_context():
        assert audit_actions() == ["company.created", "admin.invited", "password.set"]


def test_resend_replaces_the_link_and_revoke_withdraws_it(app, client, auth, smtp_server):
    auth.login("cs@flexsync.test")
    tenant_id = company_id(app, "Demo NV")
    invite(client, tenant_id, "late@demo.test")
    with app.app_context():
        user_id = user_named("late@demo.test").id
    access = f"/cs/tenants/{tenant_id}/access"
    post_form(client, f"/cs/tenants/{tenant_id}/admins/{user_id}/resend", {}, access)
    first, second = (path_of(link_in_mail(m)) for m in smtp_server.to("late@demo.test"))
    invitee = app.test_client()
    assert invitee.get(first).status_code == 404 and invitee.get(second).status_code == 200
    post_form(client, f"/cs/tenants/{tenant_id}/admins/{user_id}/revoke", {}, access)
    assert invitee.get(second).status_code == 404
    assert f'id="admin-{user_id}"' not in client.get(access).get_data(as_text=True)
    # Revoked, then invited again: a fresh invitation for the same address.
    invite(client, tenant_id, "late@demo.test")
    assert invitee.get(path_of(link_in_mail(smtp_server.to("late@demo.test")[-1]))).status_code == 200
    with app.app_context():
        assert audit_actions() == ["admin.invited", "invitation.resent", "invitation.revoked", "admin.invited"]


def test_an_invitation_is_kept_when_the_mail_server_is_down(app, client, auth, unreachable_smtp):
    auth.login("cs@flexsync.test")
    tenant_id = company_id(app, "Demo NV")
    response = invite(client, tenant_id, "late@demo.test")
    assert response.status_code == 302
    page = client.get(f"/cs/tenants/{tenant_id}/access").get_data(as_text=True)
    assert "could not be sent" in page and "late@demo.test" in page


def test_an_address_with_a_login_elsewhere_is_refused(app, client, auth, smtp_server):
    auth.login("cs@flexsync.test")
    refused = invite(client, company_id(app, "Demo NV"), "hr@other.test")
    assert refused.status_code == 422 and "already has a Flexsync login" in refused.get_data(as_text=True)
    assert "already an admin" in invite(client, company_id(app, "Demo NV"), "hr@demo.test").get_data(as_text=True)
    assert smtp_server.messages == []


def test_a_deactivated_company_cannot_log_in_and_keeps_its_data(app, client, auth, other_client, staff):
    from helpers.logins import AuthActions

    AuthActions(other_client).login("hr@demo.test")
    assert other_client.get("/employees").status_code == 200
    auth.login("cs@flexsync.test")
    tenant_id = company_id(app, "Demo NV")
    with app.app_context():
        employees = db.session.execute(select(func.count()).select_from(Employee)).scalar_one()
    # Unconfirmed, nothing happens.
    post_form(client, f"/cs/tenants/{tenant_id}/deactivate", {}, f"/cs/tenants/{tenant_id}/access")
    assert other_client.get("/employees").status_code == 200
    post_form(client, f"/cs/tenants/{tenant_id}/deactivate", {"confirm": "yes"}, f"/cs/tenants/{tenant_id}/access")
    assert other_client.get("/employees").status_code == 302
    assert AuthActions(other_client).login("hr@demo.test").status_code == 403
    assert "deactivated" in client.get("/cs/tenants").get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Employee)).scalar_one() == employees > 0
    post_form(client, f"/cs/tenants/{tenant_id}/reactivate", {}, f"/cs/tenants/{tenant_id}/access")
    # Reactivating lets the admins log in again; the sessions the deactivation ended stay ended.
    assert other_client.get("/employees").status_code == 302
    assert AuthActions(other_client).login("hr@demo.test").status_code == 302
    with app.app_context():
        assert audit_actions() == ["company.deactivated", "company.reactivated"]


def test_a_company_keeps_its_last_admin(app):
    with app.app_context():
        tenant = db.session.get(Tenant, company_id(app, "Demo NV"))
        cs = user_named("cs@flexsync.test")
        try:
            admins.remove(tenant, user_named("hr@demo.test"), cs)
        except admins.CannotRemove as problem:
            assert problem.reason == "last_admin"
        else:
            raise AssertionError("the last admin was removed")
        add_login("second@demo.test")
        admins.remove(tenant, user_named("hr@demo.test"), cs)
        assert user_named("hr@demo.test").deactivated_at is not None
