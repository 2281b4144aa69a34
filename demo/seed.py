"""The demo tenant a newcomer meets in `make run`; running it twice changes nothing."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import func, select
from stdnum.be import vat as be_vat
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import Employee, Entity, Role, Tenant, User, WageContract, WorkedShift
from portal.providers.base import ContractType, WageType, WorkerClass
from sandbox.dataset import load_dataset

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


# Demo NV's people when no sync brought any: flex workers and one on fixed hours, so
# the hours page and the export preview show every rule in `make run`.
DEMO_STAFF = (
    ("Lotte", "Vermeulen", "lotte.vermeulen@demo.test", ContractType.FLEX),
    ("Mehdi", "El Amrani", "mehdi.elamrani@demo.test", ContractType.FLEX),
    ("Sofie", "Claes", "sofie.claes@demo.test", ContractType.FLEX),
    ("Jonas", "De Smet", "jonas.desmet@demo.test", ContractType.FIXED_HOURS),
)


DEMO_SHIFT_PEOPLE = 12


def _demo_staff(tenant: Tenant) -> list[Employee]:
    # A few people are enough to show every rule; a big synced demo must not get 50,000 months.
    employees = list(
        db.session.execute(
            select(Employee).where(Employee.tenant_id == tenant.id).order_by(Employee.id).limit(DEMO_SHIFT_PEOPLE)
        ).scalars()
    )
    if employees:
        return employees
    start = date.today().replace(day=1) - timedelta(days=365)
    for first, last, email, contract_type in DEMO_STAFF:
        employee = Employee(tenant_id=tenant.id, first_name=first, last_name=last, email=email, language="nl")
        db.session.add(employee)
        db.session.flush()
        db.session.add(
            WageContract(
                tenant_id=tenant.id,
                employee_id=employee.id,
                provider_id=f"demo-{employee.id}",
                wage_type=WageType.HOURLY,
                worker_class=WorkerClass.BLUE_COLLAR,
                provider_gross_amount=Decimal("14.50"),
                gross_salary=Decimal("14.50"),
                salary_period=WageType.HOURLY,
                start_date=start,
                work_regime_pct=Decimal("100"),
                contract_type=contract_type,
            )
        )
        employees.append(employee)
    return employees


def seed_hours() -> None:
    """A month of shifts for Demo NV (last month), once: `make run` opens on a full hours page."""
    tenant = db.session.execute(select(Tenant).where(Tenant.name == "Demo NV")).scalar_one()
    if db.session.execute(select(WorkedShift.id).where(WorkedShift.tenant_id == tenant.id).limit(1)).first():
        return
    employees = _demo_staff(tenant)
    month_end = date.today().replace(day=1) - timedelta(days=1)
    for index, employee in enumerate(employees):
        for day_number in range(1, month_end.day + 1):
            day = month_end.replace(day=day_number)
            # Every other weekday per person, so the table is varied but not endless.
            if day.weekday() >= 5 or (day_number + index) % 2:
                continue
            db.session.add(
                WorkedShift(
                    tenant_id=tenant.id,
                    employee_id=employee.id,
                    day=day,
                    starts_at=time(9 + index % 3),
                    ends_at=time(15 + index % 3, 30),
                    break_minutes=30,
                    meals=1 if index % 2 == 0 else 0,
                    allowance_amount=Decimal("4.50") if index == 1 else Decimal(0),
                    # The last days are not approved yet: the preview shows them left out.
                    approved=day_number < 25,
                )
            )
    db.session.commit()


def seed_local_users(dataset_paths: list[str]) -> int:
    """The people each dataset says a company has in Flexsync before its first sync (its
    `local_users`), in the demo tenant with the same VAT number; once: returns how many are new."""
    tenants = {be_vat.compact(t.vat_number): t for t in db.session.execute(select(Tenant)).scalars() if t.vat_number}
    created = 0
    for path in dataset_paths:
        for company in load_dataset(path).companies:
            tenant = tenants.get(be_vat.compact(company["vat"]))
            for person in company["local_users"] if tenant else ():
                if not _has_employee(tenant, person["email"]):
                    db.session.add(_local_user(tenant, person))
                    db.session.flush()
                    created += 1
    db.session.commit()
    return created


def _has_employee(tenant: Tenant, email: str) -> bool:
    found = select(Employee.id).where(Employee.tenant_id == tenant.id, func.lower(Employee.email) == email.lower())
    return db.session.execute(found.limit(1)).first() is not None


def _local_user(tenant: Tenant, person: dict) -> Employee:
    start_date = person.get("start_date")
    return Employee(
        tenant_id=tenant.id,
        first_name=person["first_name"],
        last_name=person["last_name"],
        email=person["email"],
        language=person.get("language", tenant.default_language),
        start_date=date.fromisoformat(start_date) if start_date else None,
        employee_number=person.get("employee_number"),
        phone=person.get("phone"),
    )
