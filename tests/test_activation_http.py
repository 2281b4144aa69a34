"""Activation, settings and selection at the HTTP level: guards and what is stored."""

from __future__ import annotations

import re
from functools import partial

import pytest
import requests
from sqlalchemy import select, text

from demo.launcher import DATASETS_DIR
from helpers.activation import demo_tenant_id, integration_of
from helpers.pages import csrf_token_from
from portal.extensions import db
from portal.models import Employee, IntegrationState, SelectionEntry, Tenant
from portal.sync.state import Selection, SyncMode
from sandbox.testing import FLEXSYNC_CALLBACK, query_of, running_sandboxes, set_faults


def post(client, url: str, **data):
    token = csrf_token_from(client.get("/integrations").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def activated_securex(app, mode: SyncMode = SyncMode.SELECTIVE, offered: int = 3, synced: int = 2) -> int:
    """A Securex integration as a finished wizard and a first sync leave it."""
    with app.app_context():
        tenant_id = demo_tenant_id()
        integration = integration_of("securex")
        integration.state = IntegrationState.ACTIVE
        integration.sync_mode = mode
        integration.provider_company_id = "C001"
        integration.settings = {}
        for n in range(offered):
            db.session.add(
                SelectionEntry(
                    tenant_id=tenant_id,
                    integration_id=integration.id,
                    provider_id=f"C001-{n}",
                    selection=Selection.SELECTED,
                    display_name=f"Person {n}",
                )
            )
        for n in range(synced):
            db.session.add(
                Employee(
                    tenant_id=tenant_id,
                    integration_id=integration.id,
                    provider_id=f"C001-{n}",
                    email=f"person{n}@demo.test",
                    first_name="Person",
                    last_name=str(n),
                )
            )
        db.session.commit()
        integration_id = integration.id
        db.session.remove()
    return integration_id


@pytest.mark.parametrize("made_available", [False, None])
def test_a_provider_not_made_available_cannot_be_activated_even_by_a_direct_post(
    app, client, auth, make_available, made_available
):
    if made_available is False:
        make_available("securex")
        with app.app_context():
            integration_of("securex").available = False
            db.session.commit()
    auth.login()
    assert client.get("/integrations/securex/activate").status_code == 404
    for step in ("connect", "find-company", "configure", "mode"):
        assert post(client, f"/integrations/securex/activate/{step}", mode="full").status_code == 404
    assert post(client, "/integrations/connexie/activate/connect", api_token="x").status_code == 404
    assert client.get("/integrations/securex/settings").status_code == 404
    with app.app_context():
        integration = integration_of("securex")
        assert integration is None or integration.state is IntegrationState.AVAILABLE


def test_the_card_offers_activate_only_when_customer_success_made_it_available(client, auth, make_available):
    make_available("securex")
    auth.login()
    html = client.get("/integrations").get_data(as_text=True)
    assert "/integrations/securex/activate" in html
    assert "/integrations/liantis/activate" not in html


def test_uninstall_and_reinstall_gives_a_fresh_selection_and_keeps_employees(
    app, client, auth, make_available, providers_at_sandboxes
):
    make_available("securex")
    activated_securex(app)
    auth.login()
    assert "3 of 3 selected" in client.get("/integrations/securex/selection").get_data(as_text=True)

    response = post(client, "/integrations/securex/uninstall")
    assert response.status_code == 302
    with app.app_context():
        integration = integration_of("securex")
        assert integration.state is IntegrationState.AVAILABLE
        assert integration.sync_mode is None and integration.credentials is None and integration.settings == {}
        assert db.session.execute(select(SelectionEntry)).scalars().all() == []
        assert len(db.session.execute(select(Employee)).scalars().all()) == 2

    # Re-installing walks the wizard again, and the selection window starts empty.
    assert "Connect to Securex" in client.get("/integrations/securex/activate").get_data(as_text=True)
    assert post(client, "/integrations/securex/activate/connect").status_code == 302
    assert post(client, "/integrations/securex/activate/mode", mode="selective").status_code == 302
    assert post(client, "/integrations/securex/activate/start").status_code == 302
    selection_page = client.get("/integrations/securex/selection").get_data(as_text=True)
    assert "0 of 0 selected" in selection_page
    assert "Nobody has been offered yet" in selection_page


def test_disable_keeps_synced_employees_and_enable_resumes(app, client, auth, make_available):
    make_available("securex")
    activated_securex(app, mode=SyncMode.FULL)
    auth.login()
    assert post(client, "/integrations/securex/disable").status_code == 302
    with app.app_context():
        assert integration_of("securex").state is IntegrationState.DISABLED
        employees = db.session.execute(select(Employee)).scalars().all()
        assert len(employees) == 2 and all(e.active for e in employees)
    assert "employees synced earlier stay" in client.get("/integrations").get_data(as_text=True)
    assert post(client, "/integrations/securex/enable").status_code == 302
    with app.app_context():
        assert integration_of("securex").state is IntegrationState.ACTIVE


def test_changing_the_mode_says_it_applies_to_future_employees(app, client, auth, make_available):
    make_available("securex")
    activated_securex(app, mode=SyncMode.FULL)
    auth.login()
    page = client.get("/integrations/securex/settings").get_data(as_text=True)
    assert "applies to future employees only" in page
    response = post(client, "/integrations/securex/settings/mode", mode="selective")
    assert response.status_code == 302
    assert "applies to employees the provider shows from now on" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        assert integration_of("securex").sync_mode is SyncMode.SELECTIVE


def test_a_migrating_company_cannot_choose_full_sync(app, client, auth, make_available, providers_at_sandboxes):
    make_available("securex")
    with app.app_context():
        db.session.get(Tenant, demo_tenant_id()).migrating = True
        db.session.commit()
    auth.login()
    post(client, "/integrations/securex/activate/connect")
    page = client.get("/integrations/securex/activate").get_data(as_text=True)
    assert "selective sync is required" in page and 'value="full"' not in page
    assert post(client, "/integrations/securex/activate/mode", mode="full").status_code == 200
    with app.app_context():
        assert integration_of("securex").state is IntegrationState.AVAILABLE


def test_liantis_tokens_are_stored_encrypted(app, make_available, providers_at_sandboxes):
    make_available("liantis")
    # MyLiantis knows the `make run` callback; the test client plays that host.
    make_run = FLEXSYNC_CALLBACK.split("/integrations")[0]
    client = app.test_client()
    get, send = partial(client.get, base_url=make_run), partial(client.post, base_url=make_run)
    token = csrf_token_from(get("/login").get_data(as_text=True))
    send("/login", data={"email": "hr@demo.test", "password": "demo", "csrf_token": token})
    token = csrf_token_from(get("/integrations").get_data(as_text=True))
    to_myliantis = send("/integrations/liantis/activate/connect", data={"csrf_token": token})
    authorize = to_myliantis.headers["Location"]
    assert query_of(authorize)["redirect_uri"] == FLEXSYNC_CALLBACK

    myliantis = requests.Session()
    base = providers_at_sandboxes["liantis"]
    login = myliantis.get(authorize, allow_redirects=False)
    assert login.status_code == 302
    consent = myliantis.post(
        f"{base}/login", data={"login": "main.c001", "next": query_of(base + login.headers["Location"])["next"]}
    )
    action = consent.text.split('<form method="post" action="')[1].split('"')[0].replace("&amp;", "&")
    back = myliantis.post(base + action, data={"decision": "allow"}, allow_redirects=False).headers["Location"]

    done = get(back.removeprefix(make_run))
    assert done.status_code == 302
    with app.app_context():
        integration = integration_of("liantis")
        stored = integration.credentials
        assert stored["access_token"] and stored["refresh_token"] and stored["expires_at"]
        assert integration.provider_company_id == "C001"
        raw = db.session.execute(text("SELECT credentials FROM integrations WHERE id = :id"), {"id": integration.id}).scalar_one()
        raw = bytes(raw)
        for secret in (stored["access_token"], stored["refresh_token"]):
            assert secret.encode() not in raw
            assert secret[:12].encode() not in raw


def test_an_internal_error_names_a_reference_that_support_finds_in_the_log(
    app, client, auth, make_available, providers_at_sandboxes, caplog
):
    make_available("securex")
    set_faults(providers_at_sandboxes["securex"], error_5xx={"every": 1, "status": 500})
    auth.login()
    page = post(client, "/integrations/securex/activate/connect").get_data(as_text=True)
    reference = re.search(r"this reference: ([0-9A-F]{8})", page)[1]
    logged = [r.getMessage() for r in caplog.records if reference in r.getMessage()]
    assert logged and "500" in logged[0] and "provider=securex" in logged[0]


def test_liantis_checks_the_vat_number_before_sending_the_admin_to_myliantis(app, client, auth, make_available):
    make_available("liantis")
    with app.app_context():
        db.session.get(Tenant, demo_tenant_id()).vat_number = None
        db.session.commit()
    auth.login()
    response = post(client, "/integrations/liantis/activate/connect")
    assert response.status_code == 200 and "Missing VAT number" in response.get_data(as_text=True)


def test_reconnect_keeps_the_mode_and_makes_the_integration_active_again(
    app, client, auth, make_available, providers_at_sandboxes
):
    make_available("securex")
    activated_securex(app, mode=SyncMode.FULL)
    with app.app_context():
        integration_of("securex").state = IntegrationState.RECONNECT_NEEDED
        db.session.commit()
    auth.login()
    assert "/integrations/securex/activate" in client.get("/integrations").get_data(as_text=True)
    assert "Reconnect Securex" in client.get("/integrations/securex/activate").get_data(as_text=True)
    assert post(client, "/integrations/securex/activate/connect").status_code == 302
    with app.app_context():
        integration = integration_of("securex")
        assert integration.state is IntegrationState.ACTIVE and integration.sync_mode is SyncMode.FULL


def test_connexie_names_no_venue_as_the_company(app, client, auth, make_available):
    """The demo's Connexie venues are called "Gent" and "Antwerpen": neither is the company's name."""
    datasets = {"connexie": str(DATASETS_DIR / "connexie.json")}
    saved = app.config["PROVIDER_URLS"]
    with running_sandboxes(datasets=datasets, companies=1, size=5) as urls:
        app.config["PROVIDER_URLS"] = {**saved, "connexie": urls["connexie"]}
        try:
            make_available("connexie")
            auth.login()
            assert post(client, "/integrations/connexie/activate/connect", api_token="cnx-demo-nv").status_code == 302
        finally:
            app.config["PROVIDER_URLS"] = saved
    with app.app_context():
        integration = integration_of("connexie")
        integration.settings = {"venues": {"C001-V1": "inactive"}, "meal_code": None, "allowance_code": None}
        db.session.commit()
    page = client.get("/integrations/connexie/activate").get_data(as_text=True)
    assert "Choose how employees are synced" in page
    assert "Connected to your Connexie account." in page and "Connected to Gent" not in page
