"""Probes for machines: /healthz and /readyz for load balancers, /metrics for Prometheus.

No login and no page: they answer without a session, and only GET, so CSRF never applies.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from portal.extensions import db
from portal.observability import health
from portal.observability.metrics import exposition_registry, may_read

bp = Blueprint("health", __name__)

NOT_CACHED = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is asked, so a slow database never restarts it."""
    return {"status": "ok"}, 200, NOT_CACHED


@bp.get("/readyz")
def readyz():
    """The database and Redis answer: 503 naming which did not, so traffic goes elsewhere."""
    with health.probe_redis(current_app.config["REDIS_URL"]) as redis:
        checks = readiness().check({"database": health.database_answers(db.engine), "redis": health.redis_answers(redis)})
    ready = all(checks.values())
    answers = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    return {"status": "ok" if ready else "unavailable", "checks": answers}, 200 if ready else 503, NOT_CACHED


@bp.get("/metrics")
def metrics():
    allowed = may_read(
        current_app.config["METRICS_TOKEN"],
        request.headers.get("Authorization"),
        request.remote_addr,
        forwarded="X-Forwarded-For" in request.headers,
    )
    if not allowed:
        abort(403)
    with health.probe_redis(current_app.config["REDIS_URL"]) as redis:
        lost_after = timedelta(seconds=current_app.config["FLEET_WORKER_LOST_AFTER_S"])
        text = generate_latest(exposition_registry(db.engine, redis, lost_after))
    return Response(text, content_type=CONTENT_TYPE_LATEST, headers=NOT_CACHED)


def readiness() -> health.Readiness:
    """One per process: a check still hanging from an earlier probe is not started again."""
    if "flexsync_readiness" not in current_app.extensions:
        current_app.extensions["flexsync_readiness"] = health.Readiness()
    return current_app.extensions["flexsync_readiness"]
