"""The last nightly run of every integration, as one event: when it began and ended, how many runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from jobs.settings import NIGHTLY_TIMEOUT_S
from portal.extensions import db
from portal.models import OPEN_STATES, RunState, SyncRun, Trigger


@dataclass(frozen=True)
class NightlyRun:
    started_at: datetime
    # None while some of its runs are still queued or running.
    ended_at: datetime | None
    runs: int
    still_open: int
    errors: int


def last_nightly_run() -> NightlyRun | None:
    latest = db.session.execute(select(func.max(SyncRun.queued_at)).where(SyncRun.trigger == Trigger.NIGHTLY)).scalar_one()
    if latest is None:
        return None
    # One night's runs are all queued by one job, which may take its whole timeout doing so.
    night = SyncRun.trigger == Trigger.NIGHTLY, SyncRun.queued_at >= latest - timedelta(seconds=NIGHTLY_TIMEOUT_S)
    started_at, ended_at, runs, still_open, errors = db.session.execute(
        select(
            func.min(SyncRun.queued_at),
            func.max(SyncRun.finished_at),
            func.count(),
            func.sum(case((SyncRun.status.in_(OPEN_STATES), 1), else_=0)),
            func.sum(case((SyncRun.status == RunState.ERROR, 1), else_=0)),
        ).where(*night)
    ).one()
    return NightlyRun(started_at, None if still_open else ended_at, runs, still_open, errors)
