from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.models import Tenant

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index():
    tenant = db.session.get(Tenant, current_user.tenant_id) if current_user.tenant_id else None
    return render_template("dashboard/index.html", tenant=tenant)


@bp.get("/healthz")
def health():
    return {"status": "ok"}


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"))
