"""Companies as the fleet page sees them: an integration each, and runs ended the way every
run ends (the lifecycle's `finish`, which keeps the integration's fleet columns)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal import tenancy
from portal.extensions import db
from portal.models import EmployeeProblem, Integration, IntegrationState, RunState, SyncRun, Tenant, Trigger
from portal.providers.base import Provider
from portal.runs import sync_runs
from portal.sync.outcomes import Reason
from portal.sync.state import SyncMode


def company_with(
    app,
    name: str,
    provider: str = "securex",
    state: IntegrationState = IntegrationState.ACTIVE,
    vat: str | None = None,
    mode: SyncMode = SyncMode.FULL,
    company_id: str = "C001",
) -> int:
    """A company (created unless it exists) with one integration of `provider`; its id."""
    with app.app_context():
        tenant = db.session.execute(select(Tenant).where(Tenant.name == name)).scalar_one_or_none()
        if tenant is None:
            tenant = Tenant(name=name, vat_number=vat, default_language="nl")
            db.session.add(tenant)
            db.session.flush()
        with tenancy.acting_for(tenant.id):
            integration = Integration(
                provider=Provider(provider),
                available=True,
                state=state,
                sync_mode=mode,
                provider_company_id=company_id,
                credentials={},
                settings={},
                activated_at=datetime.utcnow(),
            )
            db.session.add(integration)
            db.session.commit()
            return integration.id


def ended_run(app, integration_id: int, status: RunState, failed: int = 0, error_code: str | None = None) -> int:
    """A nightly run of the integration that took 42 s and ended now with `status`; the
    `failed` people it failed for stay open problems (the same people every run)."""
    with app.app_context():
        integration = db.session.get(Integration, integration_id)
        with tenancy.acting_for(integration.tenant_id):
            started = datetime.utcnow() - timedelta(seconds=42)
            run = SyncRun(
                integration_id=integration_id, trigger=Trigger.NIGHTLY, status=RunState.RUNNING, started_at=started, failed=failed
            )
            db.session.add(run)
            db.session.flush()
            sync_runs.RUNS.finish(run, status, error_code)
            still_failing(integration_id, run, failed)
            db.session.commit()
            return run.id


def still_failing(integration_id: int, run: SyncRun, people: int) -> None:
    """As `portal.runs.problems.reconcile` keeps them: problems still open, the others resolved."""
    problems = {
        p.person_key: p
        for p in db.session.execute(
            select(EmployeeProblem).where(EmployeeProblem.integration_id == integration_id, EmployeeProblem.resolved_at.is_(None))
        ).scalars()
    }
    now = datetime.utcnow()
    for n in range(people):
        key = f"P{n:03d}"
        if (problem := problems.pop(key, None)) is not None:
            problem.last_seen_run_id, problem.last_seen_at, problem.runs_in_a_row = run.id, now, problem.runs_in_a_row + 1
            continue
        db.session.add(
            EmployeeProblem(
                integration_id=integration_id,
                person_key=key,
                provider_id=key,
                display_name=f"Person {n}",
                reason=Reason.MISSING_EMAIL,
                first_seen_run_id=run.id,
                last_seen_run_id=run.id,
                first_seen_at=now,
                last_seen_at=now,
            )
        )
    for problem in problems.values():
        problem.resolved_at, problem.resolved_by_run_id = now, run.id
