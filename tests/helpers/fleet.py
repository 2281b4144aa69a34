"""Companies as the fleet page sees them: an integration each, and runs ended the way every
run ends (the lifecycle's `finish`, which keeps the integration's fleet columns)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal import tenancy
from portal.extensions import db
from portal.models import Integration, IntegrationState, RunState, SyncRun, Tenant, Trigger
from portal.providers.base import Provider
from portal.runs import sync_runs
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
    """A nightly run of the integration that took 42 s and ended now with `status`."""
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
            db.session.commit()
            return run.id
