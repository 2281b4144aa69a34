"""The audit log of a company: HR admins read their own, customer success that of the company they opened."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from portal import tenancy
from portal.accounts import audit
from portal.accounts.audit import Kind
from portal.extensions import htmx
from portal.models import Tenant
from portal.texts.access import AUDIT_KINDS, audit_action, audit_actor, audit_detail, audit_subject
from portal.web.access import current_tenant, customer_success_required, hr_admin_required

bp = Blueprint("audit", __name__)
for helper in (audit_action, audit_actor, audit_detail, audit_subject):
    bp.add_app_template_global(helper)

PAGE_SIZE = 50


def chosen_kind() -> Kind | None:
    try:
        return Kind(request.args.get("kind", ""))
    except ValueError:
        return None


def render_log(tenant: Tenant, for_support: bool):
    """The filters and the search box swap the rows only; a plain visit gets the page."""
    kind, person = chosen_kind(), request.args.get("person", "").strip()
    page = audit.entries_page(kind, person, request.args.get("page", 1, type=int), PAGE_SIZE)
    template = "audit/_rows.html" if htmx.target == "audit-rows" else "audit/index.html"
    return render_template(
        template,
        tenant=tenant,
        for_support=for_support,
        page=page,
        kind=kind,
        person=person,
        kinds=AUDIT_KINDS,
        actor_names=audit.actor_names(page.items),
    )


@bp.get("/audit")
@hr_admin_required
def index():
    return render_log(current_tenant(), for_support=False)


@bp.get("/cs/tenants/<int:tenant_id>/audit")
@customer_success_required
def company_log(tenant_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    with tenancy.acting_for(tenant.id):
        return render_log(tenant, for_support=True)
