"""The first page after logging in: for an HR admin, what needs their attention."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal.company.attention import Attention, Concern, dashboard
from portal.company.details import company_of
from portal.sync.plan import Action
from portal.texts.providers import PROVIDERS
from portal.web.employees import this_year

bp = Blueprint("dashboard", __name__)

# Nothing is synced until these are looked at; the others wait for a decision.
URGENT = {Concern.RECONNECT_NEEDED, Concern.INTEGRATION_ERROR, Concern.FAILED_EMPLOYEES}


@dataclass(frozen=True, slots=True)
class AttentionLink:
    text: str
    url: str
    urgent: bool


@bp.get("/")
@login_required
def index():
    tenant = company_of(current_user)
    if tenant is None:
        return render_template("dashboard/index.html", tenant=None)
    board = dashboard(this_year())
    return render_template(
        "dashboard/index.html", tenant=tenant, integrations=board.integrations, attention=[link_to(a) for a in board.attention]
    )


def link_to(item: Attention) -> AttentionLink:
    return AttentionLink(text(item), url(item), item.concern in URGENT)


def text(item: Attention) -> str:
    provider, num = PROVIDERS[item.provider].name if item.provider else "", item.count
    match item.concern:
        case Concern.RECONNECT_NEEDED:
            return _(
                "%(provider)s no longer accepts our connection. Connect again to resume the nightly sync.", provider=provider
            )
        case Concern.INTEGRATION_ERROR:
            return _("%(provider)s: the last sync ended in an error, nothing was synced.", provider=provider)
        case Concern.FAILED_EMPLOYEES:
            return ngettext(
                "%(provider)s: the last sync failed for %(num)s person.",
                "%(provider)s: the last sync failed for %(num)s people.",
                num,
                provider=provider,
            )
        case Concern.SELECTION_TO_REVIEW:
            return ngettext(
                "%(provider)s: %(num)s person waits for review in the selection window.",
                "%(provider)s: %(num)s people wait for review in the selection window.",
                num,
                provider=provider,
            )
        case Concern.EMAIL_CHANGES:
            return ngettext(
                "%(num)s person has an e-mail change from your HR system to decide.",
                "%(num)s people have an e-mail change from your HR system to decide.",
                num,
            )
        case Concern.PROBABLE_DUPLICATES:
            return ngettext("%(num)s probable duplicate to merge.", "%(num)s probable duplicates to merge.", num)
        case Concern.EXTERNAL_USERS:
            return ngettext("%(num)s external user to keep or remove.", "%(num)s external users to keep or remove.", num)
        case Concern.NO_BUDGET:
            return ngettext(
                "%(num)s person has no budget for %(year)s yet.",
                "%(num)s people have no budget for %(year)s yet.",
                num,
                year=this_year(),
            )


def url(item: Attention) -> str:
    if item.list_filter is not None:
        return url_for("employees.index", filter=item.list_filter.value)
    assert item.provider is not None
    match item.concern:
        case Concern.FAILED_EMPLOYEES:
            return url_for("syncs.run", run_id=item.run_id, action=Action.FAIL.value)
        case Concern.SELECTION_TO_REVIEW:
            return url_for("integration_settings.selection_window", provider=item.provider.value)
        case _:
            return url_for("integrations.index", _anchor=f"card-{item.provider.value}")


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"))
