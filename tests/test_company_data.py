"""A company's data: run lines pruned after the retention period, handed over as CSV
files, and erased from every table when the company leaves."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import select

from helpers.fleet import company_with, ended_run
from helpers.pages import csrf_token_from
from helpers.waiting import wait_for
from portal import tenancy
from portal.company import data
from portal.extensions import db
from portal.models import AuditAction, AuditEntry, RunState, SyncRun, SyncRunEmployee, Tenant, User
from portal.models.login_failure import LoginFailure
from portal.sync.plan import Action

# Tables that hold no company's rows: the company itself, and what is keyed by an e-mail.
NOT_A_COMPANY_TABLE = {"tenants": "the companies themselves", "login_failures": "keyed by e-mail, erased by e-mail"}


@pytest.fixture
def cs(client, auth):
    auth.login("cs@flexsync.test")
    return client


def tenant_id(app, name: str) -> int:
    with app.app_context():
        return db.session.execute(select(Tenant.id).where(Tenant.name == name)).scalar_one()


def every_row(app) -> dict[str, list[tuple]]:
    with app.app_context():
        # In key order: PostgreSQL returns an updated row wherever it now lies.
        ordered = {table.name: select(table).order_by(*table.primary_key.columns) for table in db.metadata.sorted_tables}
        return {name: [tuple(row) for row in db.session.execute(query).all()] for name, query in ordered.items()}


def owner_of(table) -> str:
    if "tenant_id" in table.c:
        return "tenant"
    if data._user_owner(table) is not None:
        return "user"
    return NOT_A_COMPANY_TABLE[table.name]


def test_every_table_is_known_to_the_erasure(app):
    """A table added tomorrow holds a company's rows or is named here; else this fails by name."""
    with app.app_context():
        for table in db.metadata.sorted_tables:
            assert owner_of(table), table.name


def test_erasing_a_company_removes_every_row_of_it_and_leaves_the_others_byte_identical(app, cs, staff):
    demo, other = tenant_id(app, "Demo NV"), tenant_id(app, "Other BV")
    with app.app_context():
        demo_users = {user.id: user.email for user in db.session.execute(select(User).where(User.tenant_id == demo)).scalars()}
        db.session.add(LoginFailure(attempt_key=f"{next(iter(demo_users.values()))} 127.0.0.1", failed_at=datetime.utcnow()))
        db.session.add(LoginFailure(attempt_key="hr@other.test 127.0.0.1", failed_at=datetime.utcnow()))
        db.session.commit()
    before = every_row(app)

    token = csrf_token_from(cs.get(f"/cs/tenants/{demo}/erase").get_data(as_text=True))
    refused = cs.post(f"/cs/tenants/{demo}/erase", data={"typed_name": "Demo", "csrf_token": token})
    assert refused.status_code == 422 and "nothing was erased" in refused.get_data(as_text=True)
    assert every_row(app) == before
    response = cs.post(f"/cs/tenants/{demo}/erase", data={"typed_name": "Demo NV", "csrf_token": token})
    assert response.status_code == 302
    after = every_row(app)

    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows, kept = before[table.name], after[table.name]
            if table.name == "tenants":
                assert [r for r in rows if r[0] != demo] == kept
            elif table.name == "login_failures":
                assert [r[1].split()[0] for r in kept] == ["hr@other.test"]
            elif owner_of(table) == "tenant":
                position = list(table.c.keys()).index("tenant_id")
                if table.name == "audit_entries":
                    (erased,) = [r for r in kept if r not in rows]
                    kept = [r for r in kept if r != erased]
                    assert erased[position] is None
                assert not [r for r in kept if r[position] == demo], table.name
                assert kept == [r for r in rows if r[position] != demo], table.name
            else:
                position = list(table.c.keys()).index(data._user_owner(table).name)
                assert kept == [r for r in rows if r[position] not in demo_users], table.name
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == AuditAction.COMPANY_ERASED)).scalar_one()
        assert (entry.tenant_id, entry.actor, entry.subject) == (None, "cs@flexsync.test", "Demo NV (BE0123456749)")
    assert any(r[0] == other for r in after["tenants"])


def test_customer_success_downloads_a_company_s_data_as_csv_files(app, cs, staff):
    demo = tenant_id(app, "Demo NV")
    token = csrf_token_from(cs.get(f"/cs/tenants/{demo}").get_data(as_text=True))
    response = cs.post(f"/cs/tenants/{demo}/export", data={"csrf_token": token})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["employees.csv", "sync_runs.csv", "wage_contracts.csv"]
    employees = list(csv.DictReader(io.StringIO(archive.read("employees.csv").decode())))
    names = {(row["first_name"], row["last_name"]) for row in employees}
    assert ("An", "Janssens") in names and not any(first == "Olga" for first, _last in names)
    runs = list(csv.DictReader(io.StringIO(archive.read("sync_runs.csv").decode())))
    assert runs and {row["status"] for row in runs} <= {"success", "partial", "error", "queued", "running"}
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == AuditAction.COMPANY_EXPORTED)).scalar_one()
        assert (entry.tenant_id, entry.actor) == (demo, "cs@flexsync.test")


def test_the_nightly_pruning_keeps_run_lines_as_long_as_the_operator_configured(sync_setup, start_worker, redis_url, monkeypatch):
    """FLEXSYNC_RUN_LINES_RETENTION_DAYS, as the pruning job reads it in a real worker."""
    app = sync_setup
    integration_id = company_with(app, "Retention BV")
    older_id, newer_id = (ended_run(app, integration_id, RunState.PARTIAL, failed=1) for _ in range(2))
    with app.app_context():
        for run_id, days in ((older_id, 40), (newer_id, 20)):
            run = db.session.get(SyncRun, run_id)
            run.finished_at = datetime.utcnow() - timedelta(days=days)
            with tenancy.acting_for(run.tenant_id):
                db.session.add(SyncRunEmployee(run_id=run_id, display_name="Person 0", action=Action.FAIL))
                db.session.commit()
    monkeypatch.setenv("FLEXSYNC_RUN_LINES_RETENTION_DAYS", "30")
    start_worker()
    job = Queue("default", connection=Redis.from_url(redis_url)).enqueue("jobs.retention.prune_run_lines")
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, timeout=30, message="the pruning job to finish")
    with app.app_context():
        assert db.session.execute(select(SyncRunEmployee).where(SyncRunEmployee.run_id == older_id)).first() is None
        assert db.session.execute(select(SyncRunEmployee).where(SyncRunEmployee.run_id == newer_id)).first()
        assert db.session.get(SyncRun, older_id).lines_pruned_at is not None


def test_old_run_lines_are_pruned_and_the_run_keeps_its_counts(app, client, auth, staff):
    with app.app_context():
        runs = list(db.session.execute(select(SyncRun).where(SyncRun.tenant_id == tenant_id(app, "Demo NV"))).scalars())
        old, recent = runs[0], runs[-1]
        old.finished_at = datetime.utcnow() - timedelta(days=400)
        db.session.commit()
        old_id, recent_id, failed = old.id, recent.id, old.failed
        assert db.session.execute(select(SyncRunEmployee).where(SyncRunEmployee.run_id == old_id)).first()
        assert data.prune_run_lines(datetime.utcnow() - timedelta(days=396)) == 1
        assert db.session.execute(select(SyncRunEmployee).where(SyncRunEmployee.run_id == old_id)).first() is None
        assert db.session.execute(select(SyncRunEmployee).where(SyncRunEmployee.run_id == recent_id)).first()
        pruned = db.session.get(SyncRun, old_id)
        assert pruned.failed == failed and pruned.lines_pruned_at is not None
    auth.login()
    page = client.get(f"/syncs/{old_id}").get_data(as_text=True)
    assert "removed after the retention period" in page
