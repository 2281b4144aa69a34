"""Every route of the app, read from `app.url_map`, with its URL arguments filled in.

New routes are picked up by the matrix tests automatically; an argument nobody taught
`fill` makes those tests fail with a message naming the route, never skip it silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from portal.extensions import db

# URL arguments that are not database ids of a tenant, and why they need no tenant check.
NOT_TENANT_IDS = {
    "provider": "one of four provider names; the integration is looked up for the current tenant",
    "decision": "a verb (accept/dismiss) next to ids that are checked",
    "filename": "a static file",
    "token": "an invitation or set-password secret for one person; unguessable, see test_employees, test_set_password_links",
}
# Routes that carry tenant ids in the form body instead of the URL.
BODY_IDS = {"employees.bulk": "employee_id"}
# The only GETs that write, on purpose: customer success reading a company's employee data
# leaves one audit entry its HR admins read (issue 19), so a look is never unaccounted for.
AUDITED_READS = {"support.run", "support.employees", "support.employee"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Probes that answer 503 on purpose while Redis or the database is down (the matrix's app has no Redis).
MAY_ANSWER_UNAVAILABLE = {"health.readyz"}


class UnfilledRoute(AssertionError):
    pass


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    endpoint: str
    takes_ids: bool


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def id_arguments(rule: Rule) -> set[str]:
    return set(rule.arguments) - set(NOT_TENANT_IDS)


def fill(rule: Rule, ids: dict[str, int], extra: dict[str, str]) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        if name in ids:
            values[name] = ids[name]
        elif name in extra:
            values[name] = extra[name]
        else:
            raise UnfilledRoute(
                f"route {rule.rule} ({rule.endpoint}) takes <{name}>, which the route matrix cannot fill: "
                f"add it to the ids of tests/test_route_matrix.py (a tenant's id) or to NOT_TENANT_IDS (with why)"
            )
    return rule.rule if not values else _build(rule, values)


def _build(rule: Rule, values: dict[str, object]) -> str:
    path = rule.rule
    for name, value in values.items():
        for converter in ("int:", "path:", ""):
            path = path.replace(f"<{converter}{name}>", str(value))
    return path


def calls(app: Flask, methods: set[str], ids: dict[str, int], extra: dict[str, str]) -> Iterator[Call]:
    for rule in rules(app):
        for method in sorted((rule.methods or set()) & methods):
            yield Call(method, fill(rule, ids, extra), rule.endpoint, bool(id_arguments(rule)))


def without_audited_read(before: dict[str, list[str]], after: dict[str, list[str]], endpoint: str) -> dict[str, list[str]]:
    """`after` less the one support-view audit entry an `AUDITED_READS` GET may add."""
    if endpoint not in AUDITED_READS:
        return after
    added = [row for row in after["audit_entries"] if row not in before["audit_entries"]]
    assert len(added) <= 1 and all("support.viewed" in row for row in added), (endpoint, added)
    return {**after, "audit_entries": before["audit_entries"]}


def snapshot() -> dict[str, list[str]]:
    """Every row of every table: two equal snapshots mean nothing was written."""
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table))) for table in db.metadata.sorted_tables
    }
