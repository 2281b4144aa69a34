"""Every page an HR admin and customer success can reach, generated from the code: the app's
GET routes, their ids filled from a synced demo (tests/fixtures/synced_demo.py), each filter
a list links to. A page added tomorrow is read, screenshot and checked by every test that
walks this list without anyone naming it."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from portal.extensions import db

from .route_matrix import UnfilledRoute, fill, rules

HR_ADMIN = "hr@demo.test"
CUSTOMER_SUCCESS = "cs@flexsync.test"
LANGUAGES = ("nl", "fr", "en")
# Pages that are not the admin's to read, or not pages: files, probes, the OAuth callback
# (it answers MyLiantis, and exchanging a code it never got is not a page).
NOT_PAGES = {"static", "dashboard.favicon", "health.healthz", "health.readyz", "health.metrics", "activation.liantis_callback"}
# Query strings the pages themselves link to: each filter of a list is a page of its own.
EXTRA_QUERIES = {
    "employees.index": "filter",
    "syncs.run": "action",
    "syncs.history": "status",
    "support.employees": "filter",
    "support.run": "action",
}
# Customer success's console; the welcome page leads them there.
CONSOLE = ("cs.", "support.", "fleet.")
# Not a route: what anyone sees at an address that does not exist.
NO_SUCH_PAGE = ("errors", "/no-such-page")


@dataclass(frozen=True)
class Page:
    endpoint: str
    path: str

    @property
    def is_fragment(self) -> bool:
        """A part of a page that htmx asks for (progress bars and integration cards poll
        themselves); a browser going there is sent to the whole page."""
        return self.endpoint.endswith("progress") or self.endpoint == "integrations.card"


def every_page(app) -> dict[str, list[Page]]:
    """The pages each reader reaches (by e-mail): the HR admin's (with the page for a wrong
    address) and customer success's."""
    ids = ids_to_visit(app)
    hr_pages = list(pages(app, ids, lambda endpoint: not endpoint.startswith(CONSOLE)))
    hr_pages.append(Page(*NO_SUCH_PAGE))
    cs_pages = list(pages(app, ids, lambda endpoint: endpoint.startswith(CONSOLE) or endpoint == "dashboard.index"))
    return {HR_ADMIN: hr_pages, CUSTOMER_SUCCESS: cs_pages}


def ids_to_visit(app) -> dict[str, list[int]]:
    """For each id a route takes, the rows worth a look: every run and notification, and
    employees of every kind (created, failed, held e-mail change, added by hand…)."""
    from portal.models import (
        Discrepancy,
        Employee,
        HoursExport,
        Integration,
        Notification,
        SyncRun,
        SyncRunEmployee,
        Tenant,
        User,
        WorkedShift,
    )

    with app.app_context():
        demo = db.session.execute(select(Tenant).where(Tenant.name == "Demo NV")).scalar_one()
        employee_ids = set()
        for action in ("create", "update", "fail", "deactivate", "skip"):
            employee_ids |= set(
                db.session.execute(
                    select(SyncRunEmployee.employee_id)
                    .where(SyncRunEmployee.action == action, SyncRunEmployee.employee_id.is_not(None))
                    .limit(2)
                ).scalars()
            )
        employee_ids |= set(db.session.execute(select(Discrepancy.employee_id)).scalars())
        employee_ids |= set(db.session.execute(select(Employee.id).where(Employee.integration_id.is_(None)).limit(2)).scalars())
        employee_ids |= set(db.session.execute(select(Employee.id).where(Employee.phone.is_not(None)).limit(1)).scalars())
        first = db.session.execute(select(Employee).where(Employee.id.in_(employee_ids)).limit(1)).scalar_one()
        integration_id = db.session.execute(select(Integration.id).where(Integration.provider == "connexie")).scalar_one()
        shift = WorkedShift(
            tenant_id=demo.id,
            employee_id=first.id,
            day=date.today().replace(day=1),
            starts_at=time(9),
            ends_at=time(17),
            approved=True,
        )
        export = HoursExport(
            tenant_id=demo.id,
            integration_id=integration_id,
            period_start=date.today().replace(day=1),
            period_end=date.today().replace(day=1),
            export_key="flexsync-page-words",
        )
        db.session.add_all([shift, export])
        db.session.commit()
        return {
            "employee_id": sorted(employee_ids),
            "run_id": list(db.session.execute(select(SyncRun.id)).scalars()),
            "notification_id": list(db.session.execute(select(Notification.id)).scalars()),
            "tenant_id": [demo.id],
            "shift_id": [shift.id],
            "export_id": [export.id],
            "discrepancy_id": list(db.session.execute(select(Discrepancy.id)).scalars())[:1],
            "user_id": list(db.session.execute(select(User.id).where(User.tenant_id == demo.id)).scalars())[:1],
        }


def pages(app, ids: dict[str, list[int]], user_endpoints) -> Iterator[Page]:
    """Every GET page a reader reaches, every id worth a look, every filter."""
    from portal.models import RunState
    from portal.providers.base import Provider

    filters = {
        "filter": [f.value for f in importlib.import_module("portal.employees.directory").ListFilter],
        "action": [a.value for a in importlib.import_module("portal.sync.plan").Action],
        "status": [s.value for s in RunState],
    }
    for rule in rules(app):
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES or not user_endpoints(rule.endpoint):
            continue
        choices: list[dict[str, object]] = [{}]
        for argument in rule.arguments:
            values = [p.value for p in Provider] if argument == "provider" else ids.get(argument)
            if argument == "token":
                # A secret sent to one person (an invitation, a password link): a wrong one is a page too.
                values = ["no-such-token"]
            if not values:
                raise UnfilledRoute(f"{rule.rule} takes <{argument}>: teach tests/helpers/every_page.py which ids to visit")
            choices = [dict(choice, **{argument: value}) for choice in choices for value in values]
        for choice in choices:
            path = fill(rule, {k: v for k, v in choice.items() if isinstance(v, int)}, {k: str(v) for k, v in choice.items()})
            yield Page(rule.endpoint, path)
            if rule.endpoint in EXTRA_QUERIES:
                name = EXTRA_QUERIES[rule.endpoint]
                for value in filters[name]:
                    yield Page(rule.endpoint, f"{path}?{name}={value}")


def one_of_each(visits: list[Page], filters: bool = True) -> list[Page]:
    """A page of each kind for a browser, without the parts of pages htmx fetches: each route
    once per provider, and (with `filters`) once per filter of its list; the ids of one run
    or person are enough to see how its page looks."""
    kinds: list[Page] = []
    routes, lists = set(), set()
    for visit in visits:
        if visit.is_fragment:
            continue
        path, _, query = visit.path.partition("?")
        route, filtered = (visit.endpoint, re.sub(r"/\d+", "/<id>", path)), (visit.endpoint, query)
        if route not in routes or (filters and filtered not in lists):
            kinds.append(visit)
        routes.add(route)
        lists.add(filtered)
    return kinds
