"""People two of the company's integrations list (the same e-mail at Securex and in the
HR system): one integration is master of them, chosen once by the admin.

Until the admin chooses, each such person stays with the integration that synced them
first; the other integration leaves them out, as a skip that is no news at every run.
Choosing an integration as master makes its next sync take them over (portal/sync/plan.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal import tenancy
from portal.accounts import audit
from portal.extensions import db
from portal.integrations.overview import last_run
from portal.models import AuditAction, Integration, IntegrationState, SyncRunEmployee, Tenant, User
from portal.sync.outcomes import Reason

ACTIVATED = (IntegrationState.ACTIVE, IntegrationState.RECONNECT_NEEDED)


@dataclass(frozen=True)
class SharedPeople:
    integrations: list[Integration]
    master: Integration | None
    # Integration id -> how many people its last run left to the other integration.
    left_to_other: dict[int, int]

    @property
    def any_left_out(self) -> bool:
        return any(self.left_to_other.values())


def _company() -> Tenant:
    tenant = db.session.get(Tenant, tenancy.current_tenant_id())
    if tenant is None:
        raise LookupError("no current company")
    return tenant


def _activated() -> list[Integration]:
    return list(
        db.session.execute(select(Integration).where(Integration.state.in_(ACTIVATED)).order_by(Integration.id)).scalars()
    )


def shared_people() -> SharedPeople | None:
    """The choice as the integrations page shows it; None while fewer than two integrations are active."""
    integrations = _activated()
    if len(integrations) < 2:
        return None
    master_id = _company().shared_people_master_id
    return SharedPeople(
        integrations,
        next((i for i in integrations if i.id == master_id), None),
        {i.id: _left_to_other(i) for i in integrations},
    )


def _left_to_other(integration: Integration) -> int:
    run = last_run(integration)
    if run is None:
        return 0
    return db.session.execute(
        select(func.count())
        .select_from(SyncRunEmployee)
        .where(SyncRunEmployee.run_id == run.id, SyncRunEmployee.reason == Reason.SYNCED_BY_OTHER_INTEGRATION)
    ).scalar_one()


def choose_master(integration_id: int, by: User) -> Integration | None:
    """Makes one of the company's active integrations master of the people two of them
    list; None when the id names no such integration (another company's, or not active)."""
    chosen = next((i for i in _activated() if i.id == integration_id), None)
    if chosen is None:
        return None
    company = _company()
    if company.shared_people_master_id != chosen.id:
        previous = db.session.get(Integration, company.shared_people_master_id) if company.shared_people_master_id else None
        company.shared_people_master_id = chosen.id
        audit.record(
            AuditAction.SHARED_PEOPLE_MASTER_CHOSEN,
            by,
            chosen.provider.value,
            company.id,
            detail={
                "field": "shared_people_master",
                "old": previous.provider.value if previous else None,
                "new": chosen.provider.value,
            },
        )
    db.session.commit()
    return chosen
