"""The HR admin's integrations: one card per provider, refreshed in place."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import htmx
from portal.integrations import overview, shared_people
from portal.providers.base import Provider
from portal.texts.providers import PROVIDERS
from portal.web.access import hr_admin_required
from portal.web.navigation import provider_or_404

bp = Blueprint("integrations", __name__, url_prefix="/integrations")


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
    return render_template("integrations/index.html", cards=cards(), shared=shared_people.shared_people())


@bp.post("/shared-people")
@hr_admin_required
def choose_shared_people_master():
    chosen = shared_people.choose_master(request.form.get("master", 0, type=int), current_user)
    if chosen is None:
        notice = (_("Choose one of your active integrations."), "error")
    else:
        name = PROVIDERS[chosen.provider].name
        saved = _("Saved. From its next sync on, %(provider)s syncs the people both integrations list.", provider=name)
        notice = (saved, "success")
    if htmx:
        # The section itself answers: the page stays where the admin is, with the choice and the notice in view.
        return render_template("integrations/_shared_people.html", shared=shared_people.shared_people(), notice=notice)
    flash(*notice)
    return redirect(url_for("integrations.index", _anchor="shared-people"))


@bp.get("/<provider>/card")
@hr_admin_required
def card(provider: str):
    # A part of the integrations page that htmx refreshes; an address typed in gets the page.
    chosen = provider_or_404(provider)
    if not htmx:
        return redirect(url_for("integrations.index", _anchor=f"card-{chosen.value}"))
    return render_template("integrations/_card.html", **card_context(chosen))
