"""The company's details as its HR admin keeps them: name, VAT number, default language."""

from __future__ import annotations

from portal.extensions import db
from portal.models import Tenant, User


def company_of(user: User) -> Tenant | None:
    """The company the user works for; None for customer success, who work for none."""
    if user.tenant_id is None:
        return None
    return db.session.get(Tenant, user.tenant_id)


def save_details(tenant: Tenant, name: str, vat_number: str | None, default_language: str) -> None:
    """`vat_number` already normalised (`vat.normalise_belgian_vat`), or None when left empty."""
    tenant.name = name.strip()
    tenant.vat_number = vat_number or None
    tenant.default_language = default_language
    db.session.commit()
