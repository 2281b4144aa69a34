from __future__ import annotations

import enum
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint, event, func, inspect, literal_column
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship, validates

from portal.extensions import db
from portal.models.entity import Entity
from portal.models.types import enum_column
from portal.providers.base import ContractType, WageType, WorkerClass
from portal.sync.state import LocalEmployee, Selection, normalize_email
from portal.sync.validation import FIELD_MAX_LENGTH
from portal.tenancy import TenantScoped

# Columns of `employees` the sync decides; the rest (budget, invitations…) are the admin's.
SYNCED_COLUMNS = tuple(
    f.name for f in fields(LocalEmployee) if f.name not in ("local_id", "wage_contract", "synced_by_other_integration")
)


class Employee(TenantScoped, db.Model):
    """A person of the company on the benefits platform, synced or added by hand."""

    __tablename__ = "employees"
    __table_args__ = (
        # One e-mail, one account per company: an entity move is an error, never a twin.
        UniqueConstraint("tenant_id", "email"),
        UniqueConstraint("integration_id", "provider_id"),
        # The employees list sorts 50,000 people by these without a table scan.
        Index("ix_employees_name", "tenant_id", "last_name", "first_name"),
        Index("ix_employees_entity", "tenant_id", "entity_id"),
        Index("ix_employees_last_synced", "tenant_id", "last_synced_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The integration that masters this employee; None for people added by hand.
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id"), index=True)
    provider_id: Mapped[str | None] = mapped_column(String(100))
    # Stored lower-case: matching is case-insensitive.
    email: Mapped[str] = mapped_column(String(FIELD_MAX_LENGTH["email"]))
    first_name: Mapped[str] = mapped_column(String(FIELD_MAX_LENGTH["first_name"]))
    last_name: Mapped[str] = mapped_column(String(FIELD_MAX_LENGTH["last_name"]))
    language: Mapped[str | None] = mapped_column(String(FIELD_MAX_LENGTH["language"]))
    start_date: Mapped[date | None]
    employee_number: Mapped[str | None] = mapped_column(String(FIELD_MAX_LENGTH["employee_number"]))
    phone: Mapped[str | None] = mapped_column(String(FIELD_MAX_LENGTH["phone"]))
    # The company's own entity: where the provider's entity or venue is mapped (settings).
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", name="fk_employees_entity_id"))
    active: Mapped[bool] = mapped_column(default=True)
    language_changed_by_employee: Mapped[bool] = mapped_column(default=False)
    phone_verified: Mapped[bool] = mapped_column(default=False)
    # Not matched by the first sync: the admin keeps or removes them.
    external: Mapped[bool] = mapped_column(default=False)
    # Deactivated at the provider: no login, budget kept but frozen.
    access_revoked: Mapped[bool] = mapped_column(default=False)
    budget_frozen: Mapped[bool] = mapped_column(default=False)
    probable_duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    last_synced_at: Mapped[datetime | None]
    # Ended by the admin in Flexsync: end-of-service dates are not synced by any provider.
    employment_ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The provider record this row was last brought in step with (portal/sync/digest.py),
    # until the day its active contract may change; cleared by any local edit.
    synced_record_digest: Mapped[str | None] = mapped_column(String(32))
    synced_record_valid_until: Mapped[date | None]

    wage_contract: Mapped[WageContract | None] = relationship(back_populates="employee", uselist=False)
    entity: Mapped[Entity | None] = relationship()

    @validates("email")
    def _normalise_email(self, _key: str, email: str) -> str:
        # Matching is case-insensitive: store the form the sync engine compares.
        return normalize_email(email)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


# The whole name lower-cased, as the probable-duplicate check looks a newcomer's namesakes
# up: one indexed value, so a page's names are one IN list. Written as pairs of columns,
# PostgreSQL spent ~40 ms planning each page's lookup (an OR of a few hundred pairs).
LOWER_WHOLE_NAME = func.lower(Employee.last_name).concat(literal_column("' '")).concat(func.lower(Employee.first_name))
Index("ix_employees_whole_name_lower", Employee.tenant_id, LOWER_WHOLE_NAME)


def lower_whole_name(lower_last_name: str, lower_first_name: str) -> str:
    """A value of `LOWER_WHOLE_NAME`, from the name parts as SQL `lower` gives them."""
    return f"{lower_last_name} {lower_first_name}"


class WageContract(TenantScoped, db.Model):
    """The employee's wage contract that is active at the provider, as last synced."""

    __tablename__ = "wage_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), unique=True)
    provider_id: Mapped[str] = mapped_column(String(100))
    wage_type: Mapped[WageType] = mapped_column(enum_column(WageType))
    worker_class: Mapped[WorkerClass] = mapped_column(enum_column(WorkerClass))
    provider_gross_amount: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    gross_salary: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    salary_period: Mapped[WageType] = mapped_column(enum_column(WageType))
    converted_with_weekly_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    work_regime_pct: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    employer_social_security_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    contract_type: Mapped[ContractType | None] = mapped_column(enum_column(ContractType))
    wage_code: Mapped[str | None] = mapped_column(String(50))

    employee: Mapped[Employee] = relationship(back_populates="wage_contract")


@event.listens_for(Session, "before_flush")
def _forget_synced_record(session: Session, _context: object, _instances: object) -> None:
    """An edit in Flexsync of what the sync decides (ending an employment, merging a
    duplicate, an employee's own language) must be looked at by the next sync, which
    otherwise counts an employee whose provider record did not change as unchanged.
    The sync itself writes with bulk statements, which never pass through here."""
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, WageContract):
            employee = session.get(Employee, instance.employee_id) if instance.employee_id else None
        elif isinstance(instance, Employee) and instance in session.dirty:
            state = inspect(instance)
            employee = instance if any(state.attrs[name].history.has_changes() for name in SYNCED_COLUMNS) else None
        else:
            continue
        if employee is not None and employee.synced_record_digest is not None:
            employee.synced_record_digest = None


@event.listens_for(Session, "do_orm_execute")
def _forget_synced_record_on_update(state: ORMExecuteState) -> None:
    """The same for UPDATE statements with a WHERE clause; the sync's own updates name
    rows by primary key, without one, and say themselves what each row remembers."""
    if (
        state.is_update
        and state.bind_mapper is not None
        and state.bind_mapper.class_ is Employee
        and state.statement.whereclause is not None
    ):
        state.statement = state.statement.values(synced_record_digest=None)


class SelectionEntry(TenantScoped, db.Model):
    """Selective sync: a provider employee offered in the selection window, and the choice."""

    __tablename__ = "selection_entries"
    __table_args__ = (UniqueConstraint("integration_id", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(100))
    selection: Mapped[Selection] = mapped_column(enum_column(Selection))
    display_name: Mapped[str] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    offered_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # None until the admin saves the selection window with this person in it: the card
    # counts these as "new employees to review" (seed: a later sync offers newcomers again).
    reviewed_at: Mapped[datetime | None]


class DiscrepancyStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class Discrepancy(TenantScoped, db.Model):
    """A provider value Flexsync did not apply (generic HR e-mail), for the admin to decide."""

    __tablename__ = "discrepancies"
    __table_args__ = (Index("ix_discrepancies_open", "employee_id", "field", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    field: Mapped[str] = mapped_column(String(50))
    local_value: Mapped[str | None] = mapped_column(String(500))
    provider_value: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[DiscrepancyStatus] = mapped_column(enum_column(DiscrepancyStatus), default=DiscrepancyStatus.OPEN)
    first_seen_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
