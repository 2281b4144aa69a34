"""The fleet page: every company's integrations, what needs help first, a provider failing
for many at once, and whether the workers carry out the background work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError

from portal.extensions import htmx
from portal.fleet import nightly, outages, workers
from portal.fleet.rows import FLEET_STATES, FleetFilter, fleet_page
from portal.integrations.overview import CardState, next_nightly_run
from portal.providers.base import Provider
from portal.queue import DEFAULT_QUEUE, SYNC_QUEUE, redis_connection
from portal.runs.lifecycle import ErrorCode
from portal.web.access import customer_success_required

bp = Blueprint("fleet", __name__, url_prefix="/cs")

PAGE_SIZE = 25

# What customer success reads in the outage banner: the cause, not the admin's next step.
OUTAGE_CAUSES = {
    ErrorCode.PROVIDER_UNAVAILABLE: _l("the provider does not answer properly (time-outs or errors)"),
    ErrorCode.RECONNECT_NEEDED: _l("the provider refuses Flexsync's connection (consent revoked or expired)"),
    ErrorCode.INCOMPLETE_FETCH: _l("the provider sends incomplete lists of employees"),
    ErrorCode.WORKER_LOST: _l("the syncs stop without reporting back (worker lost)"),
    ErrorCode.INTERNAL: _l("an error on Flexsync's side"),
}
QUEUE_NAMES = {SYNC_QUEUE: _l("Syncs and exports of hours"), DEFAULT_QUEUE: _l("Scheduled jobs")}
WORKER_STATES = {
    workers.WorkerState.WORKING: _l("working"),
    workers.WorkerState.WAITING: _l("waiting for work"),
    workers.WorkerState.SUSPENDED: _l("suspended"),
    workers.WorkerState.LOST: _l("lost"),
}


def _chosen() -> FleetFilter:
    provider, state = request.args.get("provider", ""), request.args.get("state", "")
    return FleetFilter(
        provider=Provider(provider) if provider in Provider._value2member_map_ else None,
        state=CardState(state) if state in {s.value for s in FLEET_STATES} else None,
        search=request.args.get("q", "").strip(),
    )


def _rows(found: list[outages.Outage]) -> dict:
    chosen = _chosen()
    explained = [(outage.provider, outage.cause.value) for outage in found]
    page = fleet_page(chosen, request.args.get("page", 1, type=int), PAGE_SIZE, explained)
    # The schedule runs on the server's clock, as the HR admin's integration card reads it.
    tonight = next_nightly_run(current_app.config["NIGHTLY_CRON"], datetime.now())
    return {"page": page, "chosen": chosen, "tonight": tonight}


def _outages(found: list[outages.Outage]) -> dict:
    return {"outages": found, "outage_causes": OUTAGE_CAUSES}


def _workers(_found: list[outages.Outage]) -> dict:
    lost_after = timedelta(seconds=current_app.config["FLEET_WORKER_LOST_AFTER_S"])
    try:
        seen = workers.workers_and_queues(redis_connection(), datetime.utcnow(), lost_after)
    except RedisError as error:
        current_app.logger.warning("Fleet page: Redis unavailable (%s)", error)
        seen = None
    return {"workers": seen, "worker_states": WORKER_STATES, "queue_names": QUEUE_NAMES, "nightly": nightly.last_nightly_run()}


# Each part of the page refreshes itself (htmx) by asking for its own fragment, by its id.
PARTS: dict[str, tuple[str, Callable[[list[outages.Outage]], dict]]] = {
    "fleet-rows": ("cs/_fleet_rows.html", _rows),
    "fleet-outages": ("cs/_fleet_outages.html", _outages),
    "fleet-workers": ("cs/_fleet_workers.html", _workers),
}


@bp.get("/fleet")
@customer_success_required
def index():
    part = PARTS.get(htmx.target or "") if htmx else None
    # Rows an outage explains are not put first, so the rows and the banner read the same outages.
    found = outages.provider_outages(datetime.utcnow()) if part is None or part[1] is not _workers else []
    if part is not None:
        template, fill = part
        return render_template(template, **fill(found))
    context: dict = {"provider_choices": list(Provider), "states": FLEET_STATES}
    for _template, fill in PARTS.values():
        context.update(fill(found))
    return render_template("cs/fleet.html", **context)
