"""What a load balancer and Prometheus see: /healthz, /readyz naming what is down, and
/metrics whose figures are the runs in the database and the queues in Redis."""

from __future__ import annotations

import socket
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, select

from helpers.sync_runs import finished_run, start_sync
from portal.extensions import db
from portal.models import Integration, RunState, SyncRun
from portal.observability.health import CHECK_TIMEOUT_S
from portal.observability.metrics import OUTCOMES
from sandbox.testing import set_faults


def scrape(client, **request) -> dict[str, dict[frozenset, float]]:
    """Metric name → {its labels → value}."""
    answer = client.get("/metrics", **request)
    assert answer.status_code == 200, answer.status_code
    metrics: dict[str, dict[frozenset, float]] = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            metrics.setdefault(sample.name, {})[frozenset(sample.labels.items())] = sample.value
    return metrics


def labelled(**labels: str) -> frozenset:
    return frozenset(labels.items())


@pytest.mark.slow
def test_readyz_names_what_is_down_and_healthz_only_asks_the_process(client, own_redis):
    """Defends against a load balancer sending admins to a portal that cannot reach Redis,
    and against a liveness probe that restarts the portal for another service's outage."""
    healthz = client.get("/healthz")
    assert healthz.status_code == 200 and healthz.json == {"status": "ok"}
    assert healthz.headers["X-Request-ID"]
    assert client.get("/readyz").json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}

    own_redis.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json == {"status": "unavailable", "checks": {"database": "ok", "redis": "unavailable"}}
    assert client.get("/healthz").status_code == 200

    own_redis.start()
    assert client.get("/readyz").status_code == 200


@pytest.mark.slow
def test_readyz_gives_up_on_a_database_that_never_answers(app, client, own_redis, monkeypatch):
    """Defends against a probe that hangs with its database: a server that accepts the
    connection and then says nothing is reported unavailable within the probe's time."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        engine = create_engine(f"postgresql+psycopg://flexsync@127.0.0.1:{silent.getsockname()[1]}/flexsync")
        monkeypatch.setitem(db._app_engines[app], None, engine)
        started = time.monotonic()
        answer = client.get("/readyz")
        waited = time.monotonic() - started
    engine.dispose()
    assert answer.status_code == 503
    assert answer.json["checks"] == {"database": "unavailable", "redis": "ok"}
    assert waited < CHECK_TIMEOUT_S + 1


def test_metrics_need_the_token_or_a_caller_on_this_machine(app, client, monkeypatch):
    """Defends against the fleet's figures being readable by anyone who can reach the portal."""
    assert "flexsync_dependency_up" in scrape(client)
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403

    monkeypatch.setitem(app.config, "METRICS_TOKEN", "prometheus-token-4711")
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    scrape(client, headers={"Authorization": "Bearer prometheus-token-4711"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})


@pytest.mark.slow
def test_metrics_after_two_syncs_are_the_runs_in_the_database(
    app, providers_at_sandboxes, activate, sandbox_demo_company, worker, client
):
    """Defends against figures counted in one process's memory: a worker elsewhere ran these
    syncs, and the portal's scrape still shows each run, its employees, its 429s and errors."""
    sandboxes = providers_at_sandboxes
    securex = activate("securex")
    hris = activate("hris", credentials={"api_token": sandbox_demo_company["api_key"]})
    set_faults(sandboxes["securex"], rate_limit={"next": 2, "retry_after": 0})
    set_faults(sandboxes["hris"], error_5xx={"every": 1, "status": 503})
    synced = finished_run(app, start_sync(app, securex))
    failed = finished_run(app, start_sync(app, hris))
    assert synced.status is RunState.SUCCESS and synced.rate_limited == 2
    assert failed.status is RunState.ERROR and failed.error_code == "provider_unavailable"

    metrics = scrape(client)
    with app.app_context():
        runs = db.session.execute(select(SyncRun, Integration.provider).join(Integration)).all()
    ended: dict[frozenset, float] = {}
    for run, provider in runs:
        key = labelled(provider=provider.value, status=run.status.value)
        ended[key] = ended.get(key, 0) + 1
        assert metrics["flexsync_provider_rate_limited_24h"][labelled(provider=provider.value)] == run.rate_limited
        for outcome in OUTCOMES:
            processed = metrics["flexsync_employees_processed_24h"][labelled(provider=provider.value, outcome=outcome)]
            assert processed == getattr(run, outcome), outcome
    assert metrics["flexsync_sync_runs_ended_24h"] == ended
    assert metrics["flexsync_sync_run_errors_24h"] == {labelled(provider="hris", error="provider_unavailable"): 1}
    assert metrics["flexsync_integrations_in_error"] == {labelled(provider="hris", error="provider_unavailable"): 1}
    longest = metrics["flexsync_sync_run_duration_seconds_24h"][labelled(provider="securex", quantile="1.0")]
    assert longest == pytest.approx((synced.finished_at - synced.started_at).total_seconds())
    assert metrics.get("flexsync_sync_runs_open", {}) == {}
    assert metrics["flexsync_sync_run_oldest_open_seconds"] == {labelled(): 0}
    assert metrics["flexsync_workers"] == {labelled(state="alive"): 1, labelled(state="lost"): 0}
    assert metrics["flexsync_queue_jobs"][labelled(queue="sync", state="queued")] == 0
    assert set(metrics["flexsync_dependency_up"].values()) == {1}
