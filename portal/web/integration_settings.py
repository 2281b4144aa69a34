"""An activated integration's settings tab, and the selection window of selective sync."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_login import current_user

from portal.extensions import htmx
from portal.integrations import activation, overview, selection
from portal.integrations.activation import SelectionSaved, SyncStart
from portal.models import Integration, IntegrationState
from portal.runs.delta_runs import PROVIDERS_LISTING_CHANGES
from portal.sync.state import SyncMode
from portal.texts.providers import PROVIDERS
from portal.web.access import current_tenant, hr_admin_required
from portal.web.activation import chosen_settings, configure_context, listed
from portal.web.integration_forms import chosen_delta_interval, delta_form, mode_form
from portal.web.navigation import available_integration_or_404, go_to

bp = Blueprint("integration_settings", __name__, url_prefix="/integrations")

SELECTION_PAGE_SIZE = 25


def set_up_integration_or_404(provider: str) -> Integration:
    integration = available_integration_or_404(provider)
    if integration.state is IntegrationState.AVAILABLE:
        # Nothing to set yet: the wizard comes first.
        abort(redirect(url_for("activation.wizard", provider=provider)))
    return integration


def settings_context(integration: Integration, **context: Any) -> dict[str, Any]:
    context.setdefault("mode_form", mode_form(activation.allowed_modes(current_tenant()), integration.sync_mode))
    if integration.provider in PROVIDERS_LISTING_CHANGES:
        context.setdefault("delta_form", delta_form(integration.delta_every_minutes))
    if integration.provider in activation.CONFIGURED_PROVIDERS and "form" not in context:
        context |= configure_context(integration)
    if integration.sync_mode is SyncMode.FULL:
        # Left out of the selection while the sync was selective: they stay out, and the page says how to undo it.
        context.setdefault("left_out", selection.left_out_count(integration))
    return {"integration": integration, "tenant": current_tenant(), **context}


def render_settings(integration: Integration, **context: Any):
    return render_template("integration_settings/show.html", **settings_context(integration, **context))


@bp.get("/<provider>/settings")
@hr_admin_required
def show(provider: str):
    return render_settings(set_up_integration_or_404(provider))


@bp.post("/<provider>/settings/mode")
@hr_admin_required
def change_mode(provider: str):
    integration = set_up_integration_or_404(provider)
    form = mode_form(activation.allowed_modes(current_tenant()))
    if not form.validate_on_submit():
        return render_settings(integration, mode_form=form)
    released = activation.change_mode(integration, SyncMode(form.mode.data), current_user)
    flash(
        _l("Sync mode saved. It applies to employees the provider shows from now on; those already synced stay as they are."),
        "success",
    )
    if released:
        flash(
            _ln(
                "The person who was waiting for review is synced by the next sync, like every new employee.",
                "The %(num)s people who were waiting for review are synced by the next sync, like every new employee.",
                released,
            ),
            "success",
        )
    return go_to(url_for("integration_settings.show", provider=provider))


@bp.post("/<provider>/settings/changes")
@hr_admin_required
def change_delta_interval(provider: str):
    integration = set_up_integration_or_404(provider)
    if integration.provider not in PROVIDERS_LISTING_CHANGES:
        abort(404)
    form = delta_form(integration.delta_every_minutes)
    if not form.validate_on_submit():
        return render_settings(integration, delta_form=form)
    minutes = chosen_delta_interval(form)
    activation.set_delta_interval(integration, minutes, current_user)
    name = PROVIDERS[integration.provider].name
    if minutes:
        flash(_l("Saved: changes at %(provider)s are synced every %(num)s minutes.", provider=name, num=minutes), "success")
    else:
        flash(_l("Saved: changes at %(provider)s are synced by the nightly sync only.", provider=name), "success")
    return go_to(url_for("integration_settings.show", provider=provider))


@bp.post("/<provider>/settings/configure")
@hr_admin_required
def configure(provider: str):
    integration = set_up_integration_or_404(provider)
    if integration.provider not in activation.CONFIGURED_PROVIDERS:
        abort(404)
    context = configure_context(integration)
    form = context.get("form")
    if form is None or not form.validate_on_submit():
        return render_settings(integration, **context)
    activation.save_settings(integration, chosen_settings(integration, form, context), current_user, listed(context))
    flash(_l("Configuration saved. The next sync uses it."), "success")
    return go_to(url_for("integration_settings.show", provider=provider))


@bp.post("/<provider>/disable")
@hr_admin_required
def disable(provider: str):
    integration = set_up_integration_or_404(provider)
    activation.disable(integration, current_user)
    flash(
        _l(
            "%(provider)s is disabled. Nothing is synced any more; employees synced earlier stay.",
            provider=PROVIDERS[integration.provider].name,
        ),
        "success",
    )
    return go_to(url_for("integration_settings.show", provider=provider))


@bp.post("/<provider>/enable")
@hr_admin_required
def enable(provider: str):
    integration = set_up_integration_or_404(provider)
    if integration.state is not IntegrationState.DISABLED:
        abort(404)
    activation.enable(integration, current_user)
    flash(
        _l("%(provider)s is enabled again. The nightly sync resumes.", provider=PROVIDERS[integration.provider].name), "success"
    )
    return go_to(url_for("integration_settings.show", provider=provider))


@bp.post("/<provider>/uninstall")
@hr_admin_required
def uninstall(provider: str):
    integration = set_up_integration_or_404(provider)
    activation.uninstall(integration, current_user)
    flash(
        _l(
            "%(provider)s is uninstalled. Synced employees stay; activate it again to make a new selection.",
            provider=PROVIDERS[integration.provider].name,
        ),
        "success",
    )
    return go_to(url_for("integrations.index"))


def selective_integration_or_404(provider: str) -> Integration:
    integration = set_up_integration_or_404(provider)
    if integration.sync_mode is not SyncMode.SELECTIVE:
        abort(404)
    return integration


@bp.get("/<provider>/selection")
@hr_admin_required
def selection_window(provider: str):
    integration = selective_integration_or_404(provider)
    search = request.args.get("q", "").strip()
    page = selection.entries_page(integration, search, request.args.get("page", 1, type=int), SELECTION_PAGE_SIZE)
    context = {
        "integration": integration,
        "page": page,
        "search": search,
        "selected": selection.selected_count(integration),
        "offered": selection.offered_count(integration),
        "to_review": selection.to_review_count(integration),
        # The first sync fills the window, and saving starts a sync: its progress shows
        # above the list until it ends, then its result.
        "open_run": overview.open_run(integration),
        "last_run": overview.last_run(integration),
    }
    if htmx:
        # The search box and the end of a sync ask for the list; the sync's section comes
        # along, so a sync that ended no longer shows as in progress.
        return render_template("integration_settings/_selection_list.html", **context) + render_template(
            "integration_settings/_selection_sync.html", oob=True, **context
        )
    return render_template("integration_settings/selection.html", **context)


@bp.post("/<provider>/selection")
@hr_admin_required
def save_selection(provider: str):
    integration = selective_integration_or_404(provider)
    search = request.form.get("q", "").strip()
    saved = activation.save_selection(
        integration,
        current_user,
        request.form.getlist("shown", type=int),
        request.form.getlist("selected", type=int),
        select_all=bool(request.form.get("select_all")),
        search=search,
    )
    flash(selection_saved_message(integration, saved), "warning" if saved.sync is SyncStart.UNAVAILABLE else "success")
    return go_to(
        url_for(
            "integration_settings.selection_window", provider=provider, q=search or None, page=request.form.get("page", type=int)
        )
    )


def selection_saved_message(integration: Integration, saved: SelectionSaved) -> str:
    """What saving did: how many are selected, and what happens to them now."""
    counts = _l(
        "Selection saved: %(selected)s of %(offered)s employees selected.", selected=saved.selected, offered=saved.offered
    )
    match saved.sync:
        case SyncStart.STARTED:
            then = _l("A sync has started to apply it: follow it below.")
        case SyncStart.RUNNING:
            then = _l("A sync is already running: it takes in the people it has not reached yet, the next sync the others.")
        case SyncStart.UNAVAILABLE:
            then = _l(
                "The sync could not start: the sync service is unavailable. Press Sync now on the Integrations page in a minute, or wait for the nightly sync."  # noqa: E501 - one message id
            )
        case _:
            then = _l(
                "%(provider)s is not active: the selection applies once it is enabled or connected again.",
                provider=PROVIDERS[integration.provider].name,
            )
    return f"{counts} {then}"
