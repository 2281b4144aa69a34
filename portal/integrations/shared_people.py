"""People two of the company's integrations list (the same e-mail at Securex and in the
HR system): one integration is master of them, chosen once by the admin.

Until the admin chooses, each such person stays with the integration that synced them
first; the other integration leaves them out, as a skip that is no news at every run.
Choosing an integration as master makes its next sync take them over (portal/sync/plan.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

from portal import tenancy
from portal.accounts import audit
from portal.extensions import db
from portal.integrations.overview import last_run
from portal.models import AuditAction, Employee, Integration, IntegrationState, SyncRunEmployee, Tenant, User
from portal.sync.outcomes import Reason

ACTIVATED = (IntegrationState.ACTIVE, IntegrationState.RECONNECT_NEEDED)


# How many of the people both integrations list the question names; the count says the rest.
NAMES_SHOWN = 5


@dataclass(frozen=True)
class SharedPeople:
    integrations: list[Integration]
    master: Integration | None
    # Integration id -> how many people its last run left to the other integration.
    left_to_other: dict[int, int]
    # Who the last runs left to another integration, by name, and the integrations that list them.
    people: list[str]
    involved: list[Integration]

    @property
    def any_left_out(self) -> bool:
        return any(self.left_to_other.values())

    @property
    def names_shown(self) -> list[str]:
        return self.people[:NAMES_SHOWN]

    @property
    def choices(self) -> list[Integration]:
        """The integrations the admin chooses from: those that list the same people, once any do."""
        return self.involved or self.integrations


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
    left_out = _left_out(integrations)
    involved_ids = {line.left_by for line in left_out} | {line.synced_by for line in left_out}
    return SharedPeople(
        integrations,
        next((i for i in integrations if i.id == master_id), None),
        {i.id: sum(1 for line in left_out if line.left_by == i.id) for i in integrations},
        sorted({line.employee_id: line.name for line in left_out}.values()),
        [i for i in integrations if i.id in involved_ids],
    )


class LeftOut(NamedTuple):
    """A person a last run left to another integration: one of the people both integrations list."""

    name: str
    left_by: int
    synced_by: int | None
    employee_id: int


def _left_out(integrations: list[Integration]) -> list[LeftOut]:
    runs = {run.id: integration.id for integration in integrations if (run := last_run(integration)) is not None}
    if not runs:
        return []
    rows = db.session.execute(
        select(SyncRunEmployee.run_id, SyncRunEmployee.display_name, Employee.integration_id, Employee.id)
        .join(Employee, Employee.id == SyncRunEmployee.employee_id)
        .where(SyncRunEmployee.run_id.in_(runs), SyncRunEmployee.reason == Reason.SYNCED_BY_OTHER_INTEGRATION)
    ).all()
    return [LeftOut(name, runs[run_id], synced_by, employee_id) for run_id, name, synced_by, employee_id in rows]


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
