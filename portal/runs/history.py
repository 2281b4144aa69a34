"""The history of an integration's sync runs, and the employees of one run, page by page."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from portal.company import entities
from portal.extensions import db
from portal.models import Discrepancy, Employee, Integration, RunKind, RunState, SyncRun, SyncRunEmployee
from portal.pagination import BoundedPagination, paginate_growing
from portal.sync.plan import Action


def runs_page(
    integration: Integration, status: RunState | None, page: int, per_page: int, kind: RunKind | None = None
) -> BoundedPagination:
    """Newest first; only the runs in `status`, and of `kind`, when given."""
    statement = select(SyncRun).where(SyncRun.integration_id == integration.id).order_by(SyncRun.id.desc())
    if status is not None:
        statement = statement.where(SyncRun.status == status)
    if kind is not None:
        statement = statement.where(SyncRun.kind == kind)
    return paginate_growing(statement, page, per_page)


def lines_page(run: SyncRun, action: Action | None, page: int, per_page: int) -> Pagination:
    """The run's employee lines in the order the run wrote them; only those of `action` when one is given."""
    statement = select(SyncRunEmployee).where(SyncRunEmployee.run_id == run.id).order_by(SyncRunEmployee.id)
    if action is not None:
        statement = statement.where(SyncRunEmployee.action == action)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def entity_names(lines: list[SyncRunEmployee]) -> dict[str, str]:
    """The names of the entities these lines' change logs name (by id, as the log keeps
    them): a line shows the entity by its name of today, told apart from another of the
    same name."""
    ids = {
        int(value)
        for line in lines
        for change in line.changes or ()
        if change.get("field") == "entity_id"
        for value in (change.get("old"), change.get("new"))
        if value is not None and str(value).isdigit()
    }
    return {str(entity_id): label for entity_id, label in entities.labels_of(ids).items()}


# Enough to show what a run held back; the employees list filters every open one.
HELD_SHOWN = 100


def held_changes(run: SyncRun) -> list[tuple[Discrepancy, Employee]]:
    """The provider values this run saw and did not apply (a generic HR system's e-mail
    change), with their employee: they leave no line of their own, the employee being
    otherwise unchanged, so the run page lists them apart."""
    return [
        (discrepancy, employee)
        for discrepancy, employee in db.session.execute(
            select(Discrepancy, Employee)
            .join(Employee, Employee.id == Discrepancy.employee_id)
            .where(Discrepancy.first_seen_run_id == run.id)
            .order_by(Discrepancy.id)
            .limit(HELD_SHOWN)
        ).all()
    ]
