"""Lists that only grow (sync history, notifications) count a few pages ahead, not all of it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from helpers.logins import log_in
from helpers.pages import screenshot
from portal import tenancy
from portal.extensions import db
from portal.models import Notification, RunState, SyncRun, Tenant, Trigger
from portal.pagination import PAGES_AHEAD
from portal.web.notifications import PAGE_SIZE as NOTIFICATIONS_PAGE_SIZE
from portal.web.syncs import HISTORY_PAGE_SIZE


def add_runs(app, integration_id: int, count: int, status: RunState = RunState.SUCCESS) -> None:
    with app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
        start = datetime.utcnow() - timedelta(days=count)
        with tenancy.acting_for(tenant_id):
            db.session.execute(
                insert(SyncRun),
                [
                    {
                        "tenant_id": tenant_id,
                        "integration_id": integration_id,
                        "trigger": Trigger.NIGHTLY,
                        "status": status,
                        "queued_at": start + timedelta(days=n),
                        "started_at": start + timedelta(days=n),
                        "finished_at": start + timedelta(days=n, seconds=30),
                    }
                    for n in range(count)
                ],
            )
            db.session.commit()


def test_a_short_history_is_counted_exactly(app, client, auth, activate):
    add_runs(app, activate("securex"), HISTORY_PAGE_SIZE + 1)
    auth.login()
    page = client.get("/integrations/securex/history").get_data(as_text=True)
    assert "Page 1 of 2" in page and "more than" not in page


def test_a_long_history_says_more_than_the_pages_it_counted(app, client, auth, activate):
    counted_pages = 1 + PAGES_AHEAD
    add_runs(app, activate("securex"), counted_pages * HISTORY_PAGE_SIZE + 1)
    auth.login()
    first = client.get("/integrations/securex/history").get_data(as_text=True)
    assert f"Page 1 of more than {counted_pages}" in first
    # Further on, the count reaches the end and is exact again.
    last = client.get(f"/integrations/securex/history?page={counted_pages + 1}").get_data(as_text=True)
    assert f"Page {counted_pages + 1} of {counted_pages + 1}" in last and "more than" not in last
    assert "Next" not in last and "Previous" in last


def test_the_status_filter_is_counted_the_same_way(app, client, auth, activate):
    integration_id = activate("securex")
    add_runs(app, integration_id, (1 + PAGES_AHEAD) * HISTORY_PAGE_SIZE + 1)
    add_runs(app, integration_id, 3, RunState.ERROR)
    auth.login()
    page = client.get("/integrations/securex/history?status=error", headers={"HX-Request": "true", "HX-Target": "history-rows"})
    assert page.get_data(as_text=True).count("<tr") == 1 + 3
    assert "Page" not in page.get_data(as_text=True)


def test_notifications_say_more_than_in_the_readers_language(app, client, auth):
    with app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
        with tenancy.acting_for(tenant_id):
            db.session.execute(
                insert(Notification),
                [
                    {"tenant_id": tenant_id, "title": f"Notice {n}", "body": "", "created_at": datetime.utcnow()}
                    for n in range((1 + PAGES_AHEAD) * NOTIFICATIONS_PAGE_SIZE + 1)
                ],
            )
            db.session.commit()
    auth.login()
    page = client.get("/notifications", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert f"Pagina 1 van meer dan {1 + PAGES_AHEAD}" in page


def test_an_admin_pages_through_a_long_history_in_the_browser(app, live_server, page, activate):
    counted_pages = 1 + PAGES_AHEAD
    add_runs(app, activate("securex"), counted_pages * HISTORY_PAGE_SIZE + 1)
    log_in(page, live_server)
    page.goto(live_server + "/integrations/securex/history")
    page.get_by_text(f"Page 1 of more than {counted_pages}").wait_for()
    screenshot(page, "history-long")
    for shown in range(2, counted_pages + 2):
        page.get_by_role("link", name="Next").click()
        page.get_by_text(re.compile(f"^Page {shown} of")).wait_for()
    assert page.get_by_text(f"Page {counted_pages + 1} of {counted_pages + 1}").is_visible()
    assert page.get_by_role("link", name="Next").count() == 0
    screenshot(page, "history-long-last-page")
