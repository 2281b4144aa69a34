from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import enum_column
from portal.sync.outcomes import Reason
from portal.tenancy import TenantScoped


class EmployeeProblem(TenantScoped, db.Model):
    """One person at one provider failing for one cause, across runs: when it was first
    and last seen, and how many runs in a row it failed, until a run syncs them again.

    What makes a failure news once: the summary of a run speaks of the problems it opened
    and resolved, not of the ones still open from the night before.
    """

    __tablename__ = "employee_problems"
    __table_args__ = (
        # One open problem per person and cause: the database guard behind the reconciliation.
        Index(
            "uq_employee_problems_open",
            "integration_id",
            "person_key",
            "reason",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        # The problems page and the fleet count a company's open problems by integration and cause.
        Index("ix_employee_problems_open", "tenant_id", "resolved_at", "integration_id", "reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"))
    # The provider ID, or the name for a record that came without one.
    person_key: Mapped[str] = mapped_column(String(300))
    provider_id: Mapped[str | None] = mapped_column(String(100))
    # None for someone the sync could not create (no e-mail at the provider, …).
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(300))
    reason: Mapped[Reason] = mapped_column(enum_column(Reason))
    # The provider's value behind it, as the latest run saw it.
    problem_field: Mapped[str | None] = mapped_column(String(100))
    problem_value: Mapped[str | None] = mapped_column(String(200))
    first_seen_run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id"))
    last_seen_run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id"))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    runs_in_a_row: Mapped[int] = mapped_column(default=1)
    resolved_at: Mapped[datetime | None]
    resolved_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"))
