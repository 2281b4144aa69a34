"""Issue 24's story, from an empty production database to an active integration, in a real
browser: the operator creates the first staff account on the command line; the staff
member sets a password and two-factor sign-in, creates a company and invites its HR admin;
the admin sets a password from the e-mail, logs in and activates the generic HR system.
No demo seed anywhere."""

from __future__ import annotations

from sqlalchemy import select

from helpers.accounts import PASSWORD, link_in, link_in_mail, totp_code
from helpers.activation import open_wizard, preview_then_start_first_sync
from helpers.pages import screenshot
from portal.extensions import db
from portal.models import AuditEntry, Integration, IntegrationState, Tenant, User
from portal.providers.base import Provider

COMPANY = "Brouwerij Nieuw BV"
COMPANY_VAT = "BE0400000086"


def set_password(page, link: str) -> None:
    page.goto(link)
    page.get_by_role("heading", name="Choose your password").wait_for()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_text("Your password is set.").wait_for()


def log_in(page, email: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_company_is_onboarded_on_a_new_production_installation(production, page, browser, sandbox_companies):
    # The operator, on the server: the database schema, then the first staff account.
    assert production.flask("db", "upgrade").exit_code == 0
    with production.app.app_context():
        assert db.session.execute(select(User)).first() is None
    created = production.flask("users", "create-staff", "olga@flexsync.example", "--name", "Olga Ops")
    assert created.exit_code == 0, created.output
    staff_link = link_in(created.output)
    assert staff_link.startswith(production.url)

    # The staff member: password, then two-factor sign-in with the app (pyotp stands in for it).
    set_password(page, staff_link)
    log_in(page, "olga@flexsync.example")
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    assert (
        page.get_by_role("img", name="QR code for your authenticator app").get_attribute("src").startswith("data:image/svg+xml")
    )
    screenshot(page, "onboarding-1-two-factor-setup")
    page.get_by_label("Code").fill(totp_code(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved them: continue").click()
    page.get_by_role("heading", name="Welcome, Olga Ops").wait_for()

    # A company, with a checked VAT number, and its first HR admin.
    page.get_by_role("link", name="Companies").click()
    page.get_by_role("link", name="New company").click()
    page.get_by_label("Company name").fill(COMPANY)
    page.get_by_label("VAT number").fill("BE 0400.000.087")
    page.get_by_label("Default language").select_option("en")
    page.get_by_role("button", name="Create company").click()
    page.get_by_text("its last two check digits do not match").wait_for()
    page.get_by_label("VAT number").fill("BE 0400.000.086")
    page.get_by_role("button", name="Create company").click()
    page.get_by_text(f"{COMPANY} is created. Invite its first HR admin.").wait_for()
    page.get_by_label("E-mail").fill("hanne@nieuw.example")
    page.get_by_label("Name").fill("Hanne Admin")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to hanne@nieuw.example").wait_for()
    screenshot(page, "onboarding-2-company-access")
    # Customer success makes the generic HR system available to the company.
    page.get_by_role("link", name=f"← {COMPANY}").click()
    page.get_by_role("switch", name="Available for this company: Generic HR system").click()
    page.locator("#provider-hris").get_by_role("switch", name="Available for this company: Generic HR system").and_(
        page.locator("[aria-checked=true]")
    ).wait_for()

    # The HR admin, from the invitation e-mail, in another browser.
    (invitation,) = production.inbox.to("hanne@nieuw.example")
    assert "Olga Ops invites you to manage Brouwerij Nieuw BV" in invitation["Subject"]
    admin = browser.new_context(locale="en-GB").new_page()
    try:
        set_password(admin, link_in_mail(invitation))
        log_in(admin, "hanne@nieuw.example")
        admin.get_by_role("heading", name=f"Welcome, {COMPANY}").wait_for()
        hris = next(iter(sandbox_companies.values()))
        open_wizard(admin, production.url, "Generic HR system")
        admin.get_by_label("API key").fill(hris["api_key"])
        admin.get_by_role("button", name="Check and save").click()
        admin.get_by_role("heading", name="Configure Generic HR system").wait_for()
        admin.get_by_role("button", name="Save and continue").click()
        admin.get_by_label("Full (automatic)").check()
        preview_then_start_first_sync(admin)
        admin.get_by_text("Generic HR system is active.").wait_for()
        screenshot(admin, "onboarding-3-admin-activated")
    finally:
        admin.context.close()

    with production.app.app_context():
        tenant = db.session.execute(select(Tenant)).scalar_one()
        assert (tenant.name, tenant.vat_number) == (COMPANY, COMPANY_VAT)
        integration = db.session.execute(select(Integration).where(Integration.tenant_id == tenant.id)).scalar_one()
        assert (integration.provider, integration.state) == (Provider.HRIS, IntegrationState.ACTIVE)
        assert not db.session.execute(select(User).where(User.is_demo.is_(True))).first()
        trail = [e.action.value for e in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]
        assert trail == [
            "staff.created",
            "password.set",
            "two_factor.enrolled",
            "company.created",
            "admin.invited",
            "integration.made_available",
            "password.set",
            "integration.activated",
        ]
        db.session.remove()
