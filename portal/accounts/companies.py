"""Customer success onboards a company: creates it, later deactivates (or reactivates) it,
and decides whether its admins must sign in with a second factor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from portal.accounts import audit
from portal.extensions import db
from portal.models import AuditAction, Tenant, User


class VatTaken(Exception):
    """Another company already has this VAT number: the provider would find the same company."""

    def __init__(self, company: Tenant) -> None:
        super().__init__(company.name)
        self.company = company


def company_with_vat(vat_number: str) -> Tenant | None:
    return db.session.execute(select(Tenant).where(Tenant.vat_number == vat_number).limit(1)).scalar_one_or_none()


def create(name: str, vat_number: str | None, default_language: str, by: User) -> Tenant:
    """`vat_number` already normalised (`vat.normalise_belgian_vat`), or None. Raises `VatTaken`."""
    if vat_number and (existing := company_with_vat(vat_number)) is not None:
        raise VatTaken(existing)
    tenant = Tenant(name=name.strip(), vat_number=vat_number or None, default_language=default_language)
    db.session.add(tenant)
    db.session.flush()
    audit.record(AuditAction.COMPANY_CREATED, by, tenant.name, tenant.id)
    db.session.commit()
    return tenant


def deactivate(tenant: Tenant, by: User) -> None:
    """Every login of the company stops working at once (`User.is_active`); its data stays."""
    tenant.deactivated_at = datetime.utcnow()
    # Ended for good: reactivating the company later must not bring old sessions back.
    db.session.execute(
        update(User).where(User.tenant_id == tenant.id).values(session_version=User.session_version + 1),
        execution_options={"synchronize_session": False},
    )
    audit.record(AuditAction.COMPANY_DEACTIVATED, by, tenant.name, tenant.id)
    db.session.commit()


def reactivate(tenant: Tenant, by: User) -> None:
    tenant.deactivated_at = None
    audit.record(AuditAction.COMPANY_REACTIVATED, by, tenant.name, tenant.id)
    db.session.commit()


def require_two_factor(tenant: Tenant, required: bool, by: User) -> None:
    if tenant.two_factor_required == required:
        return
    tenant.two_factor_required = required
    action = AuditAction.TWO_FACTOR_REQUIRED if required else AuditAction.TWO_FACTOR_OPTIONAL
    audit.record(action, by, tenant.name, tenant.id)
    db.session.commit()
