"""An employee's timeline, newest first: what every sync did to them (from the run's line),
what every admin did (from the audit log), and every problem opened and resolved.

Nothing is stored twice: the timeline reads the records each of those already keeps, one
page at a time, merged by date in one query.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, literal, select, union_all

from portal.extensions import db
from portal.models import AuditEntry, Employee, EmployeeProblem, Integration, SyncRun, SyncRunEmployee
from portal.runs.history import entity_names
from portal.sync.plan import Action


class EntryKind(enum.StrEnum):
    SYNC = "sync"
    ADMIN_ACTION = "admin_action"
    PROBLEM_OPENED = "problem_opened"
    PROBLEM_RESOLVED = "problem_resolved"


@dataclass(frozen=True)
class TimelineEntry:
    kind: EntryKind
    at: datetime
    # The run's line, the audit entry or the problem the entry is about.
    record: SyncRunEmployee | AuditEntry | EmployeeProblem
    run: SyncRun | None = None
    integration: Integration | None = None


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    page: int
    pages: int
    total: int
    # The entities the page's change logs name by id, by their names, as the run page shows them.
    entity_names: dict[str, str] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _moments(employee_id: int):
    """(kind, id, when) of everything that happened to the employee, as one selectable."""
    run_time = func.coalesce(SyncRun.finished_at, SyncRun.started_at, SyncRun.queued_at)
    return union_all(
        select(literal(EntryKind.SYNC.value).label("kind"), SyncRunEmployee.id.label("id"), run_time.label("at"))
        .join(SyncRun, SyncRun.id == SyncRunEmployee.run_id)
        # A failure is told once, as the problem it opened (and solved), not again every night.
        .where(SyncRunEmployee.employee_id == employee_id, SyncRunEmployee.action != Action.FAIL),
        select(literal(EntryKind.ADMIN_ACTION.value), AuditEntry.id, AuditEntry.at).where(AuditEntry.employee_id == employee_id),
        select(literal(EntryKind.PROBLEM_OPENED.value), EmployeeProblem.id, EmployeeProblem.first_seen_at).where(
            EmployeeProblem.employee_id == employee_id
        ),
        select(literal(EntryKind.PROBLEM_RESOLVED.value), EmployeeProblem.id, EmployeeProblem.resolved_at).where(
            EmployeeProblem.employee_id == employee_id, EmployeeProblem.resolved_at.is_not(None)
        ),
    ).subquery()


def timeline_page(employee: Employee, page: int, per_page: int) -> TimelinePage:
    moments = _moments(employee.id)
    total = db.session.execute(select(func.count()).select_from(moments)).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(moments.c.kind, moments.c.id, moments.c.at)
        .order_by(moments.c.at.desc(), moments.c.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    entries = _entries(rows)
    lines = [entry.record for entry in entries if isinstance(entry.record, SyncRunEmployee)]
    return TimelinePage(entries, page, pages, total, entity_names(lines))


def _entries(rows) -> list[TimelineEntry]:
    ids: dict[EntryKind, list[int]] = {kind: [] for kind in EntryKind}
    for kind, record_id, _at in rows:
        ids[EntryKind(kind)].append(record_id)
    lines = _by_id(SyncRunEmployee, ids[EntryKind.SYNC])
    actions = _by_id(AuditEntry, ids[EntryKind.ADMIN_ACTION])
    problems = _by_id(EmployeeProblem, ids[EntryKind.PROBLEM_OPENED] + ids[EntryKind.PROBLEM_RESOLVED])
    # The run that opened or solved a problem (none once pruned).
    problem_runs = {(EntryKind.PROBLEM_OPENED, problem.id): problem.first_seen_run_id for problem in problems.values()} | {
        (EntryKind.PROBLEM_RESOLVED, problem.id): problem.resolved_by_run_id for problem in problems.values()
    }
    runs = _by_id(SyncRun, [line.run_id for line in lines.values()] + [run_id for run_id in problem_runs.values() if run_id])
    integration_ids = [run.integration_id for run in runs.values()] + [p.integration_id for p in problems.values()]
    integrations = _by_id(Integration, integration_ids)
    entries = []
    for value, record_id, at in rows:
        kind = EntryKind(value)
        if kind is EntryKind.SYNC:
            line = lines[record_id]
            run = runs[line.run_id]
            entries.append(TimelineEntry(kind, at, line, run, integrations[run.integration_id]))
        elif kind is EntryKind.ADMIN_ACTION:
            entries.append(TimelineEntry(kind, at, actions[record_id]))
        else:
            problem = problems[record_id]
            run = runs.get(problem_runs[kind, record_id])
            entries.append(TimelineEntry(kind, at, problem, run, integrations[problem.integration_id]))
    return entries


def _by_id(model, ids: list[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.execute(select(model).where(model.id.in_(set(ids)))).scalars()}
