"""Provider data with HTML and JavaScript in names, synced for real and opened in Chromium:
shown as text everywhere, never run."""

from __future__ import annotations

from sqlalchemy import select

from helpers.logins import log_in
from helpers.pages import screenshot
from helpers.sync_runs import finished_run, start_sync
from portal.extensions import db
from portal.models import Employee
from sandbox.faults import HTML_NAME
from sandbox.testing import set_faults

# Counts every CSP violation the page meets: an escaped name never causes one.
WATCH_CSP = "window.__cspViolations = 0; document.addEventListener('securitypolicyviolation', () => window.__cspViolations++);"


def test_hostile_names_from_a_provider_are_escaped_on_every_page(sync_setup, sandboxes, activate, worker, live_server, page):
    """Defends against stored XSS: a provider (or someone typing at the provider) putting
    <script> or onerror= into a name that admins then open in Flexsync."""
    app = sync_setup
    set_faults(sandboxes["securex"], html_names=2)
    integration_id = activate("securex")
    run = finished_run(app, start_sync(app, integration_id))
    with app.app_context():
        hostile = db.session.execute(select(Employee).where(Employee.first_name == HTML_NAME)).scalars().first()
        assert hostile is not None, "the sandbox served no hostile name"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(WATCH_CSP)
    log_in(page, live_server)
    for path in (
        f"/employees?q={hostile.last_name.split()[-1]}",
        "/employees",
        f"/employees/{hostile.id}",
        f"/syncs/{run.id}",
        "/integrations/securex/history",
        "/notifications",
    ):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__cspViolations") == 0, path
        assert page.locator("script:not([src])").count() == 0, path
        assert page.locator("img[src=x]").count() == 0, path
    page.goto(f"{live_server}/employees/{hostile.id}")
    assert page.get_by_text(HTML_NAME).first.is_visible()
    screenshot(page, "xss-employee-detail")
    assert dialogs == []
