"""Customer success's view of one company: its integrations, sync runs and employees read only,
as its HR admins see them, in the language support picks; every look at employee data is
written to the company's audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal import i18n, tenancy
from portal.accounts import audit
from portal.extensions import db, htmx
from portal.integrations import overview
from portal.models import AuditAction, Employee, Integration, SyncRun, Tenant
from portal.providers.base import Provider
from portal.web.access import customer_success_required
from portal.web.employees import detail_context, list_context, timeline_fragment
from portal.web.integrations import cards
from portal.web.navigation import provider_or_404
from portal.web.syncs import history_context, progress_block, run_context

bp = Blueprint("support", __name__, url_prefix="/cs/companies/<int:tenant_id>")

# The HR admin's page templates are shown as they are: a link to one of their pages leads to
# the support page showing the same, for the company open now. `read_only` hides every action.
SUPPORT_PAGE_OF = {
    "integrations.index": "support.company",
    "syncs.history": "support.runs",
    "syncs.run": "support.run",
    "syncs.progress": "support.run",
    "employees.index": "support.employees",
    "employees.show": "support.employee",
    "employees.timeline": "support.employee",
}


@bp.context_processor
def read_only_pages() -> dict[str, Any]:
    tenant_id = (request.view_args or {}).get("tenant_id")

    def support_url_for(endpoint: str, **values: Any) -> str:
        if endpoint in SUPPORT_PAGE_OF:
            return url_for(SUPPORT_PAGE_OF[endpoint], tenant_id=tenant_id, **values)
        return url_for(endpoint, **values)

    return {"read_only": True, "url_for": support_url_for}


@contextmanager
def open_company(tenant_id: int) -> Iterator[Tenant]:
    """The company customer success opened, in the language they read it in, its data in scope."""
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    i18n.read_for_company(tenant.default_language)
    with tenancy.acting_for(tenant.id):
        yield tenant


def viewed(tenant: Tenant, subject: str, **detail: Any) -> None:
    """Customer success read the company's employee data: its HR admins see who, what and when.
    Called once the page is rendered, so a page that failed leaves no entry for what nobody saw."""
    audit.record(AuditAction.SUPPORT_VIEWED, current_user, subject=subject, tenant_id=tenant.id, detail=detail)
    db.session.commit()


@bp.get("")
@customer_success_required
def company(tenant_id: int):
    with open_company(tenant_id) as tenant:
        return render_template("support/company.html", tenant=tenant, cards=cards())


@bp.get("/runs")
@customer_success_required
def runs(tenant_id: int):
    with open_company(tenant_id) as tenant:
        by_provider = overview.integrations_by_provider()
        integrations = [by_provider[p] for p in Provider if p in by_provider]
        shown = chosen_integration(integrations)
        if shown is None:
            # No integration at all: the integrations page says what the company may use.
            return redirect(url_for("support.company", tenant_id=tenant.id))
        template = "syncs/_history_rows.html" if htmx.target == "history-rows" else "support/runs.html"
        return render_template(template, tenant=tenant, integrations=integrations, **history_context(shown))


def chosen_integration(integrations: list[Integration]) -> Integration | None:
    """The one asked for (`?provider=`), else the first that syncs, else the first there is."""
    if request.args.get("provider"):
        asked = provider_or_404(request.args["provider"])
        return next((i for i in integrations if i.provider is asked), None) or abort(404)
    return next((i for i in integrations if i.is_activated), integrations[0] if integrations else None)


@bp.get("/runs/<int:run_id>")
@customer_success_required
def run(tenant_id: int, run_id: int):
    with open_company(tenant_id) as tenant:
        sync_run = tenancy.get_or_404(SyncRun, run_id)
        if htmx.target == f"run-progress-{sync_run.id}":
            # The live progress block polls here: counts only, no employee is read.
            return progress_block(sync_run)
        whole_page = htmx.target != "run-lines"
        template = "support/run.html" if whole_page else "syncs/_lines.html"
        page = render_template(template, tenant=tenant, **run_context(sync_run, whole_page))
        viewed(tenant, f"sync run #{sync_run.id}", page="run", run_id=sync_run.id)
        return page


@bp.get("/employees")
@customer_success_required
def employees(tenant_id: int):
    with open_company(tenant_id) as tenant:
        template = "employees/_rows.html" if htmx.target == "employee-rows" else "support/employees.html"
        page = render_template(template, tenant=tenant, **list_context())
        looked_for = {name: request.args[name] for name in ("q", "filter") if request.args.get(name)}
        viewed(tenant, "employees list", page="employees", **looked_for)
        return page


@bp.get("/employees/<int:employee_id>")
@customer_success_required
def employee(tenant_id: int, employee_id: int):
    with open_company(tenant_id) as tenant:
        person = tenancy.get_or_404(Employee, employee_id)
        page_number = request.args.get("page", 1, type=int)
        if htmx.target == "timeline":
            page = timeline_fragment(person, page_number)
        else:
            page = render_template(
                "support/employee.html", tenant=tenant, **detail_context(person, timeline_page_number=page_number)
            )
        viewed(tenant, audit.employee_subject(person), page="employee", employee_id=person.id)
        return page
