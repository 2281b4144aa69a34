"""Syncs of the changes only: between two nightly syncs, Flexsync asks Securex and the
generic HR system for the people changed since the last sync, with a real RQ worker
against the sandboxes; the schedule that starts them, and where the admin sees them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from helpers.pages import csrf_token_from
from helpers.sync_runs import employees_of, finished_run, start_delta_sync, start_sync
from helpers.waiting import wait_for
from portal.extensions import db
from portal.models import Employee, Integration, RunKind, RunState, SyncRun, SyncRunEmployee, Trigger, WageContract
from portal.runs import sync_runs
from portal.sync.changes import FullSyncReason
from sandbox.testing import advance, edit_employee, raise_salaries, set_faults, true_employees


def written_rows(app) -> dict[str, set[str]]:
    """Every row a sync may write for its people: employees, wage contracts, run lines."""
    with app.app_context():
        return {
            model.__tablename__: {repr(tuple(row)) for row in db.session.execute(select(model.__table__))}
            for model in (Employee, WageContract, SyncRunEmployee)
        }


def unchanged_at_provider(app, base_url: str, integration_id: int) -> Employee:
    """A synced person the sandbox has not changed since it started."""
    untouched = {p["id"] for p in true_employees(base_url, "C001") if "updated_at" not in p}
    return next(e for e in employees_of(app, integration_id) if e.active and e.provider_id in untouched)


def process_of(worker, run_id: int) -> int:
    """The process that logged the start of the run (the worker's log lines: `name[pid]: message [context]`)."""
    started = re.compile(rf"\[(\d+)\]: sync run started \[.*\brun_id={run_id}\b")
    return int(next(match[1] for line in worker.log().splitlines() if (match := started.search(line))))


def test_a_sync_of_changes_runs_in_the_worker_itself_and_a_full_sync_in_a_work_horse(sync_setup, activate, worker):
    """A quarter-hourly run of a few people costs less than the work horse RQ forks for a job;
    a full sync keeps the horse of its own, at the lower CPU priority (docs/performance.md)."""
    app = sync_setup
    integration_id = activate("securex")
    full = finished_run(app, start_sync(app, integration_id))
    changes = finished_run(app, start_delta_sync(app, integration_id))
    assert (full.status, changes.status, changes.kind) == (RunState.SUCCESS, RunState.SUCCESS, RunKind.DELTA)
    assert process_of(worker, changes.id) == worker.process.pid
    assert process_of(worker, full.id) != worker.process.pid


def test_a_change_at_securex_is_in_flexsync_after_the_next_sync_of_changes(sync_setup, sandboxes, activate, worker):
    app, securex = sync_setup, sandboxes["securex"]
    integration_id = activate("securex")
    assert finished_run(app, start_sync(app, integration_id)).status is RunState.SUCCESS

    raised = raise_salaries(securex, "C001", count=3)
    someone = unchanged_at_provider(app, securex, integration_id)
    edit_employee(securex, "C001", someone.provider_id, last_name="Van Achter")
    run = finished_run(app, start_delta_sync(app, integration_id))

    assert (run.kind, run.full_sync_reason, run.status) == (RunKind.DELTA, None, RunState.SUCCESS)
    # Only the changed people were fetched, and each of them was updated.
    assert run.fetched == run.total == run.updated == raised + 1
    with app.app_context():
        assert db.session.get(Employee, someone.id).last_name == "Van Achter"

    before = written_rows(app)
    again = finished_run(app, start_delta_sync(app, integration_id))
    assert again.kind is RunKind.DELTA and (again.created, again.updated, again.deactivated) == (0, 0, 0)
    assert written_rows(app) == before


def test_a_cursor_the_provider_refuses_becomes_a_full_sync_and_the_run_page_says_why(
    sync_setup, sandboxes, activate, worker, client, auth
):
    app, securex = sync_setup, sandboxes["securex"]
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    removed = next(c for c in advance(securex)["applied"] if c["kind"] == "removal" and c["company_id"] == "C001")
    set_faults(securex, cursor_expired=True)

    run = finished_run(app, start_delta_sync(app, integration_id))

    assert (run.kind, run.full_sync_reason) == (RunKind.FULL, FullSyncReason.CURSOR_REFUSED)
    # A full sync: everyone listed, and the person no longer listed deactivated.
    assert run.fetched == len(true_employees(securex, "C001"))
    assert not next(e for e in employees_of(app, integration_id) if e.provider_id == removed["employee_id"]).active
    auth.login()
    page = client.get(f"/syncs/{run.id}").get_data(as_text=True)
    assert "Securex no longer accepted where the last sync stopped: a full sync was done instead." in page

    set_faults(securex, cursor_expired=False)
    delta = finished_run(app, start_delta_sync(app, integration_id))
    assert delta.kind is RunKind.DELTA and delta.full_sync_reason is None
    history = client.get("/integrations/securex/history").get_data(as_text=True)
    assert "changes only" in history and "full sync" in history
    only_changes = client.get("/integrations/securex/history?kind=delta").get_data(as_text=True)
    assert f"/syncs/{delta.id}" in only_changes and f"/syncs/{run.id}" not in only_changes


def test_a_provider_clock_ten_minutes_behind_flexsync_loses_no_change(sync_setup, sandboxes, sandbox_companies, activate, worker):
    app, hris = sync_setup, sandboxes["hris"]
    set_faults(hris, clock_skew_s=-600)
    integration_id = activate("hris", credentials={"api_token": sandbox_companies["C001"]["api_key"]})
    full = finished_run(app, start_sync(app, integration_id))

    someone = unchanged_at_provider(app, hris, integration_id)
    changed_at = edit_employee(hris, "C001", someone.provider_id, last_name="Achterop")["updated_at"]
    # Stamped by the provider's clock before Flexsync's full sync even ended: a cursor on
    # Flexsync's clock would have started after it.
    assert datetime.fromisoformat(changed_at).replace(tzinfo=None) < full.finished_at
    run = finished_run(app, start_delta_sync(app, integration_id))

    assert run.kind is RunKind.DELTA and run.fetched == run.updated == 1
    with app.app_context():
        assert db.session.get(Employee, someone.id).last_name == "Achterop"


def test_the_schedule_starts_a_sync_of_changes_where_due_and_switched_on_and_a_full_sync_widens_it(
    sync_setup, sandbox_companies, activate, client, auth
):
    app = sync_setup
    securex = activate("securex")
    hris = activate("hris", credentials={"api_token": sandbox_companies["C001"]["api_key"]})
    activate("liantis")
    auth.login()
    settings = client.get("/integrations/hris/settings").get_data(as_text=True)
    assert "Sync changes every" in settings
    switched_off = client.post(
        "/integrations/hris/settings/changes", data={"delta_every": "off", "csrf_token": csrf_token_from(settings)}
    )
    assert switched_off.status_code == 302
    assert "Sync changes every" not in client.get("/integrations/liantis/settings").get_data(as_text=True)

    with app.app_context():
        assert db.session.get(Integration, hris).delta_every_minutes is None
        # Liantis lists no changes, the HR system's are switched off: only Securex's are synced.
        started = sync_runs.request_delta_syncs()
        assert [(r.integration_id, r.kind, r.trigger) for r in started] == [(securex, RunKind.DELTA, Trigger.INTERVAL)]
        # Not due again within its interval; due after it, the run still open is joined.
        assert sync_runs.request_delta_syncs() == []
        later = datetime.utcnow() + timedelta(minutes=15)
        assert [r.id for r in sync_runs.request_delta_syncs(now=later)] == [started[0].id]
        # The nightly sync asked for meanwhile makes it a full sync: it still finds removals.
        nightly = sync_runs.request_sync(db.session.get(Integration, securex), Trigger.NIGHTLY)
        assert (nightly.id, nightly.kind, nightly.trigger) == (started[0].id, RunKind.FULL, Trigger.NIGHTLY)


def test_the_nightly_sync_asked_for_while_changes_are_being_synced_still_finds_removals(sync_setup, sandboxes, activate, worker):
    app, securex = sync_setup, sandboxes["securex"]
    integration_id = activate("securex")
    finished_run(app, start_sync(app, integration_id))
    removed = next(c for c in advance(securex)["applied"] if c["kind"] == "removal" and c["company_id"] == "C001")
    # Slow pages: the nightly sync is asked for while the sync of changes reads its first one.
    set_faults(securex, page_latency_ms=500)
    delta_id = start_delta_sync(app, integration_id)

    def running() -> bool:
        with app.app_context():
            return db.session.get(SyncRun, delta_id).status is RunState.RUNNING

    wait_for(running, message="the sync of changes to start")
    with app.app_context():
        nightly = sync_runs.request_sync(db.session.get(Integration, integration_id), Trigger.NIGHTLY)
        assert nightly.id == delta_id
    run = finished_run(app, delta_id)

    assert (run.kind, run.trigger, run.full_sync_reason) == (RunKind.FULL, Trigger.NIGHTLY, None)
    assert run.deactivated >= 1
    assert not next(e for e in employees_of(app, integration_id) if e.provider_id == removed["employee_id"]).active
