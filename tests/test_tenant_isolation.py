"""Every tenant in its own room: another tenant's object is a 404, never a 403 with details."""

import pytest
from sqlalchemy import select

from portal import tenancy
from portal.extensions import db
from portal.models import Notification, Tenant


@pytest.fixture
def demo_notification(app) -> int:
    with app.app_context():
        demo = db.session.execute(select(Tenant).where(Tenant.name == "Demo NV")).scalar_one()
        notification = Notification(tenant_id=demo.id, title="Sync finished: 3 new employees", body="Secret salary data")
        db.session.add(notification)
        db.session.commit()
        return notification.id


def test_the_owner_sees_their_notification(client, auth, demo_notification):
    auth.login("hr@demo.test")
    response = client.get(f"/notifications/{demo_notification}")
    assert response.status_code == 200
    assert "Secret salary data" in response.get_data(as_text=True)


@pytest.mark.parametrize("method,path", [("GET", "/notifications/{id}"), ("POST", "/notifications/{id}/read")])
def test_another_tenants_admin_gets_404_and_no_data(client, auth, demo_notification, method, path):
    auth.login("hr@other.test")
    from helpers.pages import csrf_token_from

    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.open(path.format(id=demo_notification), method=method, data={"csrf_token": token})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Secret salary data" not in body
    assert "Sync finished" not in body


def test_lists_only_show_the_own_tenants_rows(client, auth, demo_notification):
    auth.login("hr@other.test")
    assert "Sync finished" not in client.get("/notifications").get_data(as_text=True)


def test_the_menu_counts_only_the_own_tenants_unread_notifications(client, auth, demo_notification):
    auth.login("hr@demo.test")
    assert 'aria-label="1 unread">1</span>' in client.get("/employees").get_data(as_text=True)
    auth.logout()
    auth.login("hr@other.test")
    assert "unread" not in client.get("/employees").get_data(as_text=True)


def test_customer_success_has_no_hr_admin_pages(client, auth):
    auth.login("cs@flexsync.test")
    assert client.get("/company").status_code == 404


def test_queries_are_scoped_by_the_tenant_acted_for(app, demo_notification):
    with app.app_context():
        other = db.session.execute(select(Tenant).where(Tenant.name == "Other BV")).scalar_one()
        with tenancy.acting_for(other.id):
            assert db.session.execute(select(Notification)).scalars().all() == []
            assert db.session.get(Notification, demo_notification) is None


def test_writing_another_tenants_row_is_refused(app):
    with app.app_context():
        tenants = dict(db.session.execute(select(Tenant.name, Tenant.id)).all())
        with tenancy.acting_for(tenants["Other BV"]):
            db.session.add(Notification(tenant_id=tenants["Demo NV"], title="sneaky"))
            with pytest.raises(PermissionError):
                db.session.flush()
        db.session.rollback()


def test_new_rows_get_the_tenant_acted_for(app):
    with app.app_context():
        other_id = db.session.execute(select(Tenant.id).where(Tenant.name == "Other BV")).scalar_one()
        with tenancy.acting_for(other_id):
            notification = Notification(title="hello")
            db.session.add(notification)
            db.session.commit()
            assert notification.tenant_id == other_id
