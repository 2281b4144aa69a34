"""Previews of a sync: at the end of the activation wizard, and "Preview next sync" in the settings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.extensions import htmx
from portal.integrations import activation
from portal.integrations.activation import Step
from portal.models import Integration, IntegrationState, Trigger
from portal.pagination import ListPage
from portal.runs import preview_store, sync_runs
from portal.runs.lifecycle import ServiceUnavailable
from portal.sync.preview import Category
from portal.texts.previews import CATEGORY_HINTS
from portal.web.access import hr_admin_required
from portal.web.navigation import available_integration_or_404, go_to

bp = Blueprint("previews", __name__, url_prefix="/integrations")

PAGE_SIZE = 10


def previewable_or_404(provider: str) -> Integration:
    """Active, or at the wizard's preview step: set up enough for its next sync to be known."""
    integration = available_integration_or_404(provider)
    at_preview_step = integration.state is IntegrationState.AVAILABLE and activation.current_step(integration) is Step.PREVIEW
    if not (at_preview_step or integration.state is IntegrationState.ACTIVE):
        abort(404)
    return integration


def preview_context(integration: Integration, category: Category | None = None, page: int = 1) -> dict[str, Any]:
    """The preview kept for the integration, each category's people a page at a time
    (`page` of the `category` asked for, the first of the others)."""
    unavailable = False
    try:
        preview = preview_store.read(integration)
    except ServiceUnavailable:
        current_app.logger.warning("preview not read: Redis unavailable")
        preview, unavailable = None, True
    people = {}
    if preview is not None and preview.result is not None:
        for listed in Category:
            everyone = preview.result.people[listed]
            number = max(1, page) if listed is category else 1
            people[listed] = ListPage(everyone[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number, PAGE_SIZE, len(everyone))
    return {
        "integration": integration,
        "preview": preview,
        "preview_unavailable": unavailable,
        "preview_people": people,
        "categories": list(Category),
        "category_hints": CATEGORY_HINTS,
    }


@bp.post("/<provider>/preview")
@hr_admin_required
def start(provider: str):
    integration = previewable_or_404(provider)
    try:
        preview_store.start(integration)
    except ServiceUnavailable:
        current_app.logger.warning("preview not started: Redis unavailable")
    if htmx:
        return render_template("previews/_preview.html", **preview_context(integration))
    return redirect(url_for("previews.show", provider=provider))


@bp.get("/<provider>/preview")
@hr_admin_required
def show(provider: str):
    integration = previewable_or_404(provider)
    chosen = request.args.get("category", "")
    category = Category(chosen) if chosen in Category._value2member_map_ else None
    context = preview_context(integration, category, request.args.get("page", 1, type=int))
    if htmx and category is not None and category in context["preview_people"]:
        return render_template("previews/_people.html", category=category, people=context["preview_people"][category], **context)
    if htmx:
        return render_template("previews/_preview.html", **context)
    if integration.state is IntegrationState.AVAILABLE:
        # The wizard's preview step shows it, with the buttons that go on from there.
        return redirect(url_for("activation.wizard", provider=provider))
    return render_template("previews/show.html", **context)


@bp.post("/<provider>/preview/sync")
@hr_admin_required
def sync_now(provider: str):
    integration = previewable_or_404(provider)
    if integration.state is not IntegrationState.ACTIVE:
        abort(404)
    try:
        run = sync_runs.request_sync(integration, Trigger.MANUAL, current_user)
    except ServiceUnavailable:
        flash(_l("The sync service is unavailable right now. Nothing was started: try again in a minute."), "warning")
        return go_to(url_for("previews.show", provider=provider))
    preview_store.discard(integration)
    return go_to(url_for("syncs.run", run_id=run.id))
