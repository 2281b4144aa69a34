"""Finding a company among all of them, for customer success: by name or VAT number."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.models import Tenant


def companies_page(text: str, page: int, per_page: int) -> Pagination:
    statement = select(Tenant).order_by(Tenant.name)
    if text:
        pattern = f"%{text.lower()}%"
        statement = statement.where(or_(func.lower(Tenant.name).like(pattern), func.lower(Tenant.vat_number).like(pattern)))
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)
