"""The one place that keeps every tenant in its own room.

Every ORM query of a `TenantScoped` model is filtered by the current tenant
automatically (an ORM execute hook), and every flush refuses to write a row of
another tenant. Routes and jobs never add `tenant_id == …` themselves: they only
say *which* tenant they act for, once, with `acting_for(tenant_id)`.
Customer success staff act for no tenant unless they open one explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from flask import abort
from sqlalchemy import ForeignKey, event, select
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, declared_attr, mapped_column, with_loader_criteria

from portal.extensions import db

_current_tenant: ContextVar[int | None] = ContextVar("flexsync_tenant", default=None)

M = TypeVar("M")


class TenantScoped:
    """Mixin for every model that holds one tenant's data."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(ForeignKey("tenants.id"), index=True)


def current_tenant_id() -> int | None:
    return _current_tenant.get()


@contextmanager
def acting_for(tenant_id: int | None) -> Iterator[None]:
    token = _current_tenant.set(tenant_id)
    try:
        yield
    finally:
        _current_tenant.reset(token)


def enter(tenant_id: int | None) -> object:
    """For request hooks that cannot use a `with` block; pair with `leave`."""
    return _current_tenant.set(tenant_id)


def leave(token: object) -> None:
    _current_tenant.reset(token)  # type: ignore[arg-type]


def get_or_404(model: type[M], object_id: int) -> M:
    """Another tenant's object answers 404, exactly like one that does not exist."""
    found = db.session.execute(select(model).where(model.id == object_id)).scalar_one_or_none()  # type: ignore[attr-defined]
    if found is None:
        abort(404)
    return found


@event.listens_for(Session, "do_orm_execute")
def _scope_queries(state: ORMExecuteState) -> None:
    tenant_id = _current_tenant.get()
    if tenant_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, flush_context: object, instances: object) -> None:
    tenant_id = _current_tenant.get()
    if tenant_id is None:
        return
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise PermissionError(f"refusing to write {obj!r} of tenant {obj.tenant_id} while acting for {tenant_id}")
