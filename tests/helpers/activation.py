"""Activating integrations: the company's set-up, the wizard, and what ends up stored."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import undefer

from portal.extensions import db
from portal.models import Integration, Tenant
from portal.providers.base import Provider


def demo_tenant_id() -> int:
    """Demo NV's tenant id (inside an app context)."""
    return db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()


def integration_of(provider: str) -> Integration | None:
    """Demo NV's integration with the provider, if any (inside an app context)."""
    return db.session.execute(
        select(Integration).where(Integration.provider == Provider(provider), Integration.tenant_id == demo_tenant_id())
    ).scalar_one_or_none()


def set_demo_vat(app: Flask, vat: str | None) -> None:
    with app.app_context():
        db.session.execute(select(Tenant).where(Tenant.name == "Demo NV")).scalar_one().vat_number = vat
        db.session.commit()
        db.session.remove()


def stored_integration(app: Flask, provider: str) -> Integration:
    """Demo NV's integration with the provider, credentials loaded, detached from the session."""
    with app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
        integration = db.session.execute(
            select(Integration)
            .options(undefer(Integration.credentials))
            .where(Integration.tenant_id == tenant_id, Integration.provider == Provider(provider))
        ).scalar_one()
        db.session.expunge(integration)
        db.session.remove()
        return integration


def open_wizard(page, live_server: str, provider_name: str) -> None:
    """Open the activation wizard of the provider from the integrations page, in the browser."""
    page.goto(live_server + "/integrations")
    page.locator(".integration-card", has=page.get_by_role("heading", name=provider_name)).get_by_role(
        "link", name="Activate"
    ).click()
    page.get_by_role("heading", name=f"Activate {provider_name}").wait_for()


def demo_entity_ids(app: Flask, tenant: str = "Demo NV") -> list[int]:
    """The company's own entities (the demo seed gives Demo NV two), by name."""
    from portal.models import Entity

    with app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == tenant)).scalar_one()
        return list(db.session.execute(select(Entity.id).where(Entity.tenant_id == tenant_id).order_by(Entity.name)).scalars())


def every_venue_mapped(app: Flask, company: dict, tenant: str = "Demo NV") -> dict:
    """Connexie settings as the configure step saves them with every venue of the sandbox
    company mapped to one of the company's entities, in turn, and no code chosen."""
    entity_ids = demo_entity_ids(app, tenant)
    venues = {venue["id"]: str(entity_ids[i % len(entity_ids)]) for i, venue in enumerate(company["entities"])}
    return {"venues": venues, "meal_code": None, "allowance_code": None}


def preview_then_start_first_sync(page) -> None:
    """The wizard's last steps in the browser: the preview of the first sync (whether or
    not a worker has made it yet), then starting the sync."""
    page.get_by_role("button", name="Preview the first sync").click()
    page.get_by_role("heading", name="Preview of the first sync").wait_for()
    page.get_by_role("button", name="Start the first sync").click()
