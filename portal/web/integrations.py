"""The HR admin's integrations: one card per provider, refreshed in place."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, render_template

from portal import integrations
from portal.providers.base import Provider
from portal.web.access import hr_admin_required

bp = Blueprint("integrations", __name__, url_prefix="/integrations")


def provider_or_404(value: str) -> Provider:
    try:
        return Provider(value)
    except ValueError:
        abort(404)


def cards() -> list[integrations.Card]:
    by_provider = integrations.integrations_by_provider()
    cron, now = current_app.config["NIGHTLY_CRON"], datetime.now()
    return [integrations.card_for(p, by_provider.get(p), cron, now) for p in Provider]


@bp.get("")
@hr_admin_required
def index():
    return render_template("integrations/index.html", cards=cards())


@bp.get("/<provider>/card")
@hr_admin_required
def card(provider: str):
    chosen = provider_or_404(provider)
    cron, now = current_app.config["NIGHTLY_CRON"], datetime.now()
    return render_template(
        "integrations/_card.html", card=integrations.card_for(chosen, integrations.integration_for(chosen), cron, now)
    )
