from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.user import User
from portal.tenancy import TenantScoped


class Budget(TenantScoped, db.Model):
    """The yearly flex budget of one employee; the sync never sets it, the admin does."""

    __tablename__ = "budgets"
    # Also the index behind the list's "budget this year" join and "no budget assigned".
    __table_args__ = (UniqueConstraint("employee_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class BudgetChange(TenantScoped, db.Model):
    """Who changed a budget, when, from what to what: budgets are money, so never silent."""

    __tablename__ = "budget_changes"
    __table_args__ = (Index("ix_budget_changes_employee", "employee_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    year: Mapped[int]
    # None when the employee had no budget for that year yet.
    old_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    new_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())

    changed_by: Mapped[User | None] = relationship()
