"""The hours register: the table of worked shifts, editing, CSV import, export to Connexie."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import BooleanField, DecimalField, IntegerField, TimeField
from wtforms.validators import InputRequired, NumberRange

from portal import tenancy
from portal.extensions import htmx
from portal.hours import connexie_export, csv_import, register
from portal.hours.csv_import import Problem
from portal.hours.rules import LeftOutReason, LineType, Period, worked_hours
from portal.models import HoursExport, WorkedShift
from portal.runs.lifecycle import ErrorCode, ServiceUnavailable
from portal.web.access import hr_admin_required
from portal.web.forms import Form, entered

bp = Blueprint("hours", __name__, url_prefix="/hours")
bp.add_app_template_global(worked_hours)

PAGE_SIZE = 50

LEFT_OUT_TEXT = {
    LeftOutReason.NOT_APPROVED: _l("Not approved"),
    LeftOutReason.NOT_AT_CONNEXIE: _l("Not synced from Connexie"),
    LeftOutReason.NO_ACTIVE_CONTRACT: _l("No active contract that day"),
    LeftOutReason.FIXED_HOURS_CONTRACT: _l("Fixed-hours contract"),
    LeftOutReason.NO_CODE_MAPPED: _l("No code mapped"),
}

LINE_TYPE_TEXT = {
    LineType.WORKED_HOURS: _l("Worked hours"),
    LineType.MEAL: _l("Meals"),
    LineType.ALLOWANCE: _l("Allowance"),
}

PROBLEM_TEXT = {
    Problem.FILE_TOO_BIG: _l("The file is larger than %(limit)s kB. Split it into smaller files, for example one per month."),
    Problem.TOO_MANY_ROWS: _l("The file has more than %(limit)s lines. Split it into smaller files, for example one per month."),
    Problem.NOT_TEXT: _l("This is not a CSV text file. Save the sheet as CSV (UTF-8) and upload that file."),
    Problem.MISSING_COLUMNS: _l("The first line must name the columns; missing: %(value)s."),
    Problem.EMPTY: _l("The file has no shifts."),
    Problem.MISSING_VALUE: _l("Empty: this column is required."),
    Problem.UNKNOWN_EMPLOYEE: _l("No employee of your company has the e-mail address “%(value)s”."),
    Problem.BAD_DATE: _l("“%(value)s” is not a date. Write it as 2025-05-31 or 31/05/2025."),
    Problem.BAD_TIME: _l("“%(value)s” is not a time. Write it as 09:30."),
    Problem.BAD_WHOLE_NUMBER: _l("“%(value)s” is not a whole number in the allowed range."),
    Problem.BAD_AMOUNT: _l("“%(value)s” is not an amount in euro (0 to 1000, at most 2 decimals)."),
    Problem.BAD_YES_NO: _l("“%(value)s” is not yes or no."),
    Problem.BREAK_TOO_LONG: _l("The break of %(value)s minutes is as long as the shift or longer."),
    Problem.TWICE_IN_FILE: _l("This employee already has a shift starting at %(value)s that day, higher up in the file."),
}

EXPORT_ERROR_TEXT = {
    ErrorCode.PROVIDER_UNAVAILABLE: _l(
        "Connexie did not answer properly, even after several tries. No hours were marked as exported. "
        "Export the month again: Connexie replaces what it received, nothing is booked twice."
    ),
    ErrorCode.RECONNECT_NEEDED: _l(
        "Connexie no longer accepts Flexsync's API token. Paste a new token on the Integrations page, then export again."
    ),
    ErrorCode.WORKER_LOST: _l("The export stopped unexpectedly. Export the month again."),
    ErrorCode.INTERNAL: _l("Something went wrong on our side. Export the month again; if it keeps happening, contact support."),
}

REJECTED_TEXT = {
    "no_active_flex_contract": _l("Connexie has no active flex contract for that day"),
    "code_not_active": _l("The code is not activated at Connexie"),
    "code_required": _l("No code mapped"),
    "unknown_team_member": _l("Unknown at Connexie"),
}


def problem_text(error: csv_import.LineError) -> str:
    limit = csv_import.MAX_FILE_BYTES // 1024 if error.problem is Problem.FILE_TOO_BIG else csv_import.MAX_ROWS
    return str(PROBLEM_TEXT[error.problem]) % {"value": error.value, "limit": limit}


def chosen_period(default: Period | None = None) -> Period | None:
    try:
        return Period.parse(request.args.get("month", ""))
    except ValueError:
        return default


def last_month() -> Period:
    first = date.today().replace(day=1)
    return Period.of(date.fromordinal(first.toordinal() - 1))


# --- The table ------------------------------------------------------------------------


def table_context() -> dict:
    period = chosen_period() or register.latest_month()
    employee_id = request.args.get("employee", type=int)
    page = register.shifts_page(period, employee_id, request.args.get("page", 1, type=int), PAGE_SIZE)
    return {"page": page, "period": period, "employee_id": employee_id}


@bp.get("")
@hr_admin_required
def index():
    # The filters swap the rows only; a plain visit gets the whole page.
    if htmx.target == "hour-rows":
        return render_template("hours/_rows.html", **table_context())
    return render_template("hours/index.html", people=register.people_with_shifts(), **table_context())


# --- Editing one shift ----------------------------------------------------------------


class ShiftForm(Form):
    starts_at = TimeField(_l("Start"), validators=[InputRequired()])
    ends_at = TimeField(_l("End"), validators=[InputRequired()])
    break_minutes = IntegerField(_l("Break (minutes)"), validators=[InputRequired(), NumberRange(0, 24 * 60)])
    meals = IntegerField(_l("Meals"), validators=[InputRequired(), NumberRange(0, csv_import.MAX_MEALS)])
    allowance_amount = DecimalField(
        _l("Allowance (€)"), places=2, validators=[InputRequired(), NumberRange(0, csv_import.MAX_ALLOWANCE)]
    )
    approved = BooleanField(_l("Approved"))


def export_again_warning(shift: WorkedShift) -> str:
    month = shift.day.strftime("%Y-%m")
    return _(
        "These hours were exported to Connexie on %(when)s. After a change, export %(month)s again so Connexie "
        "has it: the whole month is sent again and replaces what Connexie received.",
        when=shift.exported_at.strftime("%Y-%m-%d %H:%M"),
        month=month,
    )


@bp.route("/<int:shift_id>/edit", methods=["GET", "POST"])
@hr_admin_required
def edit(shift_id: int):
    shift = tenancy.get_or_404(WorkedShift, shift_id)
    form = ShiftForm(obj=shift)
    if form.validate_on_submit():
        register.save_shift(shift, entered(form))
        flash(_("Shift of %(name)s on %(day)s saved.", name=shift.employee.display_name, day=shift.day.isoformat()), "success")
        if shift.exported_at:
            flash(export_again_warning(shift), "warning")
        return redirect(url_for("hours.index", month=Period.of(shift.day)))
    warning = export_again_warning(shift) if shift.exported_at else None
    return render_template("hours/edit.html", shift=shift, form=form, warning=warning)


# --- CSV import -----------------------------------------------------------------------


def csv_content() -> bytes:
    """The uploaded file, or the text sent back from the error page to import its valid lines."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.stream.read(csv_import.MAX_FILE_BYTES + 1)
    return request.form.get("content", "").encode("utf-8")


@bp.route("/import", methods=["GET", "POST"])
@hr_admin_required
def import_csv():
    form = Form()
    limits = {"max_rows": csv_import.MAX_ROWS, "max_kb": csv_import.MAX_FILE_BYTES // 1024}
    if not form.validate_on_submit():
        return render_template("hours/import.html", form=form, result=None, **limits)
    content = csv_content()
    result = register.read_csv(content)
    import_valid_lines = request.form.get("valid_lines_only") == "yes"
    if result.file_refused or (result.errors and not import_valid_lines) or not result.rows:
        # Nothing is imported from a file with errors unless the admin says so.
        return render_template(
            "hours/import.html",
            form=form,
            result=result,
            problem_text=problem_text,
            **limits,
            content="" if result.file_refused else csv_import.decode(content),
        ), 400
    added, updated, exported = register.save_rows(result.rows)
    flash(_("Shifts added: %(added)s, updated: %(updated)s.", added=added, updated=updated), "success")
    if result.errors:
        flash(
            ngettext(
                "%(num)s line with errors was not imported.",
                "%(num)s lines with errors were not imported.",
                result.lines_with_errors,
            ),
            "warning",
        )
    if exported:
        flash(
            _("%(count)s of the updated shifts were already exported to Connexie: export their month again.", count=exported),
            "warning",
        )
    return redirect(url_for("hours.index", month=Period.of(result.rows[0].day)))


# --- Export to Connexie ---------------------------------------------------------------


@bp.get("/export")
@hr_admin_required
def export_preview():
    integration = connexie_export.connexie_integration()
    period = chosen_period(last_month())
    plan = connexie_export.preview(period, integration) if integration else None
    earlier = connexie_export.earlier_exports(period)
    return render_template(
        "hours/export.html",
        integration=integration,
        period=period,
        plan=plan,
        earlier=earlier,
        left_out_text=LEFT_OUT_TEXT,
        line_type_text=LINE_TYPE_TEXT,
    )


@bp.post("/export")
@hr_admin_required
def start_export():
    integration = connexie_export.connexie_integration()
    try:
        period = Period.parse(request.form.get("month", ""))
    except ValueError:
        abort(400)
    if integration is None or not Form().validate():
        abort(400)
    try:
        export = connexie_export.request_export(integration, period, current_user)
    except ServiceUnavailable:
        current_app.logger.warning("Export refused: Redis unavailable")
        flash(_("The export service is unavailable right now. Nothing was sent: try again in a minute."), "error")
        return redirect(url_for("hours.export_preview", month=period))
    return redirect(url_for("hours.export_run", export_id=export.id))


def export_context(export: HoursExport) -> dict:
    return {
        "export": export,
        "period": Period.of(export.period_start),
        "error_text": EXPORT_ERROR_TEXT,
        "rejected_text": REJECTED_TEXT,
        "line_type_text": LINE_TYPE_TEXT,
    }


@bp.get("/exports/<int:export_id>")
@hr_admin_required
def export_run(export_id: int):
    return render_template("hours/export_run.html", **export_context(tenancy.get_or_404(HoursExport, export_id)))


@bp.get("/exports/<int:export_id>/progress")
@hr_admin_required
def export_progress(export_id: int):
    export = tenancy.get_or_404(HoursExport, export_id)
    # The progress block polls itself with htmx; an address typed in gets the export's page.
    if not htmx:
        return redirect(url_for("hours.export_run", export_id=export.id))
    return render_template("hours/_export_progress.html", **export_context(export))
