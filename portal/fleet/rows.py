"""The fleet's rows: one per company and integration, what needs attention first.

10,000 companies are sorted in SQL, on what each run's end keeps on the integration
(`last_run_id`, `failed_runs_in_a_row`, see `portal.runs.sync_runs`); only the page shown
is read further (people waiting for review, a run going on now).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import ColumnElement, Row, Select, and_, case, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from portal.extensions import db
from portal.integrations.overview import CardState
from portal.models import OPEN_STATES, EmployeeProblem, Integration, IntegrationState, RunState, SelectionEntry, SyncRun, Tenant
from portal.providers.base import Provider
from portal.sync.state import SyncMode

# The states a row can be in, in the order the filter offers them.
FLEET_STATES = (CardState.RECONNECT_NEEDED, CardState.ERROR, CardState.ACTIVE, CardState.AVAILABLE, CardState.DISABLED)


@dataclass(frozen=True)
class FleetFilter:
    provider: Provider | None = None
    state: CardState | None = None
    # A company's name, or its VAT number written any way ("BE 0123.456.749").
    search: str = ""


@dataclass(frozen=True)
class FleetRow:
    integration_id: int
    tenant_id: int
    company: str
    vat_number: str | None
    company_deactivated: bool
    provider: Provider
    state: CardState
    failed_runs_in_a_row: int
    last_run_id: int | None
    last_run_status: RunState | None
    last_run_finished_at: datetime | None
    last_run_seconds: float | None
    # People its syncs fail for, one per person and cause, until a run syncs them again.
    open_problems: int
    # Its last run failed as many of the provider's did: the outage banner tells about it.
    in_outage: bool = False
    # Selective sync: people offered and not yet seen by the admin; None in full mode.
    to_review: int | None = None
    running: bool = False
    # Active and the company still with us: the next nightly run syncs it.
    syncs_tonight: bool = False


def _state() -> ColumnElement[str]:
    return case(
        (Integration.state == IntegrationState.RECONNECT_NEEDED, CardState.RECONNECT_NEEDED.value),
        (Integration.state == IntegrationState.DISABLED, CardState.DISABLED.value),
        (Integration.state == IntegrationState.AVAILABLE, CardState.AVAILABLE.value),
        (SyncRun.status == RunState.ERROR, CardState.ERROR.value),
        else_=CardState.ACTIVE.value,
    )


def _attention(in_outage: ColumnElement[bool]) -> ColumnElement[int]:
    """0: someone must act on this company (reconnect, last run in error); 1: the rest, and
    failures a provider outage explains (one banner says so, not a red row each); 2: switched
    off, whose past failures need nobody now."""
    return case(
        (in_outage, 1),
        (Integration.state == IntegrationState.RECONNECT_NEEDED, 0),
        (and_(Integration.state == IntegrationState.ACTIVE, SyncRun.status == RunState.ERROR), 0),
        (Integration.state == IntegrationState.DISABLED, 2),
        else_=1,
    )


def _in_outage(outages: Collection[tuple[Provider, str]]) -> ColumnElement[bool]:
    if not outages:
        return false()
    return or_(*(and_(Integration.provider == provider, SyncRun.error_code == cause) for provider, cause in outages))


def fleet_statement(chosen: FleetFilter, outages: Collection[tuple[Provider, str]] = ()) -> Select:
    """`outages`: the (provider, error code) pairs of the outages the page shows in a banner."""
    in_outage = _in_outage(outages)
    statement = select(
        Integration.id.label("integration_id"),
        Tenant.id.label("tenant_id"),
        Tenant.name.label("company"),
        Tenant.vat_number,
        Tenant.deactivated_at,
        Integration.provider,
        _state().label("state"),
        Integration.failed_runs_in_a_row,
        Integration.sync_mode,
        SyncRun.id.label("run_id"),
        SyncRun.status,
        SyncRun.started_at,
        SyncRun.finished_at,
        SyncRun.failed,
        in_outage.label("in_outage"),
    ).order_by(
        _attention(in_outage),
        Integration.failed_runs_in_a_row.desc(),
        func.coalesce(SyncRun.failed, 0).desc(),
        func.lower(Tenant.name),
        Tenant.id,
        Integration.provider,
    )
    return _chosen_rows(statement, chosen, tenants=True, runs=True)


def _count_statement(chosen: FleetFilter) -> Select:
    """The rows' count joins only what the filters read: 10,000 lookups fewer per join left out."""
    statement = select(func.count(Integration.id))
    return _chosen_rows(statement, chosen, tenants=bool(chosen.search.strip()), runs=chosen.state is not None)


def _chosen_rows(statement: Select, chosen: FleetFilter, tenants: bool, runs: bool) -> Select:
    statement = statement.select_from(Integration)
    if tenants:
        statement = statement.join(Tenant, Tenant.id == Integration.tenant_id)
    if runs:
        statement = statement.outerjoin(SyncRun, SyncRun.id == Integration.last_run_id)
    # Made available, or activated once (and switched off since): never-offered providers are no row.
    statement = statement.where(or_(Integration.available.is_(True), Integration.state != IntegrationState.AVAILABLE))
    if chosen.provider is not None:
        statement = statement.where(Integration.provider == chosen.provider)
    if chosen.state is not None:
        statement = statement.where(_state() == chosen.state.value)
    if text := chosen.search.strip():
        matches = [func.lower(Tenant.name).contains(text.lower(), autoescape=True)]
        if vat := re.sub(r"[\s.\-/]", "", text.upper()):
            matches.append(Tenant.vat_number.contains(vat, autoescape=True))
        statement = statement.where(or_(*matches))
    return statement


class _RowsPagination(SelectPagination):
    """`db.paginate` keeps the first column of each row, and counts through every join."""

    def _query_items(self) -> list:
        statement = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(statement).all())

    def _query_count(self) -> int:
        return self._query_args["session"].execute(self._query_args["counted"]).scalar_one()


def fleet_page(chosen: FleetFilter, page: int, per_page: int, outages: Collection[tuple[Provider, str]] = ()) -> SelectPagination:
    """The page of rows asked for, most in need of help first; `items` are `FleetRow`s."""
    rows = _RowsPagination(
        select=fleet_statement(chosen, outages),
        counted=_count_statement(chosen),
        session=db.session(),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    shown = [row.integration_id for row in rows.items]
    waiting = _to_review([row.integration_id for row in rows.items if row.sync_mode is SyncMode.SELECTIVE])
    running = _running(shown)
    problems = _open_problems(shown)
    rows.items = [
        _row(row, waiting.get(row.integration_id), row.integration_id in running, problems.get(row.integration_id, 0))
        for row in rows.items
    ]
    return rows


def _row(row: Row, to_review: int | None, running: bool, open_problems: int) -> FleetRow:
    state = CardState(row.state)
    seconds = (row.finished_at - row.started_at).total_seconds() if row.started_at and row.finished_at else None
    selective = row.sync_mode is SyncMode.SELECTIVE
    return FleetRow(
        integration_id=row.integration_id,
        tenant_id=row.tenant_id,
        company=row.company,
        vat_number=row.vat_number,
        company_deactivated=row.deactivated_at is not None,
        provider=row.provider,
        state=state,
        failed_runs_in_a_row=row.failed_runs_in_a_row,
        last_run_id=row.run_id,
        last_run_status=row.status,
        last_run_finished_at=row.finished_at,
        last_run_seconds=seconds,
        open_problems=open_problems,
        in_outage=bool(row.in_outage),
        to_review=(to_review or 0) if selective else None,
        running=running,
        syncs_tonight=state in (CardState.ACTIVE, CardState.ERROR) and row.deactivated_at is None,
    )


def _to_review(integration_ids: list[int]) -> dict[int, int]:
    """Selective sync: people offered and not yet seen by the admin, per integration."""
    return _counted(SelectionEntry.integration_id, SelectionEntry.reviewed_at.is_(None), integration_ids)


def _open_problems(integration_ids: list[int]) -> dict[int, int]:
    """People failing until a run syncs them again (`portal.runs.problems`): after a sync of
    changes or a run its worker lost, the last run's failures are not the company's problems."""
    return _counted(EmployeeProblem.integration_id, EmployeeProblem.resolved_at.is_(None), integration_ids)


def _counted(
    integration_column: InstrumentedAttribute[int], still_open: ColumnElement[bool], integration_ids: list[int]
) -> dict[int, int]:
    """Integration id -> how many rows are still open, for the integrations shown."""
    if not integration_ids:
        return {}
    counted = db.session.execute(
        select(integration_column, func.count())
        .where(integration_column.in_(integration_ids), still_open)
        .group_by(integration_column)
    )
    return {integration_id: count for integration_id, count in counted}


def _running(integration_ids: list[int]) -> set[int]:
    if not integration_ids:
        return set()
    return set(
        db.session.execute(
            select(SyncRun.integration_id).where(SyncRun.integration_id.in_(integration_ids), SyncRun.status.in_(OPEN_STATES))
        ).scalars()
    )
