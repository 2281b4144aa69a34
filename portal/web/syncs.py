"""Sync now, live progress, and the history of sync runs with every affected employee."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import tenancy
from portal.extensions import htmx
from portal.integrations import overview
from portal.models import IntegrationState, RunState, SyncRun, Trigger
from portal.runs import history as run_history
from portal.runs import sync_runs
from portal.runs.lifecycle import ServiceUnavailable
from portal.sync.outcomes import FIX_FOR, FIX_TEXT, REASON_TEXT
from portal.sync.plan import Action
from portal.web.access import hr_admin_required
from portal.web.integrations import card_context, provider_or_404

bp = Blueprint("syncs", __name__)

HISTORY_PAGE_SIZE = 25
LINES_PAGE_SIZE = 50


@bp.post("/integrations/<provider>/sync")
@hr_admin_required
def sync_now(provider: str):
    integration = overview.integration_for(provider_or_404(provider))
    if integration is None or not integration.available or integration.state is not IntegrationState.ACTIVE:
        abort(404)
    problem = None
    try:
        sync_runs.request_sync(integration, Trigger.MANUAL, current_user)
    except ServiceUnavailable:
        current_app.logger.warning("Sync now refused: Redis unavailable")
        problem = _("The sync service is unavailable right now. Nothing was started: try again in a minute.")
    return render_template("integrations/_card.html", **card_context(integration.provider), problem=problem)


@bp.get("/integrations/<provider>/history")
@hr_admin_required
def history(provider: str):
    integration = overview.integration_for(provider_or_404(provider))
    if integration is None:
        abort(404)
    status = request.args.get("status", "")
    chosen = RunState(status) if status in RunState._value2member_map_ else None
    page = run_history.runs_page(integration, chosen, request.args.get("page", 1, type=int), HISTORY_PAGE_SIZE)
    template = "syncs/_history_rows.html" if htmx.target == "history-rows" else "syncs/history.html"
    return render_template(template, integration=integration, page=page, status=status, states=list(RunState))


@bp.get("/syncs/<int:run_id>")
@hr_admin_required
def run(run_id: int):
    run = tenancy.get_or_404(SyncRun, run_id)
    action = request.args.get("action", "")
    chosen = Action(action) if action in Action._value2member_map_ else None
    lines = run_history.lines_page(run, chosen, request.args.get("page", 1, type=int), LINES_PAGE_SIZE)
    template = "syncs/_lines.html" if htmx.target == "run-lines" else "syncs/run.html"
    return render_template(
        template,
        run=run,
        lines=lines,
        held=run_history.held_changes(run) if template == "syncs/run.html" else [],
        entity_names=run_history.entity_names(lines.items),
        action=action,
        actions=list(Action),
        reason_text=REASON_TEXT,
        fix_text=FIX_TEXT,
        fix_for=FIX_FOR,
    )


# Sent with the progress block of a closed run, for whatever the page shows that the run
# filled (the run's lines, the selection window's list) to be read again.
RUN_CLOSED_EVENT = "run-closed"


@bp.get("/syncs/<int:run_id>/progress")
@hr_admin_required
def progress(run_id: int):
    run = tenancy.get_or_404(SyncRun, run_id)
    if not htmx:
        return redirect(url_for("syncs.run", run_id=run.id))
    # The block polls itself while the run is open (`poll`); closed, it comes back without
    # the polling attributes and polling stops on the result.
    response = make_response(render_template("syncs/_progress.html", run=run, poll=True))
    if not run.status.is_open:
        response.headers["HX-Trigger"] = RUN_CLOSED_EVENT
    return response
