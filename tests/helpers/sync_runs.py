"""Starting sync runs and reading what they left behind: runs, employees, failures, the provider's side."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Employee, Integration, RunKind, SyncRun, SyncRunEmployee, Trigger
from portal.runs import sync_runs
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from sandbox.testing import true_employees

from .waiting import wait_for


def finished_run(app, run_id: int, timeout: float = 60) -> SyncRun:
    """Wait until the run is closed (success, partial or error) and return it."""

    def closed():
        with app.app_context():
            run = db.session.execute(select(SyncRun).where(SyncRun.id == run_id)).scalar_one()
            return run if not run.status.is_open else None

    return wait_for(closed, timeout=timeout, message=f"sync run {run_id} to finish")


def start_sync(app, integration_id: int, trigger=Trigger.MANUAL) -> int:
    """Request a sync of the integration as the portal does; returns the run's id."""
    with app.app_context():
        integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
        return sync_runs.request_sync(integration, trigger).id


def start_delta_sync(app, integration_id: int) -> int:
    """Request a sync of the changes only, as the schedule of changes does; returns the run's id."""
    with app.app_context():
        integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
        return sync_runs.request_sync(integration, Trigger.INTERVAL, kind=RunKind.DELTA).id


def employees_of(app, integration_id: int) -> list[Employee]:
    with app.app_context():
        return list(db.session.execute(select(Employee).where(Employee.integration_id == integration_id)).scalars())


def active_count(app, integration_id: int) -> int:
    """How many of the integration's employees are active in Flexsync."""
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(Employee).where(Employee.integration_id == integration_id, Employee.active.is_(True))
        ).scalar_one()


def failure_reasons(app, run_id: int) -> list[Reason]:
    """Why each employee the run failed for failed."""
    with app.app_context():
        return list(
            db.session.execute(
                select(SyncRunEmployee.reason).where(SyncRunEmployee.run_id == run_id, SyncRunEmployee.action == Action.FAIL)
            ).scalars()
        )


def active_at_provider(sandboxes, provider: str, company: str = "C001") -> int:
    """Employees the provider would let us import: an active contract, an e-mail, not excluded."""
    from datetime import date

    today = date.today().isoformat()
    people = true_employees(sandboxes[provider], company)
    return sum(
        1
        for p in people
        # Only the generic HR system tells about exclusions.
        if not (provider == "hris" and p.get("excluded"))
        and any(
            c["start_date"] <= today and (c["end_date"] is None or today <= c["end_date"])
            for c in p.get("wage_contracts") or p.get("contracts") or p.get("employments") or []
        )
    )
