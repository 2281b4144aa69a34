"""What needs the HR admin's attention, for the dashboard: integrations that stopped, people
waiting for a decision, and the last run of every activated integration.

Counts only, in five queries however many people the company has (the employees table may
hold 50,000): the pages the dashboard links to list the people themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, ScalarSelect, distinct, func, select
from sqlalchemy.orm import aliased

from portal.employees import directory
from portal.employees.directory import ListFilter
from portal.extensions import db
from portal.models import (
    OPEN_STATES,
    Discrepancy,
    DiscrepancyStatus,
    Integration,
    IntegrationState,
    RunState,
    SelectionEntry,
    SyncRun,
    SyncRunEmployee,
)
from portal.providers.base import Provider
from portal.sync.plan import Action
from portal.sync.state import SyncMode


class Concern(enum.StrEnum):
    """What the admin is asked to look at, most urgent first."""

    RECONNECT_NEEDED = "reconnect_needed"
    INTEGRATION_ERROR = "integration_error"
    FAILED_EMPLOYEES = "failed_employees"
    SELECTION_TO_REVIEW = "selection_to_review"
    EMAIL_CHANGES = "email_changes"
    PROBABLE_DUPLICATES = "probable_duplicates"
    EXTERNAL_USERS = "external_users"
    NO_BUDGET = "no_budget"


# The employees list shows the people of these concerns under one of its filters.
LIST_FILTERS = {
    Concern.EMAIL_CHANGES: ListFilter.EMAIL_CHANGES,
    Concern.PROBABLE_DUPLICATES: ListFilter.PROBABLE_DUPLICATE,
    Concern.EXTERNAL_USERS: ListFilter.EXTERNAL,
    Concern.NO_BUDGET: ListFilter.NO_BUDGET,
}


@dataclass(frozen=True, slots=True)
class Attention:
    concern: Concern
    # How many people (or lines of a run) it is about; 1 for a stopped integration.
    count: int
    provider: Provider | None = None
    # The last run, whose failed lines are meant.
    run_id: int | None = None

    @property
    def list_filter(self) -> ListFilter | None:
        return LIST_FILTERS.get(self.concern)


@dataclass(frozen=True, slots=True)
class IntegrationRuns:
    """An activated integration, its last finished run, and the run going on now, if any."""

    integration: Integration
    last_run: SyncRun | None
    open_run: SyncRun | None

    @property
    def provider(self) -> Provider:
        return self.integration.provider

    @property
    def reconnect_needed(self) -> bool:
        return self.integration.state is IntegrationState.RECONNECT_NEEDED

    @property
    def in_error(self) -> bool:
        # As its card says: active, but the last run ended in Error.
        return (
            self.integration.state is IntegrationState.ACTIVE
            and self.last_run is not None
            and self.last_run.status is RunState.ERROR
        )


@dataclass(frozen=True, slots=True)
class Dashboard:
    attention: list[Attention]
    integrations: list[IntegrationRuns]


def dashboard(year: int) -> Dashboard:
    integrations = activated_integrations()
    return Dashboard([*_integration_concerns(integrations), *_people_concerns(year)], integrations)


def activated_integrations() -> list[IntegrationRuns]:
    """In the order of the integrations page, in one query of a few index steps each.

    The open run, if any, is the newest: no run can start while one is open
    (`uq_sync_runs_one_open_per_integration`); asked for by its status, it would be looked
    for among every past run of the integration.

    The aliases are built per call: shared by a gunicorn worker's threads, aliases built
    once at import raced the first time several threads ran this query together, and about
    one worker in ten then failed the dashboard with a 500 on every request until it was
    restarted (`make soak`; docs/reliability.md, "Load: the soak").
    """
    last, newest = aliased(SyncRun, name="last_run"), aliased(SyncRun, name="newest_run")
    rows = db.session.execute(
        select(Integration, last, newest)
        .select_from(Integration)
        .outerjoin(last, last.id == _newest_run_id(SyncRun.status.not_in(OPEN_STATES)))
        .outerjoin(newest, newest.id == _newest_run_id())
        .where(
            Integration.available.is_(True),
            Integration.state.in_([IntegrationState.ACTIVE, IntegrationState.RECONNECT_NEEDED]),
        )
    ).all()
    order = list(Provider)
    found = [
        IntegrationRuns(integration, last_run, newest_run if newest_run and newest_run.status.is_open else None)
        for integration, last_run, newest_run in rows
    ]
    return sorted(found, key=lambda each: order.index(each.provider))


def _newest_run_id(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return (
        select(SyncRun.id)
        .where(SyncRun.integration_id == Integration.id, *conditions)
        .order_by(SyncRun.id.desc())
        .limit(1)
        .correlate(Integration)
        .scalar_subquery()
    )


def _integration_concerns(integrations: Sequence[IntegrationRuns]) -> list[Attention]:
    failed = _failed_lines([each.last_run.id for each in integrations if each.last_run is not None])
    to_review = _to_review([each.integration.id for each in integrations if each.integration.sync_mode is SyncMode.SELECTIVE])
    found = [Attention(Concern.RECONNECT_NEEDED, 1, each.provider) for each in integrations if each.reconnect_needed]
    found += [Attention(Concern.INTEGRATION_ERROR, 1, each.provider) for each in integrations if each.in_error]
    for each in integrations:
        if each.last_run is not None and failed.get(each.last_run.id):
            found.append(Attention(Concern.FAILED_EMPLOYEES, failed[each.last_run.id], each.provider, each.last_run.id))
    found += [
        Attention(Concern.SELECTION_TO_REVIEW, to_review[each.integration.id], each.provider)
        for each in integrations
        if to_review.get(each.integration.id)
    ]
    return found


def _failed_lines(run_ids: list[int]) -> dict[int, int]:
    """Failed lines per run, counted in `ix_sync_run_employees_run` alone."""
    if not run_ids:
        return {}
    rows = db.session.execute(
        select(SyncRunEmployee.run_id, func.count())
        .where(SyncRunEmployee.run_id.in_(run_ids), SyncRunEmployee.action == Action.FAIL)
        .group_by(SyncRunEmployee.run_id)
    )
    return {run_id: count for run_id, count in rows}


def _to_review(integration_ids: list[int]) -> dict[int, int]:
    """People offered in a selection window since the admin last saved it with them in it."""
    if not integration_ids:
        return {}
    rows = db.session.execute(
        select(SelectionEntry.integration_id, func.count())
        .where(SelectionEntry.integration_id.in_(integration_ids), SelectionEntry.reviewed_at.is_(None))
        .group_by(SelectionEntry.integration_id)
    )
    return {integration_id: count for integration_id, count in rows}


def _people_concerns(year: int) -> list[Attention]:
    counts = directory.counts_by_filter(year, [ListFilter.PROBABLE_DUPLICATE, ListFilter.EXTERNAL, ListFilter.NO_BUDGET])
    counts[ListFilter.EMAIL_CHANGES] = _people_with_open_discrepancies()
    return [Attention(concern, counts[chosen]) for concern, chosen in LIST_FILTERS.items() if counts[chosen]]


def _people_with_open_discrepancies() -> int:
    """The people the list's "E-mail changes" filter shows, counted from their changes: asked
    per employee, SQLite reads all of the company's changes for each of them."""
    return db.session.execute(
        select(func.count(distinct(Discrepancy.employee_id))).where(Discrepancy.status == DiscrepancyStatus.OPEN)
    ).scalar_one()
