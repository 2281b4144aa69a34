"""The HR admin's dashboard: what needs their attention, each with the count its link
lists, the last sync of every integration, and the pages of a company where all is well
or nothing is set up yet."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select

from helpers.logins import AuthActions, log_in
from helpers.pages import screenshot
from portal import tenancy
from portal.company import attention
from portal.extensions import db
from portal.models import (
    Employee,
    Integration,
    IntegrationState,
    RunState,
    SelectionEntry,
    SyncRun,
    Tenant,
    Trigger,
)
from portal.providers.base import Provider
from portal.sync.state import Selection, SyncMode


@pytest.fixture
def troubles(app, staff) -> dict[str, int]:
    """On top of `staff` (Securex's last run failed for Chloé; an e-mail change, a probable
    duplicate, an external user, five people without a budget): Liantis asks to be connected
    again, Connexie's last run ended in Error and two of the three people its selection
    window offered wait for review, and a Securex sync is running. Other BV has a stopped
    integration of its own, which Demo NV's admin must never hear of."""
    yesterday = datetime.utcnow() - timedelta(days=1)
    with app.app_context():
        tenants = dict(db.session.execute(select(Tenant.name, Tenant.id)).all())
        with tenancy.acting_for(tenants["Demo NV"]):
            liantis = integration(Provider.LIANTIS, IntegrationState.RECONNECT_NEEDED)
            connexie = integration(Provider.CONNEXIE, IntegrationState.ACTIVE, SyncMode.SELECTIVE)
            error_run = run(connexie, RunState.ERROR, finished_at=yesterday, error_code="provider_unavailable")
            for number, reviewed in ((1, None), (2, None), (3, yesterday)):
                db.session.add(
                    SelectionEntry(
                        integration_id=connexie.id,
                        provider_id=f"CX-{number}",
                        selection=Selection.PARKED,
                        display_name=f"Newcomer {number}",
                        reviewed_at=reviewed,
                    )
                )
            securex = db.session.execute(select(Integration).where(Integration.provider == Provider.SECUREX)).scalar_one()
            running = run(securex, RunState.RUNNING, started_at=datetime.utcnow())
        with tenancy.acting_for(tenants["Other BV"]):
            run(integration(Provider.SECUREX, IntegrationState.ACTIVE), RunState.ERROR, finished_at=yesterday)
            integration(Provider.LIANTIS, IntegrationState.RECONNECT_NEEDED)
        db.session.commit()
        return {"liantis": liantis.id, "connexie": connexie.id, "error_run": error_run.id, "running": running.id}


def integration(provider: Provider, state: IntegrationState, mode: SyncMode = SyncMode.FULL) -> Integration:
    existing = db.session.execute(select(Integration).where(Integration.provider == provider)).scalar_one_or_none()
    if existing is not None:
        return existing
    row = Integration(
        tenant_id=tenancy.current_tenant_id(), provider=provider, available=True, state=state, sync_mode=mode, settings={}
    )
    db.session.add(row)
    db.session.flush()
    return row


def run(integration: Integration, status: RunState, **fields) -> SyncRun:
    row = SyncRun(
        tenant_id=integration.tenant_id, integration_id=integration.id, trigger=Trigger.NIGHTLY, status=status, **fields
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def admin(client, auth):
    auth.login("hr@demo.test")
    return client


def read(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def attention_items(body: str) -> dict[str, str]:
    """What the dashboard asks the admin to look at: text -> link."""
    found = re.findall(r'<li class="(?:urgent|to-decide)"><a href="([^"]+)">([^<]+)</a></li>', body)
    return {html.unescape(text): html.unescape(url) for url, text in found}


def rows_of(body: str, table_class: str) -> int:
    table = re.search(rf'<table class="{table_class}">.*?<tbody>(.*?)</tbody>', body, re.S)
    return table.group(1).count("<tr") if table else 0


# --- What needs attention, and where its link leads ---------------------------------------


def employees_listed(body: str) -> int:
    shown = rows_of(body, "employees")
    if shown:
        assert f"{shown} employee" in body  # the list's own count agrees with its rows
    return shown


def failed_lines_listed(body: str) -> int:
    return body.count('<tr class="line-fail">')


def new_people_listed(body: str) -> int:
    # The "new" marker: its pill, a dot icon, the word.
    return len(re.findall(r'<span class="status-pill status-warning"><svg[^>]*>.*?</svg>new</span>', body, re.S))


def cards_needing_attention(body: str, provider: str) -> int:
    card = re.search(rf'<section class="card integration-card state-(\w+)" id="card-{provider}"', body)
    return int(card is not None and card.group(1) in ("error", "reconnect_needed"))


@pytest.mark.parametrize(
    "text,count,listed",
    [
        ("Liantis no longer accepts our connection. Connect again to resume the nightly sync.", 1, cards_needing_attention),
        ("Connexie: the last sync ended in an error, nothing was synced.", 1, cards_needing_attention),
        ("Securex: the last sync failed for 1 person.", 1, failed_lines_listed),
        ("Connexie: 2 people wait for review in the selection window.", 2, new_people_listed),
        ("1 person has an e-mail change from your HR system to decide.", 1, employees_listed),
        ("1 probable duplicate to merge.", 1, employees_listed),
        ("1 external user to keep or remove.", 1, employees_listed),
        (f"5 people have no budget for {datetime.now().year} yet.", 5, employees_listed),
    ],
)
def test_each_item_says_how_many_and_its_link_lists_exactly_those(admin, troubles, text, count, listed):
    items = attention_items(read(admin, "/"))
    assert text in items, list(items)
    path, _, anchor = items[text].partition("#")
    body = read(admin, path)
    provider = anchor.removeprefix("card-")
    assert (listed(body, provider) if provider else listed(body)) == count


def test_the_most_urgent_come_first_and_nothing_of_another_company_shows(admin, troubles):
    items = list(attention_items(read(admin, "/")))
    assert len(items) == 8
    assert items[0].startswith("Liantis") and items[-1].startswith("5 people have no budget")
    assert "Securex: the last sync ended in an error, nothing was synced." not in items  # Other BV's


def test_another_companys_admin_sees_only_their_own(other_client, troubles):
    AuthActions(other_client).login("hr@other.test")
    items = attention_items(read(other_client, "/"))
    assert set(items) == {
        "Liantis no longer accepts our connection. Connect again to resume the nightly sync.",
        "Securex: the last sync ended in an error, nothing was synced.",
    }


def test_a_solved_item_leaves_the_dashboard(admin, troubles, app, staff):
    with app.app_context():
        db.session.get(Employee, staff["Eva"]).external = False
        db.session.commit()
    assert not any("external user" in text for text in attention_items(read(admin, "/")))


def test_the_counts_take_five_queries_however_many_people(app, troubles):
    statements = []
    with app.app_context():
        demo = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with tenancy.acting_for(demo):
                board = attention.dashboard(datetime.now().year)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(board.attention) == 8
    assert len(statements) == 5, statements


# --- The last sync of every integration -------------------------------------------------------


def test_the_last_sync_of_every_activated_integration(admin, troubles):
    body = read(admin, "/")
    table = re.search(r'<section class="card" id="last-syncs">.*?</section>', body, re.S).group(0)
    names = re.findall(r'<td[^>]*><a [^>]*href="/integrations#card-\w+">(?:<svg.*?</svg>)?([^<]+)</a>', table, re.S)
    assert names == ["Securex", "Liantis", "Connexie", "Generic HR system"]
    assert "Partial" in table and "0 created, 0 updated, 0 unchanged, 0 skipped, 1 failed, 0 deactivated" in table
    assert "reconnect needed" in table
    assert "Error" in table and "The provider did not answer properly" in table
    assert table.count("No sync has finished yet.") == 2  # Liantis and the generic HR system
    assert f'href="/syncs/{troubles["error_run"]}"' in table
    assert f'href="/syncs/{troubles["running"]}"' in table and "Follow this sync" in table


# --- All is well, and the very first visit ---------------------------------------------------


def test_all_is_well_when_nothing_needs_attention(admin, activate, app):
    securex = activate("securex")
    with app.app_context():
        with tenancy.acting_for(db.session.get(Integration, securex).tenant_id):
            run(db.session.get(Integration, securex), RunState.SUCCESS, finished_at=datetime.utcnow())
            # Switched off by the admin: nothing to look at, and no last sync to show.
            run(integration(Provider.LIANTIS, IntegrationState.DISABLED), RunState.ERROR, finished_at=datetime.utcnow())
        db.session.commit()
    body = read(admin, "/")
    assert "All is well" in body and not attention_items(body)
    assert "Success" in body and "Liantis" not in body and "No integration is active yet" not in body
    assert "BE0123456749" in body


def test_the_first_visit_points_to_the_integrations(admin):
    body = read(admin, "/")
    assert "No integration is active yet" in body and 'href="/integrations"' in body
    assert "All is well" not in body and 'id="last-syncs"' not in body
    assert "BE0123456749" in body


def test_customer_success_is_welcomed_without_a_company(client, auth):
    auth.login("cs@flexsync.test")
    body = read(client, "/")
    assert "You work for customer success" in body and 'id="attention"' not in body


# --- In the browser ----------------------------------------------------------------------


def test_the_dashboard_leads_to_the_people_without_a_budget_in_english_and_dutch(live_server, page, troubles):
    log_in(page, live_server)
    page.get_by_role("heading", name="Needs your attention").wait_for()
    screenshot(page, "dashboard")
    page.get_by_role("link", name=re.compile(r"^5 people have no budget")).click()
    page.wait_for_url(re.compile("filter=no_budget"))
    page.get_by_role("link", name="Bram Maes").wait_for()

    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("button", name="NL").click()
    page.get_by_role("heading", name="Welkom, Demo NV").wait_for()
    assert page.locator("ul.attention li").count() == 8
    screenshot(page, "dashboard-nl")
