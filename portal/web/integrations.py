"""The HR admin's integrations: one card per provider, refreshed in place."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, render_template

from portal.integrations import overview
from portal.providers.base import Provider
from portal.web.access import hr_admin_required

bp = Blueprint("integrations", __name__, url_prefix="/integrations")


def provider_or_404(value: str) -> Provider:
    try:
        return Provider(value)
    except ValueError:
        abort(404)


def cards() -> list[overview.Card]:
    by_provider = overview.integrations_by_provider()
    cron, now = current_app.config["NIGHTLY_CRON"], datetime.now()
    return [overview.card_for(p, by_provider.get(p), cron, now) for p in Provider]


def card_context(provider: Provider) -> dict:
    cron, now = current_app.config["NIGHTLY_CRON"], datetime.now()
    return {"card": overview.card_for(provider, overview.integration_for(provider), cron, now)}


@bp.get("")
@hr_admin_required
def index():
    return render_template("integrations/index.html", cards=cards())


@bp.get("/<provider>/card")
@hr_admin_required
def card(provider: str):
    return render_template("integrations/_card.html", **card_context(provider_or_404(provider)))
