"""The demo tenant a newcomer meets in `make run`; running it twice changes nothing."""
from __future__ import annotations

from functools import cache

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import Entity, Role, Tenant, User

DEMO_PASSWORD = "demo"

TENANTS = (
    {"name": "Demo NV", "vat_number": "BE0123456749", "default_language": "nl"},
    {"name": "Other BV", "vat_number": "BE0403170701", "default_language": "fr"},
)

# Local entities of Demo NV, so the Connexie venue mapping has somewhere to point.
ENTITIES = {"Demo NV": ("Demo NV – Gent", "Demo NV – Antwerpen")}

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


def _entities(tenant: Tenant, names: tuple[str, ...]) -> None:
    existing = set(db.session.execute(select(Entity.name).where(Entity.tenant_id == tenant.id)).scalars())
    db.session.add_all(Entity(tenant_id=tenant.id, name=name) for name in names if name not in existing)


def seed() -> None:
    tenants = {spec["name"]: _tenant(spec) for spec in TENANTS}
    for tenant_name, names in ENTITIES.items():
        _entities(tenants[tenant_name], names)
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
