"""The hours register: the table of worked shifts, editing, CSV import, export to Connexie."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager
from wtforms import BooleanField, DecimalField, IntegerField, TimeField
from wtforms.validators import InputRequired, NumberRange

from portal import tenancy
from portal.hours import connexie_export
from portal.runs.lifecycle import ErrorCode, ServiceUnavailable
from portal.hours import csv_import
from portal.extensions import db, htmx
from portal.hours.rules import LeftOutReason, LineType, Period, worked_hours
from portal.hours.csv_import import Problem
from portal.models import Employee, HoursExport, WorkedShift
from portal.web.access import hr_admin_required
from portal.web.forms import Form

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
        "Export the month again: Connexie replaces what it received, nothing is booked twice."),
    ErrorCode.RECONNECT_NEEDED: _l(
        "Connexie no longer accepts Flexsync's API token. Paste a new token on the Integrations page, then export again."),
    ErrorCode.WORKER_LOST: _l("The export stopped unexpectedly. Export the month again."),
    ErrorCode.INTERNAL: _l(
        "Something went wrong on our side. Export the month again; if it keeps happening, contact support."),
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

def latest_month() -> Period:
    """Where the table opens: the month of the latest shift, usually the one payroll waits for."""
    latest = db.session.execute(select(func.max(WorkedShift.day))).scalar_one_or_none()
    return Period.of(latest or date.today())


def table_context() -> dict:
    period = chosen_period() or latest_month()
    employee_id = request.args.get("employee", type=int)
    statement = (
        select(WorkedShift).join(Employee, WorkedShift.employee_id == Employee.id)
        .where(WorkedShift.day.between(period.start, period.end))
        .order_by(WorkedShift.day, Employee.last_name, Employee.first_name, WorkedShift.starts_at)
    )
    if employee_id:
        statement = statement.where(WorkedShift.employee_id == employee_id)
    page = db.paginate(statement.options(contains_eager(WorkedShift.employee)),
                       page=request.args.get("page", 1, type=int), per_page=PAGE_SIZE, error_out=False)
    return {"page": page, "period": period, "employee_id": employee_id}


@bp.get("")
@hr_admin_required
def index():
    # The filters swap the rows only; a plain visit gets the whole page.
    if htmx.target == "hour-rows":
        return render_template("hours/_rows.html", **table_context())
    people = db.session.execute(
        select(Employee.id, Employee.first_name, Employee.last_name)
        .where(Employee.id.in_(select(WorkedShift.employee_id))).order_by(Employee.last_name, Employee.first_name)
    ).all()
    return render_template("hours/index.html", people=people, **table_context())


# --- Editing one shift ----------------------------------------------------------------

class ShiftForm(Form):
    starts_at = TimeField(_l("Start"), validators=[InputRequired()])
    ends_at = TimeField(_l("End"), validators=[InputRequired()])
    break_minutes = IntegerField(_l("Break (minutes)"), validators=[InputRequired(), NumberRange(0, 24 * 60)])
    meals = IntegerField(_l("Meals"), validators=[InputRequired(), NumberRange(0, csv_import.MAX_MEALS)])
    allowance_amount = DecimalField(_l("Allowance (€)"), places=2,
                                    validators=[InputRequired(), NumberRange(0, csv_import.MAX_ALLOWANCE)])
    approved = BooleanField(_l("Approved"))


def export_again_warning(shift: WorkedShift) -> str:
    month = shift.day.strftime("%Y-%m")
    return _("These hours were exported to Connexie on %(when)s. After a change, export %(month)s again so Connexie "
             "has it: the whole month is sent again and replaces what Connexie received.",
             when=shift.exported_at.strftime("%Y-%m-%d %H:%M"), month=month)


@bp.route("/<int:shift_id>/edit", methods=["GET", "POST"])
@hr_admin_required
def edit(shift_id: int):
    shift = tenancy.get_or_404(WorkedShift, shift_id)
    form = ShiftForm(obj=shift)
    if form.validate_on_submit():
        form.populate_obj(shift)
        shift.updated_at = datetime.utcnow()
        db.session.commit()
        flash(_("Shift of %(name)s on %(day)s saved.", name=shift.employee.display_name, day=shift.day.isoformat()), "success")
        if shift.exported_at:
            flash(export_again_warning(shift), "warning")
        return redirect(url_for("hours.index", month=Period.of(shift.day)))
    warning = export_again_warning(shift) if shift.exported_at else None
    return render_template("hours/edit.html", shift=shift, form=form, warning=warning)


# --- CSV import -----------------------------------------------------------------------

def employee_ids_by_email() -> dict[str, int]:
    return dict(db.session.execute(select(Employee.email, Employee.id).where(Employee.active.is_(True))).all())


def save_rows(rows: list[csv_import.ShiftRow]) -> tuple[int, int, int]:
    """Adds new shifts and updates the ones already in the register (same person, day
    and start), so importing a file twice changes nothing. Returns added, updated,
    and how many of the updated ones had been exported already."""
    keys = {(r.employee_id, r.day, r.starts_at) for r in rows}
    existing = {
        (s.employee_id, s.day, s.starts_at): s
        for s in db.session.execute(select(WorkedShift).where(
            WorkedShift.employee_id.in_({k[0] for k in keys}),
            WorkedShift.day.between(min(k[1] for k in keys), max(k[1] for k in keys)))).scalars()
    }
    added = updated = exported = 0
    now = datetime.utcnow()
    for row in rows:
        values = dict(ends_at=row.ends_at, break_minutes=row.break_minutes, meals=row.meals,
                      allowance_amount=row.allowance_amount, approved=row.approved)
        shift = existing.get((row.employee_id, row.day, row.starts_at))
        if shift is None:
            db.session.add(WorkedShift(employee_id=row.employee_id, day=row.day, starts_at=row.starts_at, **values))
            added += 1
        elif any(getattr(shift, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(shift, name, value)
            shift.updated_at = now
            updated += 1
            exported += shift.exported_at is not None
    db.session.commit()
    return added, updated, exported


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
    result = csv_import.read_shifts(content, employee_ids_by_email())
    import_valid_lines = request.form.get("valid_lines_only") == "yes"
    if result.file_refused or (result.errors and not import_valid_lines) or not result.rows:
        # Nothing is imported from a file with errors unless the admin says so.
        return render_template("hours/import.html", form=form, result=result, problem_text=problem_text,
                               **limits,
                               content="" if result.file_refused else csv_import.decode(content)), 400
    added, updated, exported = save_rows(result.rows)
    flash(_("Shifts added: %(added)s, updated: %(updated)s.", added=added, updated=updated), "success")
    if result.errors:
        flash(ngettext("%(num)s line with errors was not imported.", "%(num)s lines with errors were not imported.",
                       result.lines_with_errors), "warning")
    if exported:
        flash(_("%(count)s of the updated shifts were already exported to Connexie: export their month again.",
                count=exported), "warning")
    return redirect(url_for("hours.index", month=Period.of(result.rows[0].day)))


# --- Export to Connexie ---------------------------------------------------------------

@bp.get("/export")
@hr_admin_required
def export_preview():
    integration = connexie_export.connexie_integration()
    period = chosen_period(last_month())
    plan = connexie_export.preview(period, integration) if integration else None
    earlier = db.session.execute(
        select(HoursExport).where(HoursExport.period_start == period.start).order_by(HoursExport.id.desc()).limit(5)
    ).scalars().all()
    return render_template("hours/export.html", integration=integration, period=period, plan=plan, earlier=earlier,
                           left_out_text=LEFT_OUT_TEXT, line_type_text=LINE_TYPE_TEXT)


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
    return {"export": export, "period": Period.of(export.period_start), "error_text": EXPORT_ERROR_TEXT,
            "rejected_text": REJECTED_TEXT, "line_type_text": LINE_TYPE_TEXT}


@bp.get("/exports/<int:export_id>")
@hr_admin_required
def export_run(export_id: int):
    return render_template("hours/export_run.html", **export_context(tenancy.get_or_404(HoursExport, export_id)))


@bp.get("/exports/<int:export_id>/progress")
@hr_admin_required
def export_progress(export_id: int):
    return render_template("hours/_export_progress.html", **export_context(tenancy.get_or_404(HoursExport, export_id)))
