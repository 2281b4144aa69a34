"""A provider failing for many companies at once, told once instead of in a red row each.

An outage is a cause (`SyncRun.error_code`) shared by the last runs of many of one
provider's integrations that ran lately: at least `MIN_SHARE` of them and `MIN_COMPANIES`
companies. Only each integration's last run counts, so the outage is over as soon as
their runs succeed again, not an hour later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Integration, SyncRun
from portal.providers.base import Provider
from portal.runs.lifecycle import ErrorCode

WINDOW = timedelta(hours=1)
MIN_SHARE = 0.3
MIN_COMPANIES = 3


@dataclass(frozen=True)
class Outage:
    provider: Provider
    cause: ErrorCode
    companies: int
    # Companies whose last sync with this provider ended in the window, the outage's among them.
    ran: int
    # The earliest of these companies' last syncs (each company's last one counts).
    since: datetime


def provider_outages(now: datetime) -> list[Outage]:
    last_runs = db.session.execute(
        select(Integration.provider, SyncRun.error_code, func.count(), func.min(SyncRun.finished_at))
        .join(SyncRun, SyncRun.id == Integration.last_run_id)
        .where(SyncRun.finished_at >= now - WINDOW)
        .group_by(Integration.provider, SyncRun.error_code)
    ).all()
    ran: dict[Provider, int] = {}
    for provider, _cause, companies, _first in last_runs:
        ran[provider] = ran.get(provider, 0) + companies
    outages = []
    for provider, cause, companies, first in last_runs:
        # Runs that ended well have no cause; the window makes `first` a time.
        if cause is None or first is None or cause not in ErrorCode._value2member_map_:
            continue
        if companies >= max(MIN_COMPANIES, MIN_SHARE * ran[provider]):
            outages.append(Outage(provider, ErrorCode(cause), companies, ran[provider], first))
    return sorted(outages, key=lambda outage: -outage.companies)
