"""Nightly and on-demand syncs as real RQ jobs against the sandboxes, and what they leave behind."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import func, select

from helpers.pages import csrf_token_from
from helpers.sync_runs import active_at_provider, employees_of, finished_run, start_sync
from helpers.waiting import wait_for
from portal import tenancy
from portal.extensions import db
from portal.models import Employee, Integration, RunState, SyncRun, SyncRunEmployee, Trigger, WageContract
from portal.runs import sync_runs
from portal.sync.plan import Action
from sandbox.testing import advance, set_faults


def synced_at_stamps(app) -> dict[int, object]:
    with app.app_context():
        return dict(db.session.execute(select(Employee.id, Employee.last_synced_at)).all())


def contract_rows(app) -> set[tuple]:
    with app.app_context():
        return set(db.session.execute(select(WageContract.__table__)).all())


def test_first_sync_imports_every_active_employee_and_a_resync_writes_nothing(sync_setup, sandboxes, activate, worker):
    app = sync_setup
    integration_id = activate("securex")
    first = finished_run(app, start_sync(app, integration_id))
    assert first.status is RunState.SUCCESS, first.error_detail
    employees = employees_of(app, integration_id)
    assert len(employees) == active_at_provider(sandboxes, "securex") == first.created
    assert len({e.provider_id for e in employees}) == len(employees)

    stamps, contracts = synced_at_stamps(app), contract_rows(app)
    second = finished_run(app, start_sync(app, integration_id))
    assert second.status is RunState.SUCCESS
    assert (second.created, second.updated, second.deactivated) == (0, 0, 0)
    assert second.unchanged == first.created
    # Zero rows written: no employee and no wage contract was touched.
    assert synced_at_stamps(app) == stamps
    assert contract_rows(app) == contracts
    with app.app_context():
        lines = db.session.execute(
            select(func.count()).where(
                SyncRunEmployee.run_id == second.id, SyncRunEmployee.action.in_([Action.CREATE, Action.UPDATE])
            )
        ).scalar_one()
    assert lines == 0


def test_a_resync_after_changes_at_the_provider_applies_them(sync_setup, sandboxes, activate, worker):
    app = sync_setup
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    changes = advance(sandboxes["securex"])
    run = finished_run(app, start_sync(app, integration_id))
    assert run.created >= 1, changes
    assert run.updated >= 1
    assert run.deactivated >= 1
    with app.app_context():
        deactivated = (
            db.session.execute(select(Employee).where(Employee.integration_id == integration_id, Employee.active.is_(False)))
            .scalars()
            .all()
        )
        assert deactivated and all(e.access_revoked and e.budget_frozen for e in deactivated)


def test_sync_now_twice_and_the_nightly_run_at_once_make_exactly_one_run(sync_setup, activate, client, auth):
    app = sync_setup
    integration_id = activate("securex")
    auth.login()
    token = csrf_token_from(client.get("/integrations").get_data(as_text=True))
    for _ in range(2):
        assert client.post("/integrations/securex/sync", headers={"X-CSRFToken": token, "HX-Request": "true"}).status_code == 200
    with app.app_context():
        sync_runs.request_nightly_syncs()
        runs = db.session.execute(select(SyncRun).where(SyncRun.integration_id == integration_id)).scalars().all()
    assert len(runs) == 1
    from redis import Redis
    from rq import Queue

    assert Queue("sync", connection=Redis.from_url(app.config["REDIS_URL"])).count == 1


def test_the_nightly_run_hands_its_integrations_to_the_workers_in_batches(
    sync_setup, sandbox_companies, activate, start_worker, monkeypatch
):
    """Defends against one job starting a whole fleet's syncs and outlasting its timeout: each
    batch is a job of its own, and every active integration still gets exactly one nightly run."""
    from redis import Redis
    from rq import Queue
    from rq.job import Job, JobStatus

    app = sync_setup
    monkeypatch.setenv("FLEXSYNC_NIGHTLY_BATCH", "1")
    integration_ids = {
        activate("securex"),
        activate("hris", credentials={"api_token": sandbox_companies["C001"]["api_key"]}),
    }
    start_worker()
    default = Queue("default", connection=Redis.from_url(app.config["REDIS_URL"]))
    nightly = default.enqueue("jobs.nightly.run_nightly_syncs")
    wait_for(lambda: nightly.get_status(refresh=True) == JobStatus.FINISHED, timeout=30, message="the nightly job")
    assert nightly.return_value() == 2
    wait_for(lambda: len(default.finished_job_registry.get_job_ids()) == 3, timeout=30, message="two batches started")
    batches = [Job.fetch(job_id, connection=default.connection) for job_id in default.finished_job_registry.get_job_ids()]
    batches = [job for job in batches if job.id != nightly.id]
    assert {job.func_name for job in batches} == {"jobs.nightly.start_nightly_syncs"}
    assert sorted(job.args[0] for job in batches) == sorted([integration_id] for integration_id in integration_ids)
    with app.app_context():
        runs = db.session.execute(select(SyncRun).where(SyncRun.trigger == Trigger.NIGHTLY)).scalars().all()
        assert sorted(run.integration_id for run in runs) == sorted(integration_ids)
    assert all(finished_run(app, run.id, timeout=90).status is not RunState.ERROR for run in runs)


def test_the_nightly_run_leaves_a_deactivated_company_alone(sync_setup, activate):
    """Defends against a company that left still being synced every night after its logins stopped."""
    from datetime import datetime

    from portal.models import Tenant

    app = sync_setup
    integration_id = activate("securex")
    with app.app_context():
        integration = db.session.get(Integration, integration_id)
        db.session.get(Tenant, integration.tenant_id).deactivated_at = datetime.utcnow()
        db.session.commit()
        assert integration_id not in {run.integration_id for run in sync_runs.request_nightly_syncs()}
        assert db.session.execute(select(SyncRun).where(SyncRun.integration_id == integration_id)).first() is None


def test_sync_now_with_redis_down_says_try_again_and_starts_nothing(sync_setup, activate, client, auth):
    app = sync_setup
    integration_id = activate("securex")
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.extensions.pop("flexsync_redis", None)
    auth.login()
    token = csrf_token_from(client.get("/integrations").get_data(as_text=True))
    response = client.post("/integrations/securex/sync", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 200
    assert "sync service is unavailable" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(SyncRun).where(SyncRun.integration_id == integration_id)).first() is None


@pytest.mark.slow
def test_a_killed_work_horse_leaves_no_half_applied_employee_and_the_retry_completes(app, redis_url, tmp_path, activate):
    from helpers.workers import Worker
    from sandbox.testing import running_sandboxes

    with running_sandboxes(size=1500, seed=5, companies=1) as urls:
        app.config.update(REDIS_URL=redis_url, PROVIDER_URLS=dict(urls))
        app.extensions.pop("flexsync_redis", None)
        from redis import Redis

        Redis.from_url(redis_url).flushdb()
        set_faults(urls["securex"], latency_ms=150)
        integration_id = activate("securex")
        first = Worker(app, redis_url, urls, tmp_path / "w1.log")
        try:
            run_id = start_sync(app, integration_id)

            def some_pages_applied():
                with app.app_context():
                    return db.session.execute(select(SyncRun.fetched).where(SyncRun.id == run_id)).scalar_one() >= 200

            wait_for(some_pages_applied, timeout=60, message="a few pages applied")
            horses = wait_for(first.horse_pids, timeout=10, message="the work horse")
            for pid in horses:
                os.kill(pid, signal.SIGKILL)
            # The worker notices its horse died and hands the job back for a retry.
            wait_for(lambda: "terminated unexpectedly" in first.log(), timeout=30, message="the worker to see its horse die")
        finally:
            first.stop()
        set_faults(urls["securex"], latency_ms=0)
        second = Worker(app, redis_url, urls, tmp_path / "w2.log")
        try:
            run = finished_run(app, run_id, timeout=90)
        finally:
            second.stop()
        assert run.status is RunState.SUCCESS, (run.error_code, run.error_detail, second.log())
        employees = employees_of(app, integration_id)
        assert len(employees) == active_at_provider(urls, "securex")
        assert len({e.provider_id for e in employees}) == len(employees)
        assert len({e.email for e in employees}) == len(employees)
        with app.app_context():
            without_contract = db.session.execute(
                select(func.count())
                .select_from(Employee)
                .outerjoin(WageContract)
                .where(Employee.integration_id == integration_id, WageContract.id.is_(None))
            ).scalar_one()
        assert without_contract == 0
        assert run.trigger is Trigger.RETRY


def test_after_a_run_the_admins_get_a_notification(sync_setup, activate, worker, client, auth):
    app = sync_setup
    run = finished_run(app, start_sync(app, activate("securex")))
    notification = wait_for(lambda: notification_of(app, run.id), timeout=10, message="the run's notification")
    auth.login()
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Securex sync: Success — {run.created} new, 0 deactivated, 0 failed" in page
    assert notification.link == f"/syncs/{run.id}"
    # Written in the company's default language (Dutch for Demo NV), kept as a fallback.
    assert notification.title.startswith("Securex-sync: Geslaagd")
    assert "Nieuwe werknemers" in notification.body


def notification_of(app, run_id: int):
    """The run's notification, once the worker wrote it: it follows the run's closing."""
    from portal.models import Notification

    with app.app_context():
        notification = db.session.execute(select(Notification).where(Notification.sync_run_id == run_id)).scalar_one_or_none()
        if notification is not None:
            db.session.expunge(notification)
        return notification


def test_the_admins_get_an_email_summary_and_none_when_nothing_changed(smtp_server, sync_setup, activate, start_worker):
    app = sync_setup
    start_worker()
    integration_id = activate("securex")
    first = finished_run(app, start_sync(app, integration_id))
    wait_for(lambda: smtp_server.to("hr@demo.test"), timeout=10, message="the summary e-mail")
    (mail,) = smtp_server.to("hr@demo.test")
    assert mail["Subject"] == f"Securex-sync: Geslaagd — {first.created} nieuw, 0 gedeactiveerd, 0 mislukt"
    text = mail.get_body(("plain",)).get_content()
    assert "Nieuwe werknemers" in text and f"/syncs/{first.id}" in text
    assert smtp_server.to("hr@other.test") == []

    second = finished_run(app, start_sync(app, integration_id))
    wait_for(lambda: job_done(app, second.id), timeout=10, message="the job to return")
    assert len(smtp_server.messages) == 1


def job_done(app, run_id: int) -> bool:
    """The worker has returned from the job: everything it sends is sent."""
    from redis import Redis
    from rq.job import Job, JobStatus

    job = Job.fetch(f"sync-run-{run_id}", connection=Redis.from_url(app.config["REDIS_URL"]))
    return job.get_status() == JobStatus.FINISHED


def test_a_run_nobody_carries_out_any_more_is_closed_as_error_not_left_running(sync_setup, activate):
    """Defends against a dead worker leaving a run 'running' forever, blocking every later sync."""
    from datetime import datetime, timedelta

    app = sync_setup
    integration_id = activate("securex")
    silent_since = datetime.utcnow() - sync_runs.STALE_AFTER - timedelta(minutes=1)
    with app.app_context():
        integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
        with tenancy.acting_for(integration.tenant_id):
            run = SyncRun(
                integration_id=integration_id,
                trigger=Trigger.NIGHTLY,
                status=RunState.RUNNING,
                started_at=silent_since,
                heartbeat_at=silent_since,
                queued_at=silent_since,
            )
            db.session.add(run)
            db.session.commit()
            run_id = run.id
        assert sync_runs.close_stale_runs() == 1
        closed = db.session.execute(select(SyncRun).where(SyncRun.id == run_id)).scalar_one()
        assert closed.status is RunState.ERROR and closed.error_code == sync_runs.ErrorCode.WORKER_LOST
        # The next Sync now starts a fresh run instead of joining the dead one.
        assert sync_runs.request_sync(integration, Trigger.MANUAL).id != run_id


def test_a_sync_notification_reads_in_the_language_of_whoever_opens_it(sync_setup, activate, worker, client, auth):
    """Defends against a Dutch summary shown to an admin who reads Flexsync in French."""
    app = sync_setup
    run = finished_run(app, start_sync(app, activate("securex")))
    notification = wait_for(lambda: notification_of(app, run.id), timeout=10, message="the run's notification")
    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    client.post("/language", data={"language": "fr", "csrf_token": token})
    listing = client.get("/notifications").get_data(as_text=True)
    assert f"Synchronisation Securex : Réussie — {run.created} nouveaux" in listing
    detail = client.get(f"/notifications/{notification.id}").get_data(as_text=True)
    assert "Nouveaux employés" in detail
