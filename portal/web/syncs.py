"""Sync now, live progress, and the history of sync runs with every affected employee."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import tenancy
from portal.extensions import htmx
from portal.integrations import overview
from portal.models import Integration, IntegrationState, RunKind, RunState, SyncRun, Trigger
from portal.runs import history as run_history
from portal.runs import problems, sync_runs
from portal.runs.lifecycle import ServiceUnavailable
from portal.sync.plan import Action
from portal.web.access import hr_admin_required
from portal.web.integrations import card_context
from portal.web.navigation import provider_or_404

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
    template = "syncs/_history_rows.html" if htmx.target == "history-rows" else "syncs/history.html"
    return render_template(template, **history_context(integration))


def history_context(integration: Integration) -> dict:
    """The history page or its rows, for the HR admin and for customer success alike."""
    status = request.args.get("status", "")
    chosen = RunState(status) if status in RunState._value2member_map_ else None
    kind = request.args.get("kind", "")
    chosen_kind = RunKind(kind) if kind in RunKind._value2member_map_ else None
    page = run_history.runs_page(integration, chosen, request.args.get("page", 1, type=int), HISTORY_PAGE_SIZE, chosen_kind)
    return {
        "integration": integration,
        "page": page,
        "status": status,
        "states": list(RunState),
        "kind": kind,
        "kinds": list(RunKind),
    }


@bp.get("/syncs/<int:run_id>")
@hr_admin_required
def run(run_id: int):
    run = tenancy.get_or_404(SyncRun, run_id)
    whole_page = htmx.target != "run-lines"
    return render_template("syncs/run.html" if whole_page else "syncs/_lines.html", **run_context(run, whole_page))


def run_context(run: SyncRun, whole_page: bool) -> dict:
    """The run page, or only its lines, for the HR admin and for customer success alike."""
    action = request.args.get("action", "")
    chosen = Action(action) if action in Action._value2member_map_ else None
    lines = run_history.lines_page(run, chosen, request.args.get("page", 1, type=int), LINES_PAGE_SIZE)
    return {
        "run": run,
        "lines": lines,
        "held": run_history.held_changes(run) if whole_page else [],
        "entity_names": run_history.entity_names(lines.items),
        "line_problems": problems.of_lines(run, lines.items),
        "person_key": problems.person_key,
        "action": action,
        "actions": list(Action),
    }


# Sent with the progress block of a closed run, for whatever the page shows that the run
# filled (the run's lines, the selection window's list) to be read again.
RUN_CLOSED_EVENT = "run-closed"


@bp.get("/syncs/<int:run_id>/progress")
@hr_admin_required
def progress(run_id: int):
    run = tenancy.get_or_404(SyncRun, run_id)
    if not htmx:
        return redirect(url_for("syncs.run", run_id=run.id))
    return progress_block(run)


def progress_block(run: SyncRun) -> Response:
    # The block polls itself while the run is open (`poll`); closed, it comes back without
    # the polling attributes and polling stops on the result.
    response = make_response(render_template("syncs/_progress.html", run=run, poll=True))
    if not run.status.is_open:
        response.headers["HX-Trigger"] = RUN_CLOSED_EVENT
    return response
