"""The employees area: what the HR admin still does after a sync."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from portal import mail, tenancy
from portal.company import entities
from portal.employees import budgets, decisions, details, directory, invitations
from portal.employees.directory import ListFilter, SortBy
from portal.employees.timeline import timeline_page
from portal.extensions import htmx
from portal.integrations import connectors
from portal.models import Discrepancy, DiscrepancyStatus, Employee
from portal.providers.base import Provider
from portal.providers.phones import UnreadablePhone, display_phone, normalise_phone
from portal.runs import problems
from portal.sync.outcomes import Reason
from portal.sync.removals import REACTIVATION_WARNING
from portal.sync.wages import explain_conversion
from portal.texts.labels import FIELD_LABELS
from portal.texts.languages import LANGUAGE_NAMES, language_name
from portal.texts.providers import PROVIDERS
from portal.web.access import current_tenant, hr_admin_required
from portal.web.forms import Form, entered, entity_choices

bp = Blueprint("employees", __name__, url_prefix="/employees")

PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 20

FILTER_LABELS = {
    ListFilter.NO_BUDGET: _l("No budget assigned"),
    ListFilter.NOT_INVITED: _l("Not invited"),
    ListFilter.EXTERNAL: _l("External"),
    ListFilter.DEACTIVATED: _l("Deactivated"),
    ListFilter.SYNC_PROBLEM: _l("Has sync problem"),
    ListFilter.PROBABLE_DUPLICATE: _l("Probable duplicate"),
    ListFilter.EMAIL_CHANGES: _l("E-mail changes to review"),
}

EMPTY_TEXT = {
    None: _l("No employees yet. Activate an integration or wait for its first sync."),
    ListFilter.NO_BUDGET: _l("Everyone has a budget for this year. New arrivals from the next sync will show up here."),
    ListFilter.NOT_INVITED: _l("Everyone has been invited."),
    ListFilter.EXTERNAL: _l("No external users: every user was matched to the provider."),
    ListFilter.DEACTIVATED: _l("Nobody is deactivated."),
    ListFilter.SYNC_PROBLEM: _l("No sync problems: the latest sync of every integration went through for everyone."),
    ListFilter.PROBABLE_DUPLICATE: _l("No probable duplicates to review."),
    ListFilter.EMAIL_CHANGES: _l("No e-mail changes from your HR system to review."),
}

LANGUAGE_CHOICES = [("", "—"), *LANGUAGE_NAMES.items()]


def this_year() -> int:
    return date.today().year


def provider_edit_url(provider: Provider, provider_employee_id: str) -> str:
    return connectors.edit_url(provider, provider_employee_id, current_app.config)


def _enum_arg(cls, name: str):
    try:
        return cls(request.args.get(name, ""))
    except ValueError:
        return None


def employee_or_404(employee_id: int) -> Employee:
    return tenancy.get_or_404(Employee, employee_id)


# --- Forms ---------------------------------------------------------------------------


class BudgetForm(Form):
    amount = DecimalField(_l("Yearly budget"), places=2, validators=[InputRequired()])
    currency = SelectField(_l("Currency"), choices=[(c, c) for c in budgets.CURRENCIES], default="EUR")
    year = IntegerField(_l("Year"), validators=[InputRequired()])

    def validate_amount(self, field: DecimalField) -> None:
        amount: Decimal | None = field.data
        if amount is None:
            return  # not a number: WTForms already says so
        if amount <= 0:
            raise ValidationError(_l("Enter an amount above 0."))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_l("Enter the amount in euro and cent, with at most 2 decimals."))
        if amount > budgets.MAX_YEARLY_BUDGET:
            raise ValidationError(
                _l("A yearly budget is at most %(maximum)s. Check the amount for an extra zero.", maximum="100,000")
            )

    def validate_year(self, field: IntegerField) -> None:
        year = this_year()
        if field.data is None:
            return
        if not year - 1 <= field.data <= year + 1:
            raise ValidationError(_l("Choose a year from %(first)s to %(last)s.", first=year - 1, last=year + 1))


def budget_form(**kwargs) -> BudgetForm:
    form = BudgetForm(**kwargs)
    if form.year.data is None:
        form.year.data = this_year()
    return form


class PersonalDetailsForm(Form):
    first_name = StringField(FIELD_LABELS["first_name"], validators=[DataRequired(), Length(max=100)])
    last_name = StringField(FIELD_LABELS["last_name"], validators=[DataRequired(), Length(max=100)])
    email = StringField(
        FIELD_LABELS["email"],
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an e-mail address like name@company.be.")),
        ],
    )
    language = SelectField(FIELD_LABELS["language"], choices=LANGUAGE_CHOICES)
    start_date = DateField(FIELD_LABELS["start_date"], validators=[Optional()])
    employee_number = StringField(FIELD_LABELS["employee_number"], validators=[Length(max=50)])
    phone = StringField(FIELD_LABELS["phone"], validators=[Length(max=50)])
    # One of the company's entities (choices set by `details_form`), or none.
    entity_id = SelectField(
        FIELD_LABELS["entity_id"], coerce=lambda value: int(value) if value not in (None, "", "None") else None
    )

    def validate_phone(self, field: StringField) -> None:
        # Stored in E.164 whatever way it was typed ("0470 12 34 56", "+32 470 12 34 56").
        try:
            field.data = normalise_phone(field.data)
        except UnreadablePhone:
            raise ValidationError(_l("Enter a phone number like +32 470 12 34 56; a Belgian number may start with 0.")) from None


class EndEmploymentForm(Form):
    last_day = DateField(_l("Last working day"), validators=[InputRequired()])


class PhoneVerificationForm(Form):
    phone_verified = BooleanField(_l("Phone number verified"))


def details_form(employee: Employee, locked: frozenset[str], **kwargs) -> PersonalDetailsForm:
    form = PersonalDetailsForm(obj=employee, **kwargs)
    for name in locked:
        del form[name]
    if "language" in form and employee.language and employee.language not in dict(LANGUAGE_CHOICES):
        # A language a provider sent that Flexsync does not speak itself ("de") stays a choice.
        form.language.choices = [*LANGUAGE_CHOICES, (employee.language, language_name(employee.language))]
    if "entity_id" in form:
        form.entity_id.choices = [("", "—"), *entity_choices(entities.entity_rows())]
    if "phone" in form and kwargs.get("formdata", True) is None:
        form.phone.data = display_phone(employee.phone)
    return form


def locked_explanation(provider: Provider) -> str:
    return _("Managed by %(provider)s: change it there, the next sync brings it here.", provider=PROVIDERS[provider].name)


# --- The list -------------------------------------------------------------------------


def list_context(bulk_form: BudgetForm | None = None) -> dict:
    year = this_year()
    chosen = _enum_arg(ListFilter, "filter")
    sort = _enum_arg(SortBy, "sort") or SortBy.NAME
    descending = request.args.get("dir") == "desc"
    search = request.args.get("q", "").strip()
    cause = _enum_arg(Reason, "cause") if chosen is ListFilter.SYNC_PROBLEM else None
    page = directory.employees_page(
        year, chosen, search, sort, descending, page=request.args.get("page", 1, type=int), per_page=PAGE_SIZE, cause=cause
    )
    return {
        "page": page,
        "facts": directory.row_facts([e.id for e in page.items], year),
        "year": year,
        "chosen": chosen,
        "cause": cause,
        "causes": problems.employees_by_cause() if chosen is ListFilter.SYNC_PROBLEM else {},
        "sort": sort,
        "descending": descending,
        "search": search,
        "filters": FILTER_LABELS,
        "empty_text": EMPTY_TEXT[chosen],
        "bulk_form": bulk_form or budget_form(formdata=None),
    }


@bp.get("")
@hr_admin_required
def index():
    # Search, filters, sorting and pages swap the rows only; a plain visit gets the page.
    template = "employees/_rows.html" if htmx.target == "employee-rows" else "employees/index.html"
    return render_template(template, **list_context())


def selected_employees() -> list[Employee]:
    """The ticked employees; one that is not this company's makes the request a 404."""
    ids = set(request.form.getlist("employee_id", type=int))
    found = directory.employees_with_ids(ids)
    if len(found) != len(ids):
        abort(404)
    return found


@bp.post("/bulk")
@hr_admin_required
def bulk():
    chosen = selected_employees()
    back = redirect(back_to_list())
    if not chosen:
        flash(_("Tick at least one employee first."), "error")
        return back
    if request.form.get("action") == "invite":
        report_invitations(invitations.invite_many(chosen, current_tenant(), current_user))
        return back
    form = budget_form()
    if not form.validate():
        flash(_("The budget was not assigned: correct the amount, currency or year."), "error")
        return render_template("employees/index.html", **list_context(form)), 400
    result = budgets.assign_budgets(chosen, form.year.data, form.amount.data, form.currency.data, current_user)
    flash(_("Budget assigned to %(count)s employees.", count=result.assigned + result.unchanged), "success")
    if result.frozen:
        names = ", ".join(e.display_name for e in result.frozen)
        flash(_("Not changed, their budget is frozen because they are deactivated: %(names)s.", names=names), "warning")
    return back


def back_to_list() -> str:
    """The list as the admin left it (filter, search, page), never another site."""
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc == request.host and came_from.path == url_for("employees.index"):
        return f"{came_from.path}?{came_from.query}" if came_from.query else came_from.path
    return url_for("employees.index")


def report_invitations(result: invitations.BulkResult) -> None:
    if result.sent:
        flash(_("Invitation sent to %(count)s employees.", count=result.sent), "success")
    if result.not_delivered:
        flash(mail_down_message(result.not_delivered), "error")
    if result.skipped:
        names = ", ".join(e.display_name for e in result.skipped)
        flash(_("Not invited, they are deactivated or already have an account: %(names)s.", names=names), "warning")


def mail_down_message(count: int) -> str:
    return _(
        "The mail server could not be reached: %(count)s invitations were not sent. They are kept;"
        " press Resend invitation in a moment.",
        count=count,
    )


# --- The detail page ----------------------------------------------------------------


def detail_context(employee: Employee, timeline_page_number: int = 1, **overrides) -> dict:
    provider = directory.provider_of(employee)
    locked = directory.locked_fields(employee, provider)
    contract = employee.wage_contract
    context = {
        "employee": employee,
        "provider": provider,
        "provider_name": PROVIDERS[provider].name if provider else None,
        "edit_url": provider_edit_url(provider, employee.provider_id) if provider and employee.provider_id else None,
        "locked": locked,
        "locked_explanation": locked_explanation(provider) if provider else None,
        "field_labels": FIELD_LABELS,
        "status": directory.status_of(employee),
        "contract": contract,
        "conversion": explain_conversion(directory.as_local_employee(employee).wage_contract) if contract else None,
        "problems": directory.open_sync_problems(employee),
        "timeline": timeline_page(employee, timeline_page_number, TIMELINE_PAGE_SIZE),
        "duplicate_of": directory.probable_duplicate_of(employee),
        "form": details_form(employee, locked, formdata=None),
        "phone_form": PhoneVerificationForm(obj=employee, formdata=None),
        "phone_change": details.phone_changed_by_sync(employee),
    }
    context.update(budget_context(employee))
    context.update(invitation_context(employee))
    context.update(discrepancy_context(employee))
    context.update(overrides)
    return context


def budget_context(employee: Employee, form: BudgetForm | None = None, notice: str | None = None) -> dict:
    year = this_year()
    current = budgets.budget_for(employee, year)
    return {
        "employee": employee,
        "budget": current,
        "budget_form": form or budget_form(formdata=None, amount=current.amount if current else None),
        "budget_history": budgets.history(employee),
        "budget_notice": notice,
    }


def invitation_context(employee: Employee, notice: tuple[str, str] | None = None) -> dict:
    return {
        "employee": employee,
        "invitation": invitations.latest_invitation(employee),
        "has_account": invitations.has_account(employee),
        "invitation_notice": notice,
        "now": invitations.now(),
    }


def discrepancy_context(employee: Employee, notice: tuple[str, str] | None = None) -> dict:
    return {"employee": employee, "discrepancies": directory.open_discrepancies(employee), "discrepancy_notice": notice}


@bp.get("/<int:employee_id>")
@hr_admin_required
def show(employee_id: int):
    return render_template("employees/show.html", **detail_context(employee_or_404(employee_id)))


@bp.get("/<int:employee_id>/timeline")
@hr_admin_required
def timeline(employee_id: int):
    employee = employee_or_404(employee_id)
    page_number = request.args.get("page", 1, type=int)
    if htmx:
        return timeline_fragment(employee, page_number)
    return render_template("employees/show.html", **detail_context(employee, timeline_page_number=page_number))


def with_changed_parts(fragment: str, employee: Employee, *changed: str) -> str:
    """An action's fragment, and beside it what the action also changed on the page (the
    status, the timeline's new entry, the "details" an e-mail change rewrites), swapped in out of band."""
    return fragment + render_template("employees/_changed.html", changed=changed, **detail_context(employee))


def timeline_fragment(employee: Employee, page_number: int) -> str:
    timeline = timeline_page(employee, page_number, TIMELINE_PAGE_SIZE)
    return render_template("employees/_timeline.html", employee=employee, timeline=timeline)


@bp.post("/<int:employee_id>")
@hr_admin_required
def save_details(employee_id: int):
    employee = employee_or_404(employee_id)
    context = detail_context(employee)
    locked = context["locked"]
    forged = sorted(name for name in locked if name in request.form)
    if forged:
        # The form never offers these fields: only a forged request gets here.
        message = _(
            "%(fields)s not saved. %(reason)s",
            fields=", ".join(str(FIELD_LABELS[name]) for name in forged),
            reason=context["locked_explanation"],
        )
        flash(message, "error")
        return render_template("employees/show.html", **context), 400
    form = details_form(employee, locked)
    if form.validate() and "email" in form and directory.email_taken(form.email.data, employee):
        form.email.errors.append(_("Another employee already uses this e-mail address."))
    if form.errors:
        return render_template("employees/show.html", **dict(context, form=form)), 400
    details.save_personal_details(employee, entered(form))
    flash(_("Personal details saved."), "success")
    return redirect(url_for("employees.show", employee_id=employee.id))


@bp.post("/<int:employee_id>/phone-verification")
@hr_admin_required
def phone_verification(employee_id: int):
    employee = employee_or_404(employee_id)
    form = PhoneVerificationForm()
    if form.validate():
        details.save_phone_verification(employee, form.phone_verified.data)
        flash(_("Phone verification saved."), "success")
    return redirect(url_for("employees.show", employee_id=employee.id))


@bp.post("/<int:employee_id>/budget")
@hr_admin_required
def assign_budget(employee_id: int):
    employee = employee_or_404(employee_id)
    form = budget_form()
    status = 200
    if employee.budget_frozen:
        notice, status = frozen_message(), 409
    elif form.validate():
        budgets.assign_budget(employee, form.year.data, form.amount.data, form.currency.data, current_user)
        notice = _("Budget saved.")
    else:
        notice, status = None, 400
    if htmx:
        fragment = render_template("employees/_budget.html", **budget_context(employee, form, notice))
        return with_changed_parts(fragment, employee), status
    if notice:
        flash(notice, "success" if status == 200 else "error")
    if status == 400:
        return render_template("employees/show.html", **detail_context(employee, budget_form=form)), 400
    return redirect(url_for("employees.show", employee_id=employee.id))


def frozen_message() -> str:
    return _("This budget is frozen because the employee is deactivated: it stays as it was for the final pay.")


@bp.post("/<int:employee_id>/invitation")
@hr_admin_required
def invite(employee_id: int):
    employee = employee_or_404(employee_id)
    try:
        invitations.invite(employee, current_tenant(), current_user)
        notice = (_("Invitation sent to %(email)s. The link works once, for 7 days.", email=employee.email), "success")
    except invitations.CannotInvite:
        notice = (_("Not invited: deactivated employees have no access, and this one may already have an account."), "error")
    except mail.MailUnavailable:
        current_app.logger.warning("invitation for employee %s not delivered", employee.id, exc_info=True)
        notice = (mail_down_message(1), "error")
    if htmx:
        return with_changed_parts(render_template("employees/_invitation.html", **invitation_context(employee, notice)), employee)
    flash(*notice)
    return redirect(url_for("employees.show", employee_id=employee.id))


# --- Ending employment, external users, duplicates ------------------------------------


def reactivation_warning(employee: Employee) -> str | None:
    if not decisions.sync_would_reactivate(employee, date.today()):
        return None
    provider = directory.provider_of(employee)
    return _(REACTIVATION_WARNING).format(name=employee.display_name, provider=PROVIDERS[provider].name)


@bp.route("/<int:employee_id>/end", methods=["GET", "POST"])
@hr_admin_required
def end_employment(employee_id: int):
    employee = employee_or_404(employee_id)
    form = EndEmploymentForm(last_day=date.today())
    warning = reactivation_warning(employee)
    if not employee.active:
        flash(_("%(name)s is already deactivated.", name=employee.display_name), "warning")
        return redirect(url_for("employees.show", employee_id=employee.id))
    if form.validate_on_submit():
        decisions.end_employment(employee, form.last_day.data, current_user)
        flash(_("Employment of %(name)s ended: no more access, budget frozen.", name=employee.display_name), "success")
        if warning:
            flash(warning, "warning")
        return redirect(url_for("employees.show", employee_id=employee.id))
    provider = directory.provider_of(employee)
    return render_template(
        "employees/end.html",
        employee=employee,
        form=form,
        warning=warning,
        provider_name=PROVIDERS[provider].name if provider else None,
        edit_url=provider_edit_url(provider, employee.provider_id) if warning else None,
    )


@bp.post("/<int:employee_id>/keep")
@hr_admin_required
def keep_external(employee_id: int):
    employee = employee_or_404(employee_id)
    if Form().validate() and employee.external:
        decisions.keep_external(employee, current_user)
        flash(_("%(name)s is kept as a user of the platform.", name=employee.display_name), "success")
    return redirect(url_for("employees.show", employee_id=employee.id))


@bp.route("/<int:employee_id>/remove", methods=["GET", "POST"])
@hr_admin_required
def remove_external(employee_id: int):
    employee = employee_or_404(employee_id)
    if not employee.external or not employee.active:
        abort(404)
    form = Form()
    if form.validate_on_submit():
        name = employee.display_name
        if decisions.remove_external(employee, current_user):
            flash(_("%(name)s was removed.", name=name), "success")
            return redirect(url_for("employees.index", filter=ListFilter.EXTERNAL.value))
        flash(_("%(name)s was deactivated: their history is kept.", name=name), "success")
        return redirect(url_for("employees.show", employee_id=employee.id))
    return render_template("employees/remove.html", employee=employee, form=form, has_history=decisions.has_history(employee))


@bp.route("/<int:employee_id>/merge", methods=["GET", "POST"])
@hr_admin_required
def merge(employee_id: int):
    duplicate = employee_or_404(employee_id)
    if duplicate.probable_duplicate_of_id is None:
        abort(404)
    existing = employee_or_404(duplicate.probable_duplicate_of_id)
    form = Form()
    if form.validate_on_submit():
        decisions.merge_duplicate(duplicate, existing, current_user)
        flash(_("Merged: %(name)s keeps their budget and history and is now synced.", name=existing.display_name), "success")
        return redirect(url_for("employees.show", employee_id=existing.id))
    return render_template("employees/merge.html", duplicate=duplicate, existing=existing, form=form)


# --- E-mail discrepancies -------------------------------------------------------------


def open_discrepancy_or_404(employee: Employee, discrepancy_id: int) -> Discrepancy:
    discrepancy = tenancy.get_or_404(Discrepancy, discrepancy_id)
    if discrepancy.employee_id != employee.id or discrepancy.status is not DiscrepancyStatus.OPEN:
        abort(404)
    return discrepancy


@bp.post("/<int:employee_id>/discrepancies/<int:discrepancy_id>/<decision>")
@hr_admin_required
def decide_discrepancy(employee_id: int, discrepancy_id: int, decision: str):
    employee = employee_or_404(employee_id)
    discrepancy = open_discrepancy_or_404(employee, discrepancy_id)
    if decision == "accept":
        try:
            decisions.accept_discrepancy(discrepancy, employee, current_user)
            notice = (_("The new e-mail address is applied: %(email)s.", email=employee.email), "success")
        except decisions.EmailInUse as taken:
            notice = (_("Not applied: another employee already uses %(email)s.", email=str(taken)), "error")
    elif decision == "dismiss":
        decisions.dismiss_discrepancy(discrepancy, employee, current_user)
        notice = (_("Dismissed: the e-mail address stays %(email)s.", email=employee.email), "success")
    else:
        abort(404)
    if htmx:
        fragment = render_template("employees/_discrepancies.html", **discrepancy_context(employee, notice))
        return with_changed_parts(fragment, employee, "details")
    flash(*notice)
    return redirect(url_for("employees.show", employee_id=employee.id))
