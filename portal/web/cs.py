"""The customer success console: every tenant, which providers it may use, and who changed that."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal import tenancy
from portal.company.search import companies_page
from portal.extensions import htmx
from portal.integrations import overview
from portal.models import Tenant
from portal.providers.base import Provider
from portal.texts.providers import PROVIDERS
from portal.web.access import customer_success_required

bp = Blueprint("cs", __name__, url_prefix="/cs")

PAGE_SIZE = 25


@bp.get("/tenants")
@customer_success_required
def tenants():
    query = request.args.get("q", "").strip()
    page = companies_page(query, request.args.get("page", 1, type=int), PAGE_SIZE)
    # The search box asks for the rows only; everything else gets the whole page.
    template = "cs/_tenant_rows.html" if htmx.trigger == "search" else "cs/tenants.html"
    return render_template(template, page=page, query=query)


def _provider_or_404(value: str) -> Provider:
    try:
        return Provider(value)
    except ValueError:
        abort(404)


def _tenant_context(tenant: Tenant) -> dict:
    with tenancy.acting_for(tenant.id):
        by_provider = overview.integrations_by_provider()
    return {
        "tenant": tenant,
        "rows": [(provider, by_provider.get(provider)) for provider in Provider],
        "providers": PROVIDERS,
        "history": overview.availability_history(tenant.id),
    }


@bp.get("/tenants/<int:tenant_id>")
@customer_success_required
def tenant(tenant_id: int):
    return render_template("cs/tenant.html", **_tenant_context(tenancy.get_or_404(Tenant, tenant_id)))


@bp.post("/tenants/<int:tenant_id>/providers/<provider>/availability")
@customer_success_required
def set_availability(tenant_id: int, provider: str):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    chosen = _provider_or_404(provider)
    overview.set_availability(tenant.id, chosen, request.form.get("available") == "1", current_user)
    if htmx:
        return render_template("cs/_providers.html", **_tenant_context(tenant))
    return redirect(url_for("cs.tenant", tenant_id=tenant.id))
