"""The logs of a whole sync, as production writes them: the web app's and the worker's lines
are JSON objects carrying the ids of what they are about, and nothing of the people synced,
their provider's tokens or anyone's password."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from helpers.pages import csrf_token_from
from helpers.sync_runs import finished_run
from portal.extensions import db
from portal.models import Integration, RunState, SyncRun, User
from portal.observability import logs
from sandbox.testing import dataset_summary, set_faults, true_employees

pytestmark = pytest.mark.slow
EVERY_LINE = {"ts", "level", "logger", "message"}
PASSWORD = "Correct-Horse-4711"


@pytest.fixture
def web_log(app, monkeypatch) -> Iterator[io.StringIO]:
    """What the web app logs, in production's format (the test app logs as the demo does)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    buffer = io.StringIO()
    logs.configure("json", "INFO", stream=buffer)
    # The sandboxes serve from this process too: their request lines are the providers' logs.
    monkeypatch.setattr(logging.getLogger("werkzeug"), "propagate", False)
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)


def json_lines(text: str) -> list[dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines and all(EVERY_LINE <= line.keys() for line in lines), [l for l in lines if not EVERY_LINE <= l.keys()]
    return lines


def secrets_and_people(sandboxes, company_id: str, credentials: list[dict], app) -> list[str]:
    """Everything no log line may hold: the synced people, every token the sandboxes know, passwords."""
    people = true_employees(sandboxes["liantis"], company_id)
    words = [p[key] for p in people for key in ("email", "phone", "last_name")]
    words += [f"{p['first_name']} {p['last_name']}" for p in people]
    for company in dataset_summary(sandboxes["liantis"])["companies"]:
        words += [company["api_token"], company["api_key"]]
    words += [c[key] for c in credentials for key in ("access_token", "refresh_token")]
    words += [app.config["LIANTIS_CLIENT_SECRET"], app.config["SECUREX_API_KEY"], PASSWORD, "hr@demo.test"]
    return [w for w in words if w]


def test_a_whole_sync_logs_json_with_its_ids_and_nothing_personal_or_secret(
    app, web_log, monkeypatch, unreachable_smtp, providers_at_sandboxes, start_worker, activate, liantis_credentials, client
):
    """Defends against logs that leak what Flexsync guards (people's data, provider tokens,
    passwords) and against lines a log collector cannot read or tie to a run."""
    sandboxes = providers_at_sandboxes
    monkeypatch.setenv("LOG_FORMAT", "json")
    stored = {
        "access_token": liantis_credentials.access_token,
        "refresh_token": liantis_credentials.refresh_token,
        # Expired: the worker refreshes it, so the new pair passes through the worker too.
        "expires_at": time.time() - 60,
    }
    integration_id = activate("liantis", company_id=liantis_credentials.provider_company_id, credentials=stored)
    with app.app_context():
        db.session.execute(select(User).where(User.email == "hr@demo.test")).scalar_one().set_password(PASSWORD)
        db.session.commit()
    set_faults(sandboxes["liantis"], rate_limit={"next": 1, "retry_after": 0})
    worker = start_worker()

    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "hr@demo.test", "password": PASSWORD, "csrf_token": token})
    token = csrf_token_from(client.get("/integrations").get_data(as_text=True))
    sync_now = client.post("/integrations/liantis/sync", headers={"X-CSRFToken": token, "HX-Request": "true"})
    with app.app_context():
        run_id = db.session.execute(select(SyncRun.id).where(SyncRun.integration_id == integration_id)).scalar_one()
    run = finished_run(app, run_id)
    assert run.status is RunState.SUCCESS, worker.log()[-3000:]
    someone = true_employees(sandboxes["liantis"], liantis_credentials.provider_company_id)[0]
    assert client.get("/employees", query_string={"q": someone["last_name"]}).status_code == 200
    assert client.get(f"/syncs/{run_id}").status_code == 200
    worker.stop()

    with app.app_context():
        refreshed = db.session.get(Integration, integration_id).credentials
    assert refreshed["refresh_token"] != stored["refresh_token"]
    web, work = json_lines(web_log.getvalue()), json_lines(worker.log())
    forbidden = secrets_and_people(sandboxes, liantis_credentials.provider_company_id, [stored, refreshed], app)
    for line in [*web, *work]:
        text = json.dumps(line, ensure_ascii=False)
        leaked = [w for w in forbidden if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
        assert not leaked, (leaked, text)

    requests = [line for line in web if line.get("route")]
    assert all({"request_id", "method", "status", "duration_ms"} <= line.keys() for line in requests)
    (sync_now_line,) = [line for line in requests if line["request_id"] == sync_now.headers["X-Request-ID"]]
    assert sync_now_line["route"] == "/integrations/<provider>/sync" and sync_now_line["tenant_id"] == run.tenant_id
    run_lines = [line for line in work if line.get("run_id") == run_id]
    assert {line["message"] for line in run_lines} >= {"sync run started", "sync run ended: success"}
    for line in run_lines:
        assert (line["tenant_id"], line["integration_id"], line["provider"]) == (run.tenant_id, integration_id, "liantis")
    (ended,) = [line for line in run_lines if line["message"].startswith("sync run ended")]
    assert ended["counts"]["rate_limited"] == 1 and ended["duration_ms"] > 0
