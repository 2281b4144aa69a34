"""The history of an integration's sync runs, and the employees of one run, page by page."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from portal.extensions import db
from portal.models import Integration, RunState, SyncRun, SyncRunEmployee
from portal.pagination import BoundedPagination, paginate_growing
from portal.sync.plan import Action


def runs_page(integration: Integration, status: RunState | None, page: int, per_page: int) -> BoundedPagination:
    """Newest first; only the runs in `status` when one is given."""
    statement = select(SyncRun).where(SyncRun.integration_id == integration.id).order_by(SyncRun.id.desc())
    if status is not None:
        statement = statement.where(SyncRun.status == status)
    return paginate_growing(statement, page, per_page)


def lines_page(run: SyncRun, action: Action | None, page: int, per_page: int) -> Pagination:
    """The run's employee lines in the order the run wrote them; only those of `action` when one is given."""
    statement = select(SyncRunEmployee).where(SyncRunEmployee.run_id == run.id).order_by(SyncRunEmployee.id)
    if action is not None:
        statement = statement.where(SyncRunEmployee.action == action)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)
