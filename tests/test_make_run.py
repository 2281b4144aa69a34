"""`make run` on one machine: everything comes up, e-mail lands in the mail catcher, a crashed
process comes back while the portal stays up, and one Ctrl-C or SIGTERM leaves no process
behind, work horses included."""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import datetime

import pytest
import requests
from cryptography.fernet import Fernet
from redis import Redis
from rq import Worker
from sqlalchemy import select

from helpers.launcher import Launcher
from helpers.pages import csrf_token_from
from helpers.sync_runs import active_at_provider, employees_of, finished_run, start_sync
from helpers.waiting import wait_for
from sandbox.testing import set_faults

pytestmark = pytest.mark.launcher


def test_the_whole_system_starts_and_stops_cleanly(tmp_path):
    launcher = Launcher(tmp_path)
    try:
        launcher.wait_for_output("Press Ctrl-C to stop everything.", timeout=120)
        printed = launcher.output()
        assert launcher.url in printed
        assert "hr@demo.test" in printed and "cs@flexsync.test" in printed
        response = requests.get(f"{launcher.url}/login", timeout=30)
        assert response.status_code == 200
        assert "Log in to Flexsync" in response.text
        sandbox_urls = re.findall(r"(http://127\.0\.0\.1:\d+) \(sandbox\)", printed)
        assert len(sandbox_urls) == 4
        for url in sandbox_urls:
            assert requests.get(f"{url}/_admin/faults", timeout=30).status_code == 200
        assert "sandbox/datasets/securex.json" in printed
        [mail_page] = re.findall(r"(http://127\.0\.0\.1:\d+) \(mail catcher\)", printed)
        invited = invite_first_employee(launcher.url)
        page = requests.get(mail_page, timeout=30).text
        assert f"<dd>{invited}</dd>" in page and "<dt>Language</dt><dd>nl</dd>" in page
        assert len(launcher.processes()) >= 6, "launcher, redis, web, worker, cron and the mail catcher should all run"
        launcher.process.send_signal(signal.SIGINT)
        launcher.process.wait(timeout=30)
        wait_for(lambda: not launcher.processes(), timeout=10, message="every process to stop")
    finally:
        launcher.stop()


def test_a_killed_worker_comes_back_and_a_stop_during_a_sync_leaves_no_work_horse(tmp_path):
    """Defends against a crashed worker taking the portal down with it, and against a stop
    that misses the RQ work horse (its own process group) so that it syncs on afterwards."""
    # Small, slow pages: a sync takes a few seconds, long enough to kill and stop things in it.
    key = Fernet.generate_key().decode()
    # The generator's 60 people: a sync long enough to kill a worker in, and no failures.
    launcher = Launcher(tmp_path, FLEXSYNC_ENCRYPTION_KEY=key, FLEXSYNC_PAGE_SIZE="5", SANDBOX_DATASET="generated")
    try:
        launcher.wait_for_output("Press Ctrl-C to stop everything.", timeout=120)
        app = app_of(launcher, key)
        integration_id = securex_activated(app)
        set_faults(launcher.sandboxes["securex"], latency_ms=300)
        run_id = start_sync(app, integration_id)
        wait_for(lambda: fetched(app, run_id) >= 10, timeout=30, message="the sync under way")

        [worker] = launcher.workers()
        os.kill(worker, signal.SIGKILL)
        launcher.wait_for_output(f"worker (pid {worker}) stopped unexpectedly (Killed)", timeout=10)
        launcher.wait_for_output("worker restarted", timeout=10)
        assert requests.get(f"{launcher.url}/login", timeout=10).status_code == 200
        [restarted] = wait_for(launcher.workers, timeout=10, message="the new worker")
        redis = Redis.from_url(launcher.redis_url())
        wait_for(lambda: restarted in [w.pid for w in Worker.all(connection=redis)], timeout=30, message="it registers")
        # The killed worker's horse finishes the run it had in hand: every employee once.
        run = finished_run(app, run_id, timeout=60)
        assert run.status.value == "success", (run.error_code, run.error_detail)
        assert len(employees_of(app, integration_id)) == run.created == active_at_provider(launcher.sandboxes, "securex")

        second = start_sync(app, integration_id)
        wait_for(lambda: fetched(app, second) >= 10, timeout=30, message="the next sync under way")
        assert launcher.work_horses(), "a work horse carries the sync out"
        stopping = time.monotonic()
        launcher.process.send_signal(signal.SIGTERM)
        wait_for(lambda: not launcher.processes(), timeout=10, message="every process, work horse included, to stop")
        assert time.monotonic() - stopping < 10
    finally:
        launcher.stop()


def invite_first_employee(url: str) -> str:
    """As hr@demo.test in the browser would: the invitation of the first person listed; their e-mail."""
    session = requests.Session()
    login = {"email": "hr@demo.test", "password": "demo", "csrf_token": csrf_token_from(session.get(f"{url}/login").text)}
    session.post(f"{url}/login", data=login, timeout=30)
    employee_id = re.search(r'href="/employees/(\d+)"', session.get(f"{url}/employees", timeout=30).text)[1]
    employee_page = session.get(f"{url}/employees/{employee_id}", timeout=30).text
    sent = session.post(
        f"{url}/employees/{employee_id}/invitation", data={"csrf_token": csrf_token_from(employee_page)}, timeout=30
    )
    invited = re.search(r"Invitation sent to (\S+@\S+?)\. ", sent.text)
    assert invited, "the page says the invitation was sent"
    return invited[1]


def app_of(launcher: Launcher, encryption_key: str):
    """The app, in this process, on the launcher's database and Redis."""
    from portal import create_app

    return create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": launcher.database_url,
            "REDIS_URL": launcher.redis_url(),
            "FLEXSYNC_ENCRYPTION_KEY": encryption_key,
        },
    )


def securex_activated(app) -> int:
    """Securex active for Demo NV, as customer success and the wizard leave it."""
    from portal import tenancy
    from portal.extensions import db
    from portal.models import Integration, IntegrationState, Tenant
    from portal.providers.base import Provider
    from portal.sync.state import SyncMode

    with app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
        with tenancy.acting_for(tenant_id):
            integration = Integration(
                provider=Provider.SECUREX,
                available=True,
                state=IntegrationState.ACTIVE,
                sync_mode=SyncMode.FULL,
                provider_company_id="C001",
                credentials={},
                settings={},
                activated_at=datetime.utcnow(),
            )
            db.session.add(integration)
            db.session.commit()
            return integration.id


def fetched(app, run_id: int) -> int:
    from portal.extensions import db
    from portal.models import SyncRun

    with app.app_context():
        return db.session.execute(select(SyncRun.fetched).where(SyncRun.id == run_id)).scalar_one()
