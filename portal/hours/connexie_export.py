"""Exports of worked hours to Connexie: start or join one, carry it out, close it.

`request_export` is what the Export button calls; `execute_export` is what the
worker runs. The rules (what goes, what is left out) live in `portal.hours.rules`.
Every attempt of a month posts *all* of that month under the month's one export
key, so a retry after a failure, a second export, or a crash between posting and
marking never books hours twice: Connexie replaces the lines stored under a key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select, update

from jobs.settings import HOURS_EXPORT
from portal import tenancy
from portal.extensions import db
from portal.hours.rules import CodeMapping, Contract, ExportPlan, Line, Period, Shift, export_key, plan_export
from portal.integrations import connectors
from portal.models import (
    OPEN_EXPORT_STATES,
    Employee,
    ExportState,
    HoursExport,
    Integration,
    IntegrationState,
    User,
    WageContract,
    WorkedShift,
)
from portal.providers.base import Provider, ProviderUnavailable, ReconnectNeeded
from portal.providers.connexie import ConnexieConnector
from portal.runs.lifecycle import ErrorCode, Lifecycle, utcnow

# Marking shifts as exported is committed in batches, so the progress bar moves.
MARK_BATCH = 200

EXPORTS: Lifecycle[HoursExport] = Lifecycle(
    model=HoursExport,
    job=HOURS_EXPORT,
    status="status",
    open_states=OPEN_EXPORT_STATES,
    error_state=ExportState.ERROR,
    # Every attempt may take its whole timeout: only after all of them is the export lost.
    silence_allowed=timedelta(seconds=HOURS_EXPORT.timeout_s * (HOURS_EXPORT.retries + 1)),
    lost_detail="The export stopped without reporting back.",
)
close_after_crash = EXPORTS.close_after_crash
close_stale_exports = EXPORTS.close_stale


def shifts_of(period: Period, integration: Integration) -> list[Shift]:
    """The month's shifts with what the rules need, in one query (no query per shift)."""
    rows = db.session.execute(
        select(WorkedShift, Employee, WageContract)
        .join(Employee, WorkedShift.employee_id == Employee.id)
        .outerjoin(WageContract, WageContract.employee_id == Employee.id)
        .where(WorkedShift.day.between(period.start, period.end))
        .order_by(WorkedShift.day, Employee.last_name, Employee.first_name, WorkedShift.starts_at)
    ).all()
    return [as_shift(shift, employee, contract, integration) for shift, employee, contract in rows]


def as_shift(shift: WorkedShift, employee: Employee, contract: WageContract | None, integration: Integration) -> Shift:
    from_connexie = employee.integration_id == integration.id and employee.provider_id
    return Shift(
        shift_id=shift.id,
        employee_name=employee.display_name,
        team_member_id=employee.provider_id if from_connexie else None,
        day=shift.day,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        break_minutes=shift.break_minutes,
        meals=shift.meals,
        allowance_amount=shift.allowance_amount,
        approved=shift.approved,
        contract=Contract(contract.contract_type, contract.start_date, contract.end_date) if contract else None,
    )


def preview(period: Period, integration: Integration) -> ExportPlan:
    return plan_export(shifts_of(period, integration), CodeMapping.from_settings(integration.settings or {}))


def connexie_integration() -> Integration | None:
    """The tenant's active Connexie integration; exports need one."""
    return db.session.execute(
        select(Integration).where(
            Integration.provider == Provider.CONNEXIE,
            Integration.state == IntegrationState.ACTIVE,
            Integration.available.is_(True),
        )
    ).scalar_one_or_none()


def open_export(key: str) -> HoursExport | None:
    return (
        db.session.execute(select(HoursExport).where(HoursExport.export_key == key, HoursExport.status.in_(OPEN_EXPORT_STATES)))
        .scalars()
        .first()
    )


def earlier_exports(period: Period, limit: int = 5) -> list[HoursExport]:
    """The month's latest exports, newest first, for the export page."""
    return list(
        db.session.execute(
            select(HoursExport).where(HoursExport.period_start == period.start).order_by(HoursExport.id.desc()).limit(limit)
        ).scalars()
    )


def request_export(integration: Integration, period: Period, user: User | None) -> HoursExport:
    """Start an export of the month, or join the one already under way for it."""
    key = export_key(integration.tenant_id, integration.id, period)
    export = HoursExport(
        tenant_id=integration.tenant_id,
        integration_id=integration.id,
        period_start=period.start,
        period_end=period.end,
        export_key=key,
        created_by_id=user.id if user else None,
        status=ExportState.QUEUED,
    )
    return EXPORTS.start_or_join(
        lambda: open_export(key), export, f"Export hours {period} of tenant {integration.tenant_id} to Connexie"
    )


def execute_export(export_id: int, config: dict) -> None:
    """Carry out one export; safe to run again for the same export after any crash."""
    export = db.session.execute(select(HoursExport).where(HoursExport.id == export_id)).scalar_one_or_none()
    if export is None or not export.status.is_open:
        return
    with tenancy.acting_for(export.tenant_id):
        integration = db.session.get(Integration, export.integration_id)
        export.status, export.started_at = ExportState.RUNNING, utcnow()
        db.session.commit()
        plan = preview(Period.of(export.period_start), integration)
        try:
            answer = connector_of(integration, config).post_hours(
                export.export_key,
                {"start": export.period_start.isoformat(), "end": export.period_end.isoformat()},
                [line.as_json() for line in plan.lines],
            )
        except ReconnectNeeded as error:
            integration.state = IntegrationState.RECONNECT_NEEDED
            finish(export, ExportState.ERROR, ErrorCode.RECONNECT_NEEDED, str(error))
            return
        except ProviderUnavailable as error:
            finish(export, ExportState.ERROR, ErrorCode.PROVIDER_UNAVAILABLE, str(error))
            return
        refused = record_answer(export, plan.lines, answer)
        mark_exported(export, plan.exported_shift_ids - refused)
        finish(export, ExportState.PARTIAL if refused else ExportState.SUCCESS)


def connector_of(integration: Integration, config: dict) -> ConnexieConnector:
    connector = connectors.for_background_work(integration, config)
    assert isinstance(connector, ConnexieConnector)
    return connector


def record_answer(export: HoursExport, lines: tuple[Line, ...], answer: dict) -> set[int]:
    """Store Connexie's counts and refusals; the shifts with a refused line."""
    refusals = [
        (lines[item["index"]], str(item.get("reason")))
        for item in answer.get("rejected") or []
        if isinstance(item.get("index"), int) and 0 <= item["index"] < len(lines)
    ]
    export.lines_sent = len(lines)
    export.lines_accepted = int(answer.get("lines_accepted", len(lines) - len(refusals)))
    export.lines_rejected = len(refusals)
    export.rejected = [
        {"employee": line.employee_name, "day": line.day.isoformat(), "type": line.line_type.value, "reason": reason}
        for line, reason in refusals
    ]
    db.session.commit()
    return {line.shift_id for line, _ in refusals}


def mark_exported(export: HoursExport, shift_ids: Iterable[int]) -> None:
    """Exported shifts get the time; shifts of the month no longer sent lose the mark,
    because the re-export replaced what Connexie had for them."""
    period_shifts = select(WorkedShift.id).where(WorkedShift.day.between(export.period_start, export.period_end))
    chosen = sorted(shift_ids)
    db.session.execute(
        update(WorkedShift)
        .where(WorkedShift.id.in_(period_shifts), WorkedShift.id.not_in(chosen))
        .values(exported_at=None, export_id=None)
        .execution_options(synchronize_session=False)
    )
    export.shifts_total, export.shifts_marked = len(chosen), 0
    db.session.commit()
    now = utcnow()
    for start in range(0, len(chosen), MARK_BATCH):
        batch = chosen[start : start + MARK_BATCH]
        db.session.execute(
            update(WorkedShift)
            .where(WorkedShift.id.in_(batch))
            # updated_at moves with it: "changed since export" compares the two.
            .values(exported_at=now, export_id=export.id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        export.shifts_marked += len(batch)
        db.session.commit()


def finish(export: HoursExport, status: ExportState, error_code: ErrorCode | None = None, detail: str | None = None) -> None:
    EXPORTS.finish(export, status, error_code, detail)
    db.session.commit()
