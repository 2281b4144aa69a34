"""Customer success onboards a company: creates it, invites its first HR admins, resends or
revokes their invitations, requires a second factor, deactivates or reactivates it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal import tenancy
from portal.accounts import admins, audit, companies
from portal.company.vat import InvalidVat, normalise_belgian_vat
from portal.models import Tenant
from portal.texts.languages import LANGUAGE_NAMES
from portal.web.access import customer_success_required
from portal.web.colleagues import InviteAdminForm, admin_or_404, invite_admin, resend_invitation, revoke_invitation
from portal.web.company import VAT_MESSAGES
from portal.web.forms import Form

bp = Blueprint("cs_accounts", __name__, url_prefix="/cs")


class NewCompanyForm(Form):
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    vat_number = StringField(_l("VAT number"))
    default_language = SelectField(_l("Default language"), choices=list(LANGUAGE_NAMES.items()))

    def validate_vat_number(self, field: StringField) -> None:
        if not (field.data or "").strip():
            return  # as in the company details: activating a VAT-based integration asks for it
        try:
            field.data = normalise_belgian_vat(field.data)
        except InvalidVat as error:
            raise ValidationError(str(VAT_MESSAGES[error.problem])) from None


def _access_page(tenant: Tenant, form: InviteAdminForm):
    return render_template(
        "cs/admins.html", tenant=tenant, rows=admins.admins_page(tenant), form=form, trail=audit.entries_for(tenant.id)
    )


@bp.route("/companies/new", methods=["GET", "POST"])
@customer_success_required
def new_company():
    form = NewCompanyForm()
    if form.validate_on_submit():
        try:
            tenant = companies.create(form.name.data, form.vat_number.data or None, form.default_language.data, current_user)
        except companies.VatTaken as taken:
            form.vat_number.errors = [_l("%(company)s already has this VAT number.", company=taken.company.name)]
        else:
            flash(_l("%(company)s is created. Invite its first HR admin.", company=tenant.name), "success")
            return redirect(url_for("cs_accounts.access", tenant_id=tenant.id))
    return render_template("cs/new_company.html", form=form)


@bp.get("/tenants/<int:tenant_id>/access")
@customer_success_required
def access(tenant_id: int):
    return _access_page(tenancy.get_or_404(Tenant, tenant_id), InviteAdminForm())


@bp.post("/tenants/<int:tenant_id>/admins")
@customer_success_required
def invite(tenant_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    form = InviteAdminForm()
    if form.validate_on_submit() and invite_admin(tenant, form):
        return redirect(url_for("cs_accounts.access", tenant_id=tenant.id))
    return _access_page(tenant, form), 422


@bp.post("/tenants/<int:tenant_id>/admins/<int:user_id>/resend")
@customer_success_required
def resend(tenant_id: int, user_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    resend_invitation(tenant, admin_or_404(tenant, user_id, pending=True))
    return redirect(url_for("cs_accounts.access", tenant_id=tenant.id))


@bp.post("/tenants/<int:tenant_id>/admins/<int:user_id>/revoke")
@customer_success_required
def revoke(tenant_id: int, user_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    revoke_invitation(tenant, admin_or_404(tenant, user_id, pending=True))
    return redirect(url_for("cs_accounts.access", tenant_id=tenant.id))


@bp.post("/tenants/<int:tenant_id>/two-factor")
@customer_success_required
def two_factor_requirement(tenant_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    companies.require_two_factor(tenant, request.form.get("required") == "1", current_user)
    return redirect(url_for("cs_accounts.access", tenant_id=tenant.id))


@bp.post("/tenants/<int:tenant_id>/deactivate")
@customer_success_required
def deactivate(tenant_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    if request.form.get("confirm") != "yes":
        # A whole company's logins end at once: the box must be ticked, nothing happens otherwise.
        flash(_l("Nothing changed: tick the box to confirm that %(company)s is deactivated.", company=tenant.name), "error")
        return redirect(url_for("cs_accounts.access", tenant_id=tenant.id))
    companies.deactivate(tenant, current_user)
    flash(_l("%(company)s is deactivated: its admins can no longer log in. Its data stays.", company=tenant.name), "info")
    return redirect(url_for("cs_accounts.access", tenant_id=tenant.id))


@bp.post("/tenants/<int:tenant_id>/reactivate")
@customer_success_required
def reactivate(tenant_id: int):
    tenant = tenancy.get_or_404(Tenant, tenant_id)
    companies.reactivate(tenant, current_user)
    flash(_l("%(company)s is active again: its admins can log in.", company=tenant.name), "success")
    return redirect(url_for("cs_accounts.access", tenant_id=tenant.id))
