"""Redis stopped or restarted under a working portal, with our own redis-server process:
pages keep rendering, "Sync now" says to try again, and everything resumes afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers.pages import csrf_token_from
from helpers.sync_runs import active_at_provider, employees_of, finished_run, start_sync
from helpers.waiting import wait_for
from helpers.workers import Worker
from portal.extensions import db
from portal.models import RunState, SyncRun
from sandbox.testing import set_faults

pytestmark = pytest.mark.slow
# The integration card as htmx refreshes it, and the pages.
CARD = "/integrations/securex/card"
PAGES = [
    "/",
    "/integrations",
    "/employees",
    "/notifications",
    "/integrations/securex/history",
    "/integrations/securex/settings",
    "/company",
]


def sync_now(client):
    token = csrf_token_from(client.get("/integrations").get_data(as_text=True))
    return client.post("/integrations/securex/sync", headers={"X-CSRFToken": token, "HX-Request": "true"})


def runs_of(app, integration_id: int) -> list[SyncRun]:
    with app.app_context():
        return list(db.session.execute(select(SyncRun).where(SyncRun.integration_id == integration_id)).scalars())


def test_with_redis_stopped_pages_render_sync_now_says_try_again_and_all_resumes_after(
    app, own_redis, sandboxes, activate, client, auth, tmp_path
):
    """Defends against a Redis outage turning the portal into 500 pages or half-started syncs."""
    integration_id = activate("securex")
    auth.login()
    own_redis.stop()
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get(CARD, headers={"HX-Request": "true"}).status_code == 200
    refused = sync_now(client)
    assert refused.status_code == 200
    assert "The sync service is unavailable right now. Nothing was started: try again in a minute." in refused.get_data(
        as_text=True
    )
    assert runs_of(app, integration_id) == []

    own_redis.start()
    assert "unavailable" not in sync_now(client).get_data(as_text=True)
    worker = Worker(app, own_redis.url, sandboxes, tmp_path / "worker.log")
    try:
        (run,) = runs_of(app, integration_id)
        assert finished_run(app, run.id).status is RunState.SUCCESS
    finally:
        worker.stop()
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get(CARD, headers={"HX-Request": "true"}).status_code == 200


def test_redis_restarted_during_a_run_loses_no_employee(app, own_redis, sandboxes, activate, tmp_path):
    """Defends against a Redis restart (queue data lost) mid-sync leaving a run open forever or
    half-applied employees: the run completes, the worker reconnects, and the next sync runs."""
    integration_id = activate("securex")
    set_faults(sandboxes["securex"], latency_ms=300)
    worker = Worker(app, own_redis.url, sandboxes, tmp_path / "worker.log")
    try:
        run_id = start_sync(app, integration_id)
        wait_for(lambda: runs_of(app, integration_id)[0].fetched >= 25, timeout=30, message="a page applied")
        own_redis.stop()
        own_redis.start()
        run = finished_run(app, run_id, timeout=60)
    finally:
        worker.stop()
    set_faults(sandboxes["securex"], latency_ms=0)
    # The work horse needs Redis only to report the job's end: the run itself completes.
    assert run.status is RunState.SUCCESS, worker.log()
    again = Worker(app, own_redis.url, sandboxes, tmp_path / "worker-2.log")
    try:
        assert finished_run(app, start_sync(app, integration_id)).status is RunState.SUCCESS, again.log()
    finally:
        again.stop()
    employees = employees_of(app, integration_id)
    assert len(employees) == active_at_provider(sandboxes, "securex")
    assert len({e.provider_id for e in employees}) == len(employees)
