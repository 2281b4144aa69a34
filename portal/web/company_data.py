"""Customer success hands a company its data and erases a company that leaves."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from portal import tenancy
from portal.company import data
from portal.models import Tenant
from portal.web.access import customer_success_required
from portal.web.forms import Form

bp = Blueprint("company_data", __name__, url_prefix="/cs/tenants")


class EraseForm(Form):
    typed_name = StringField(_l("Type the company's name to confirm"), validators=[DataRequired()])

    def __init__(self, tenant: Tenant, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tenant = tenant

    def validate_typed_name(self, field: StringField) -> None:
        if (field.data or "").strip() != self.tenant.name:
            raise ValidationError(_l("That is not the company's name: nothing was erased."))


@bp.post("/<int:tenant_id>/export")
@customer_success_required
def export(tenant_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    archive = data.export_zip(tenant, current_user)
    filename = f"flexsync-company-{tenant.id}-{date.today().isoformat()}.zip"
    return Response(archive, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<int:tenant_id>/erase")
@customer_success_required
def confirm_erasure(tenant_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    return render_template("cs/erase.html", tenant=tenant, form=EraseForm(tenant, formdata=None))


@bp.post("/<int:tenant_id>/erase")
@customer_success_required
def erase(tenant_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    form = EraseForm(tenant)
    if not form.validate_on_submit():
        return render_template("cs/erase.html", tenant=tenant, form=form), 422
    name = tenant.name
    data.erase_company(tenant, current_user)
    flash(_l("%(company)s and all its data are erased.", company=name), "success")
    return redirect(url_for("cs.tenants"))
