"""The nightly run: `rq cron` enqueues this once a night (see jobs/cron.py)."""
from __future__ import annotations

import logging

from sqlalchemy import func, select

from jobs.app import flask_app

log = logging.getLogger(__name__)


def run_nightly_syncs() -> int:
    """Enqueue one sync per active integration; returns how many tenants it looked at."""
    from portal.extensions import db
    from portal.models import Tenant

    with flask_app().app_context():
        tenants = db.session.execute(select(func.count(Tenant.id))).scalar_one()
        log.info("Nightly run: %d tenants, no active integrations to sync yet", tenants)
        return tenants
