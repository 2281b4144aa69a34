"""Who may open what: HR admins see their own tenant, customer success the console."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.company.details import company_of
from portal.models import Role, Tenant


def hr_admin_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role is not Role.HR_ADMIN or current_user.tenant_id is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def customer_success_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role is not Role.CUSTOMER_SUCCESS:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def current_tenant() -> Tenant:
    tenant = company_of(current_user)
    if tenant is None:
        abort(404)
    return tenant
