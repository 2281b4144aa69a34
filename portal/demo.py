"""The demo tenant a newcomer meets in `make run`; running it twice changes nothing."""
from __future__ import annotations

from functools import cache

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import Role, Tenant, User

DEMO_PASSWORD = "demo"

TENANTS = (
    {"name": "Demo NV", "vat_number": "BE0123456749", "default_language": "nl"},
    {"name": "Other BV", "vat_number": "BE0403170701", "default_language": "fr"},
)

LOGINS = (
    {"email": "hr@demo.test", "name": "Hanne Peeters", "role": Role.HR_ADMIN, "tenant": "Demo NV", "language": None},
    {"email": "hr@other.test", "name": "Olivier Dubois", "role": Role.HR_ADMIN, "tenant": "Other BV", "language": None},
    {"email": "cs@flexsync.test", "name": "Charlotte Claes", "role": Role.CUSTOMER_SUCCESS, "tenant": None, "language": None},
)


@cache
def _demo_password_hash() -> str:
    # One hash for every demo login: seeding runs before each test, scrypt is slow on purpose.
    return generate_password_hash(DEMO_PASSWORD)


def _tenant(spec: dict) -> Tenant:
    tenant = db.session.execute(select(Tenant).where(Tenant.name == spec["name"])).scalar_one_or_none()
    if tenant is None:
        tenant = Tenant(**spec)
        db.session.add(tenant)
        db.session.flush()
    return tenant


def seed() -> None:
    tenants = {spec["name"]: _tenant(spec) for spec in TENANTS}
    for spec in LOGINS:
        if db.session.execute(select(User).where(User.email == spec["email"])).scalar_one_or_none():
            continue
        tenant = tenants[spec["tenant"]] if spec["tenant"] else None
        user = User(
            email=spec["email"],
            name=spec["name"],
            role=spec["role"],
            tenant_id=tenant.id if tenant else None,
            language=spec["language"],
            is_demo=True,
            password_hash=_demo_password_hash(),
        )
        db.session.add(user)
    db.session.commit()
