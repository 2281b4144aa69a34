"""Open problems that persist: one per person and cause, from the run that first failed
them to the run that syncs them again.

Every complete run reconciles its failures with the integration's open problems: a
failure nobody had yet opens one, a failure seen before adds a run to it, and an open
problem the run no longer fails is resolved. A run that could not read everything (the
provider failed) reconciles nothing, and a run of changes resolves only the problems of
the people it listed: not seeing someone is not syncing them.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from sqlalchemy import func, insert, select, update

from portal.extensions import db
from portal.models import EmployeeProblem, SyncRun, SyncRunEmployee
from portal.sync.outcomes import Reason
from portal.sync.plan import Action

# Resolved problems are fetched by id in chunks, to stay under the databases' parameter limits.
IN_CHUNK = 500


def person_key(provider_id: str | None, display_name: str) -> str:
    return provider_id or f"name:{display_name}"[:300]


def reconcile(run: SyncRun, now: datetime, listed: Set[str] | None = None) -> None:
    """Brings the integration's open problems in step with this run's failures; the caller
    commits. `listed`: the provider IDs a run of changes listed, the only people whose
    problems it can resolve (None: the run listed everyone)."""
    failures = {
        person_key(line.provider_id, line.display_name): line
        for line in db.session.execute(
            select(
                SyncRunEmployee.provider_id,
                SyncRunEmployee.employee_id,
                SyncRunEmployee.display_name,
                SyncRunEmployee.reason,
                SyncRunEmployee.problem_field,
                SyncRunEmployee.problem_value,
            ).where(SyncRunEmployee.run_id == run.id, SyncRunEmployee.action == Action.FAIL)
        )
    }
    open_problems = {
        (key, reason): problem_id
        for problem_id, key, reason in db.session.execute(
            select(EmployeeProblem.id, EmployeeProblem.person_key, EmployeeProblem.reason).where(
                EmployeeProblem.integration_id == run.integration_id, EmployeeProblem.resolved_at.is_(None)
            )
        )
    }
    new_rows, continued_rows = [], []
    for key, line in failures.items():
        values = {
            "employee_id": line.employee_id,
            "display_name": line.display_name,
            "problem_field": line.problem_field,
            "problem_value": line.problem_value,
            "last_seen_run_id": run.id,
            "last_seen_at": now,
        }
        problem_id = open_problems.pop((key, line.reason), None)
        if problem_id is None:
            new_rows.append(
                {
                    **values,
                    "tenant_id": run.tenant_id,
                    "integration_id": run.integration_id,
                    "person_key": key,
                    "provider_id": line.provider_id,
                    "reason": line.reason,
                    "first_seen_run_id": run.id,
                    "first_seen_at": now,
                    "runs_in_a_row": 1,
                }
            )
        else:
            continued_rows.append({"id": problem_id, **values, "runs_in_a_row": EmployeeProblem.runs_in_a_row + 1})
    resolved = [problem_id for (key, _reason), problem_id in open_problems.items() if listed is None or key in listed]
    for start in range(0, len(resolved), IN_CHUNK):
        db.session.execute(
            update(EmployeeProblem)
            .where(EmployeeProblem.id.in_(resolved[start : start + IN_CHUNK]))
            .values(resolved_at=now, resolved_by_run_id=run.id),
            execution_options={"synchronize_session": False},
        )
    for row in continued_rows:
        problem_id = row.pop("id")
        db.session.execute(
            update(EmployeeProblem).where(EmployeeProblem.id == problem_id).values(**row),
            execution_options={"synchronize_session": False},
        )
    if new_rows:
        db.session.execute(insert(EmployeeProblem.__table__), new_rows)


def opened_by(run: SyncRun) -> set[tuple[str, Reason]]:
    """(person, cause) of the failures this run saw first: the run page marks them new."""
    rows = db.session.execute(
        select(EmployeeProblem.person_key, EmployeeProblem.reason).where(
            EmployeeProblem.integration_id == run.integration_id, EmployeeProblem.first_seen_run_id == run.id
        )
    )
    return {(key, reason) for key, reason in rows}


def resolved_by(run: SyncRun) -> list[str]:
    """The names of the people whose problems this run resolved."""
    return list(
        db.session.execute(
            select(EmployeeProblem.display_name)
            .where(EmployeeProblem.integration_id == run.integration_id, EmployeeProblem.resolved_by_run_id == run.id)
            .order_by(EmployeeProblem.id)
        ).scalars()
    )


def employees_by_cause() -> dict[Reason, int]:
    """How many employees have an open problem of each cause: the employees list offers those."""
    rows = db.session.execute(
        select(EmployeeProblem.reason, func.count(func.distinct(EmployeeProblem.employee_id)))
        .where(EmployeeProblem.resolved_at.is_(None), EmployeeProblem.employee_id.is_not(None))
        .group_by(EmployeeProblem.reason)
        .order_by(func.count(func.distinct(EmployeeProblem.employee_id)).desc())
    )
    return dict(rows.all())


def of_lines(run: SyncRun, lines: list[SyncRunEmployee]) -> dict[tuple[str, Reason], EmployeeProblem]:
    """The problem behind each failed line of a page of the run page, by (person, cause)."""
    keys = {person_key(line.provider_id, line.display_name) for line in lines if line.action == Action.FAIL}
    if not keys:
        return {}
    found = db.session.execute(
        select(EmployeeProblem).where(
            EmployeeProblem.integration_id == run.integration_id,
            EmployeeProblem.person_key.in_(keys),
            EmployeeProblem.first_seen_run_id <= run.id,
            EmployeeProblem.last_seen_run_id >= run.id,
        )
    ).scalars()
    return {(problem.person_key, problem.reason): problem for problem in found}
