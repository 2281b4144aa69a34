from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.company import details as company_details
from portal.company.vat import InvalidVat, VatProblem, normalise_belgian_vat
from portal.texts.languages import LANGUAGE_NAMES
from portal.web.access import current_tenant, hr_admin_required
from portal.web.forms import Form

bp = Blueprint("company", __name__, url_prefix="/company")

VAT_MESSAGES = {
    VatProblem.MISSING: _l("Fill in your company's VAT number, e.g. BE0123456749."),
    VatProblem.FOREIGN: _l(
        "This is a VAT number of another country. Securex and Liantis need the Belgian VAT number of your company:"
        " BE and 10 digits, e.g. BE0123456749."
    ),
    VatProblem.FORMAT: _l(
        "A Belgian VAT number has 10 digits after BE, e.g. BE0123456749. Check the number on your company documents."
    ),
    VatProblem.CHECK_DIGITS: _l(
        "This VAT number does not exist: its last two check digits do not match. Check for a typing error."
    ),
}


class CompanyDetailsForm(Form):
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    vat_number = StringField(_l("VAT number"))
    default_language = SelectField(_l("Default language"), choices=list(LANGUAGE_NAMES.items()))

    def validate_vat_number(self, field: StringField) -> None:
        if not (field.data or "").strip():
            return  # optional here; activating a VAT-based integration asks for it
        try:
            field.data = normalise_belgian_vat(field.data)
        except InvalidVat as error:
            raise ValidationError(str(VAT_MESSAGES[error.problem])) from None


@bp.route("", methods=["GET", "POST"])
@hr_admin_required
def details():
    tenant = current_tenant()
    form = CompanyDetailsForm(obj=tenant)
    if form.validate_on_submit():
        company_details.save_details(tenant, form.name.data, form.vat_number.data, form.default_language.data)
        flash(_l("Company details saved."), "success")
        return redirect(url_for("company.details"))
    return render_template("company/details.html", form=form, tenant=tenant)
