from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.integration import Integration
from portal.models.types import enum_column
from portal.models.user import User
from portal.sync.changes import FullSyncReason
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from portal.tenancy import TenantScoped


class Trigger(enum.StrEnum):
    NIGHTLY = "nightly"
    MANUAL = "manual"
    RETRY = "retry"
    # The schedule of changes, every few minutes (`Integration.delta_every_minutes`).
    INTERVAL = "interval"


class RunKind(enum.StrEnum):
    # Everyone the provider lists; whoever it no longer lists is deactivated.
    FULL = "full"
    # Only the people changed at the provider since the integration's cursor; nobody is
    # deactivated, the nightly full sync finds removals.
    DELTA = "delta"


class RunState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    PARTIAL = "partial"
    ERROR = "error"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATES


# Someone still owes the run: it is waiting for a worker or being carried out.
OPEN_STATES = (RunState.QUEUED, RunState.RUNNING)


class Phase(enum.StrEnum):
    WAITING = "waiting"
    FETCHING = "fetching"
    FINISHING = "finishing"
    DONE = "done"


class SyncRun(TenantScoped, db.Model):
    """One sync of one integration: who started it, how far it got, how it ended."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        # The database guard behind "one sync per integration at a time": a second open
        # run for the same integration cannot even be inserted.
        Index(
            "uq_sync_runs_one_open_per_integration",
            "integration_id",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        # Every query here carries the tenant (portal/tenancy.py): leading with it lets the
        # history page count 100,000 runs, with or without a status, in the index alone.
        Index("ix_sync_runs_history", "tenant_id", "integration_id", "id", "status"),
        # The fleet page's last nightly run: the night's runs, how they ended, in the index alone.
        Index("ix_sync_runs_nightly", "trigger", "queued_at", "status", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"))
    trigger: Mapped[Trigger] = mapped_column(enum_column(Trigger))
    kind: Mapped[RunKind] = mapped_column(enum_column(RunKind), default=RunKind.FULL, server_default=RunKind.FULL.value)
    # A run asked for the changes only that listed everyone instead, and why.
    full_sync_reason: Mapped[FullSyncReason | None] = mapped_column(enum_column(FullSyncReason))
    # A run of changes: the provider's moment (UTC) its listing started from.
    changes_since: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[RunState] = mapped_column(enum_column(RunState), default=RunState.QUEUED, index=True)
    phase: Mapped[Phase] = mapped_column(enum_column(Phase), default=Phase.WAITING)
    fetched: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    deactivated: Mapped[int] = mapped_column(default=0)
    new_to_review: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[datetime | None]
    # Indexed: the metrics read the runs that ended in the last 24 hours (docs/operations.md).
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    # Bumped after every page: a running run whose heartbeat stops is stale.
    heartbeat_at: Mapped[datetime | None]
    # Why a run ended in Error, as a code the page translates, plus operator detail.
    error_code: Mapped[str | None] = mapped_column(String(50))
    error_detail: Mapped[str | None] = mapped_column(Text)
    # How often the provider answered 429 Too Many Requests during the run (the HTTP client
    # waited and retried): the figure behind the rate-limit metric (docs/operations.md).
    rate_limited: Mapped[int] = mapped_column(default=0, server_default="0")
    # The per-employee lines were deleted after the retention period; the counts stay.
    lines_pruned_at: Mapped[datetime | None]
    # Provider IDs seen so far, so a retried run resumes after the last committed page.
    resume_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    integration: Mapped[Integration] = relationship()
    started_by: Mapped[User | None] = relationship()

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        return ((self.finished_at or datetime.utcnow()) - self.started_at).total_seconds()

    @property
    def is_running(self) -> bool:
        return self.status is RunState.RUNNING and self.heartbeat_at is not None

    @property
    def last_heard_of(self) -> datetime:
        return self.heartbeat_at or self.queued_at


class SyncRunEmployee(TenantScoped, db.Model):
    """One affected employee of a run: what happened, which fields changed, and for a
    failure the reason and the fix. Unchanged employees leave no line."""

    __tablename__ = "sync_run_employees"
    # Led by the tenant like every query of it: with a bare (run_id, action) SQLite, which has no
    # statistics, reads the tenant's every line to find the "sync problem" failures of a run.
    __table_args__ = (Index("ix_sync_run_employees_run", "tenant_id", "run_id", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    provider_id: Mapped[str | None] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(300))
    action: Mapped[Action] = mapped_column(enum_column(Action))
    reason: Mapped[Reason | None] = mapped_column(enum_column(Reason))
    # A failure caused by one value at the provider: the field (the change log's name of
    # it) and the value as the provider sent it, which the run line quotes.
    problem_field: Mapped[str | None] = mapped_column(String(100))
    problem_value: Mapped[str | None] = mapped_column(String(200))
    # The per-employee change log: [{"field", "old", "new"}, …].
    changes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
