"""Customer success opens one company's integrations, sync runs and employees read only, in the
language they choose, and every look at employee data leaves an entry in the company's audit trail."""

from __future__ import annotations

import html
import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from helpers.logins import AuthActions
from helpers.route_matrix import fill
from portal.extensions import db
from portal.models import AuditAction, AuditEntry, Employee, Integration, RunState, SyncRun, SyncRunEmployee, Tenant, Trigger
from portal.providers.base import Provider
from portal.sync.outcomes import FIX_FOR, FIX_TEXT, REASON_TEXT, Reason

# Where a page of the support view may lead: the support view itself, the console, the
# reader's own account, logging out. Never an HR admin's page (a 404 for customer success).
LEADS_TO = ("support.", "cs.", "cs_accounts.", "fleet.", "static", "dashboard.index", "accounts.index", "auth.logout")


@pytest.fixture
def demo(app, staff) -> dict[str, int]:
    """Demo NV (its people and runs from `staff`), the run where Chloé failed, and Other BV."""
    with app.app_context():
        tenants = dict(db.session.execute(select(Tenant.name, Tenant.id)).all())
        chloe_run = db.session.execute(
            select(SyncRunEmployee.run_id).where(SyncRunEmployee.employee_id == staff["Chloé"])
        ).scalar_one()
        return {**staff, "tenant": tenants["Demo NV"], "other": tenants["Other BV"], "run": chloe_run}


@pytest.fixture
def cs(client):
    AuthActions(client).login("cs@flexsync.test")
    return client


def pages_of(demo: dict[str, int]) -> dict[str, str]:
    base = f"/cs/companies/{demo['tenant']}"
    return {
        "support.company": base,
        "support.runs": f"{base}/runs",
        "support.run": f"{base}/runs/{demo['run']}",
        "support.employees": f"{base}/employees",
        "support.employee": f"{base}/employees/{demo['Chloé']}",
    }


def support_views(app) -> list[AuditEntry]:
    with app.app_context():
        views = select(AuditEntry).where(AuditEntry.action == AuditAction.SUPPORT_VIEWED).order_by(AuditEntry.id)
        return list(db.session.execute(views).scalars())


def in_language(app, language: str, text: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(text)


def read(response) -> str:
    """The page as the reader reads it: `n&#39;est` is "n'est"."""
    return html.unescape(response.get_data(as_text=True))


def test_cs_reads_the_failure_and_its_fix_in_the_language_they_choose(app, cs, demo):
    run_page = pages_of(demo)["support.run"]
    reason, fix = REASON_TEXT[Reason.ENTITY_MOVE], FIX_TEXT[FIX_FOR[Reason.ENTITY_MOVE]]
    own_language = re.search(r'<html lang="(\w+)"', cs.get("/cs/tenants").get_data(as_text=True)).group(1)

    # Demo NV speaks Dutch: its pages open in Dutch until support picks another language.
    body = read(cs.get(run_page))
    assert '<html lang="nl">' in body and "Chloé Dubois" in body
    assert in_language(app, "nl", reason) in body and in_language(app, "nl", fix) in body
    for language in ("fr", "en"):
        body = read(cs.get(f"{run_page}?lang={language}"))
        assert f'<html lang="{language}">' in body
        assert in_language(app, language, reason) in body and in_language(app, language, fix) in body
    # Kept for the next support page, and for nothing else.
    assert '<html lang="en">' in cs.get(pages_of(demo)["support.employee"]).get_data(as_text=True)
    assert f'<html lang="{own_language}">' in cs.get("/cs/tenants").get_data(as_text=True)
    # The employee page says the same failure and fix as the run.
    employee = read(cs.get(pages_of(demo)["support.employee"] + "?lang=fr"))
    assert in_language(app, "fr", reason) in employee and in_language(app, "fr", fix) in employee


def links_and_forms(body: str) -> tuple[list[str], list[str]]:
    links = re.findall(r'(?:href|hx-get|action)="(/[^"]*)"', body)
    forms = re.findall(r"<form[^>]*>", body)
    return links, forms


def test_every_support_page_is_read_only_and_leads_only_to_pages_support_may_open(app, cs, demo):
    """Employees in every state too (synced, failed, external, probable duplicate, e-mail change,
    added by hand): no form or button that changes anything, no link to an HR admin's page."""
    adapter = app.url_map.bind("localhost")
    people = ("An", "Eva", "Frank (duplicate)", "Greet", "Dirk")
    visited = [*pages_of(demo).values(), *(f"/cs/companies/{demo['tenant']}/employees/{demo[p]}" for p in people)]
    for path in visited:
        response = cs.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        links, forms = links_and_forms(body)
        # What changes anything is gone; the log-out button of every page stays, and the
        # filters and the search box, which only read.
        assert [f for f in forms if 'method="post"' in f and 'action="/logout"' not in f] == [], path
        assert not re.search(r"hx-(post|put|patch|delete)=|type=\"checkbox\"", body), path
        for link in links:
            target = adapter.match(link.split("?")[0].split("#")[0], method="POST" if "logout" in link else "GET")[0]
            assert target.startswith(LEADS_TO), f"{path} links to {link} ({target})"


def test_every_view_of_employee_data_writes_one_audit_entry_for_the_company(app, cs, demo):
    pages = pages_of(demo)
    cs.get(pages["support.company"])
    cs.get(pages["support.runs"])
    # Polling a run's progress reads counts, not people.
    progress = cs.get(pages["support.run"], headers={"HX-Request": "true", "HX-Target": f"run-progress-{demo['run']}"})
    assert "<html" not in progress.get_data(as_text=True) and progress.headers["HX-Trigger"] == "run-closed"
    assert support_views(app) == []

    cs.get(pages["support.run"])
    cs.get(pages["support.employees"] + "?q=dubois", headers={"HX-Request": "true", "HX-Target": "employee-rows"})
    cs.get(pages["support.employee"])
    entries = support_views(app)
    assert [(e.subject, e.detail) for e in entries] == [
        (f"sync run #{demo['run']}", {"page": "run", "run_id": demo["run"]}),
        ("employees list", {"page": "employees", "q": "dubois"}),
        ("Chloé Dubois (chloe.dubois@demo.test)", {"page": "employee", "employee_id": demo["Chloé"]}),
    ]
    assert {(e.actor, e.tenant_id) for e in entries} == {("cs@flexsync.test", demo["tenant"])}


def test_the_employees_search_answers_with_read_only_rows(cs, demo):
    response = cs.get(
        pages_of(demo)["support.employees"] + "?q=dubois", headers={"HX-Request": "true", "HX-Target": "employee-rows"}
    )
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Chloé Dubois" in body and "An Janssens" not in body
    assert f'href="/cs/companies/{demo["tenant"]}/employees/{demo["Chloé"]}"' in body
    assert 'type="checkbox"' not in body


@pytest.mark.parametrize("email", ["hr@demo.test", "hr@other.test"])
def test_hr_admins_get_404_on_every_page_under_cs_companies(app, client, demo, email):
    AuthActions(client).login(email)
    ids = {"tenant_id": demo["tenant"], "run_id": demo["run"], "employee_id": demo["Chloé"]}
    under = [r for r in app.url_map.iter_rules() if r.rule.startswith("/cs/companies") and "GET" in (r.methods or ())]
    assert {r.endpoint for r in under} >= set(pages_of(demo))
    for rule in under:
        path = fill(rule, ids, {})
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers={"HX-Request": "true", "HX-Target": f"run-progress-{demo['run']}"}).status_code == 404
    assert support_views(app) == []


def test_a_run_or_employee_of_another_company_is_404_under_this_companys_address(app, cs, demo):
    with app.app_context():
        olga = db.session.execute(select(Employee.id).where(Employee.tenant_id == demo["other"])).scalar_one()
        no_tenant = db.session.execute(select(func.max(Tenant.id))).scalar_one() + 1
    demo_base, other_base = f"/cs/companies/{demo['tenant']}", f"/cs/companies/{demo['other']}"
    for path in (
        f"{other_base}/runs/{demo['run']}",
        f"{other_base}/employees/{demo['Chloé']}",
        f"{demo_base}/employees/{olga}",
        f"/cs/companies/{no_tenant}/employees",
        f"{demo_base}/runs?provider=connexie",
    ):
        assert cs.get(path).status_code == 404, path
    assert support_views(app) == []


def test_a_running_sync_is_followed_live_from_the_support_view(app, cs, demo):
    with app.app_context():
        securex = db.session.execute(select(Integration.id).where(Integration.provider == Provider.SECUREX)).scalar_one()
        running = SyncRun(
            tenant_id=demo["tenant"], integration_id=securex, trigger=Trigger.MANUAL, status=RunState.RUNNING, fetched=3, total=10
        )
        db.session.add(running)
        db.session.commit()
        run_id = running.id
    page = f"/cs/companies/{demo['tenant']}/runs/{run_id}"
    # The progress block asks the support view, not the HR admin's page (a 404 for customer success).
    assert f'hx-get="{page}" hx-trigger="every 1s"' in cs.get(f"{page}?lang=en").get_data(as_text=True)
    poll = {"HX-Request": "true", "HX-Target": f"run-progress-{run_id}"}
    assert "3 of 10 employees" in cs.get(page, headers=poll).get_data(as_text=True)
    assert len(support_views(app)) == 1
