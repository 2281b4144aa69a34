"""What the next sync would do, person by person, in the words of a preview: matched to an
existing user by e-mail or by provider ID, created, probable duplicates, failures (with
their reason and fix), left out, deactivated, and the local users who become external.

Built from the same decisions a run writes (`plan.plan_batch`, `removals`), so a preview
counts exactly what the run would count; kept as plain JSON between the job that makes
it and the pages that show it.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal.providers.base import EmployeeRecord, RecordError
from portal.sync.outcomes import ProblemDetail, Reason, RunCounts
from portal.sync.plan import Action, BatchPlan, EmployeeDecision
from portal.sync.state import LocalEmployee, LocalState

# Binding an account to its provider record: how a match shows, not a change to list.
_BINDING_FIELDS = frozenset({"provider_id", "external"})
_WAGE_CONTRACT = "wage_contract"
_NEW_CONTRACT = "wage_contract.provider_id"


class Category(enum.StrEnum):
    """In the order a preview lists them: what needs the admin first."""

    FAILED = "failed"
    PROBABLE_DUPLICATE = "probable_duplicate"
    MATCHED_BY_EMAIL = "matched_by_email"
    MATCHED_BY_PROVIDER_ID = "matched_by_provider_id"
    CREATED = "created"
    OFFERED = "offered"
    LEFT_OUT = "left_out"
    DEACTIVATED = "deactivated"
    EXTERNAL = "external"


@dataclass(frozen=True, slots=True)
class PreviewPerson:
    name: str
    provider_id: str | None = None
    email: str | None = None
    reason: Reason | None = None
    # For a failure caused by one value at the provider: which field, and the value.
    detail: ProblemDetail | None = None
    # The account in Flexsync this person is matched to, or probably is (a duplicate).
    existing: str | None = None
    # What the sync would change for someone matched, by the change log's field names.
    changed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        values: dict[str, Any] = {"name": self.name}
        for key in ("provider_id", "email", "existing"):
            if getattr(self, key) is not None:
                values[key] = getattr(self, key)
        if self.reason is not None:
            values["reason"] = self.reason.value
        if self.detail is not None:
            values["detail"] = [self.detail.field, self.detail.value]
        if self.changed:
            values["changed"] = list(self.changed)
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> PreviewPerson:
        detail = values.get("detail")
        return cls(
            name=values["name"],
            provider_id=values.get("provider_id"),
            email=values.get("email"),
            reason=Reason(values["reason"]) if "reason" in values else None,
            detail=ProblemDetail(*detail) if detail else None,
            existing=values.get("existing"),
            changed=tuple(values.get("changed", ())),
        )


def _empty_lists() -> dict[Category, list[PreviewPerson]]:
    return {category: [] for category in Category}


@dataclass
class Preview:
    first_sync: bool
    # Every item the provider listed, unreadable ones included.
    received: int = 0
    people: dict[Category, list[PreviewPerson]] = field(default_factory=_empty_lists)
    # Matched by provider ID with nothing to change (most of a resync): counted, not listed.
    unchanged: int = 0
    # The local entities the sync would make for provider entities it meets for the first time.
    new_entities: list[str] = field(default_factory=list)
    actions: Counter[Action] = field(default_factory=Counter)
    new_to_review: int = 0

    def count(self, category: Category) -> int:
        listed = len(self.people[category])
        return listed + self.unchanged if category is Category.MATCHED_BY_PROVIDER_ID else listed

    @property
    def counts(self) -> RunCounts:
        """The counts the run would end with, as it counts them from its lines."""
        lines = Counter({action: n for action, n in self.actions.items() if action != Action.UNCHANGED})
        counted = sum(lines[a] for a in (Action.CREATE, Action.UPDATE, Action.SKIP, Action.FAIL))
        return RunCounts(
            created=lines[Action.CREATE],
            updated=lines[Action.UPDATE],
            unchanged=max(self.received - counted, 0),
            skipped=lines[Action.SKIP],
            failed=lines[Action.FAIL],
            deactivated=lines[Action.DEACTIVATE],
            new_to_review=self.new_to_review,
        )

    def add_page(
        self, plan: BatchPlan, state: LocalState, records: Sequence[EmployeeRecord | RecordError], unchanged: int
    ) -> None:
        # Unreadable records too: the admin finds the person at the provider by it.
        emails = {r.provider_id: r.email.strip() for r in records if r.provider_id is not None and r.email}
        self.add(plan.decisions, state, emails)
        self.unchanged += unchanged

    def add(self, decisions: Iterable[EmployeeDecision], state: LocalState, emails: dict[str, str] | None = None) -> None:
        by_id = {e.local_id: e for e in state.employees}
        for decision in decisions:
            self.actions[decision.action] += 1
            self.new_to_review += decision.newly_offered
            employee = by_id.get(decision.local_id) if decision.local_id is not None else None
            email = (emails or {}).get(decision.provider_id or "") or (employee.email if employee is not None else None)
            person = _person(decision, employee, email)
            if decision.action == Action.UNCHANGED:
                self.unchanged += 1
            else:
                self.people[_category(decision)].append(person)
            if decision.probable_duplicate_of is not None:
                twin = by_id.get(decision.probable_duplicate_of)
                existing = twin.display_name if twin is not None else None
                self.people[Category.PROBABLE_DUPLICATE].append(
                    PreviewPerson(person.name, person.provider_id, email, existing=existing)
                )

    def add_external(self, employees: Iterable[LocalEmployee]) -> None:
        self.people[Category.EXTERNAL] += (PreviewPerson(e.display_name, email=e.email) for e in employees)

    def to_json(self) -> dict[str, Any]:
        return {
            "first_sync": self.first_sync,
            "received": self.received,
            "unchanged": self.unchanged,
            "new_entities": self.new_entities,
            "actions": {action.value: n for action, n in self.actions.items()},
            "new_to_review": self.new_to_review,
            "people": {category.value: [p.to_json() for p in people] for category, people in self.people.items()},
        }

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> Preview:
        people = _empty_lists()
        for category, listed in values["people"].items():
            people[Category(category)] = [PreviewPerson.from_json(p) for p in listed]
        return cls(
            first_sync=values["first_sync"],
            received=values["received"],
            people=people,
            unchanged=values["unchanged"],
            new_entities=list(values["new_entities"]),
            actions=Counter({Action(a): n for a, n in values["actions"].items()}),
            new_to_review=values["new_to_review"],
        )


def _category(decision: EmployeeDecision) -> Category:
    match decision.action:
        case Action.CREATE:
            return Category.CREATED
        case Action.UPDATE | Action.UNCHANGED:
            return Category.MATCHED_BY_EMAIL if decision.matched_by_email else Category.MATCHED_BY_PROVIDER_ID
        case Action.FAIL:
            return Category.FAILED
        case Action.SKIP:
            return Category.OFFERED if decision.newly_offered else Category.LEFT_OUT
        case _:
            return Category.DEACTIVATED


def _changed_fields(decision: EmployeeDecision) -> tuple[str, ...]:
    fields = [c.field for c in decision.changes if c.field not in _BINDING_FIELDS]
    if _NEW_CONTRACT in fields:
        # Another contract altogether: one item, not each of its fields.
        fields = [f for f in fields if not f.startswith(_WAGE_CONTRACT)] + [_WAGE_CONTRACT]
    return tuple(dict.fromkeys(fields))


def _person(decision: EmployeeDecision, employee: LocalEmployee | None, email: str | None) -> PreviewPerson:
    changed = _changed_fields(decision) if decision.action in (Action.UPDATE, Action.UNCHANGED) else ()
    return PreviewPerson(
        name=decision.display_name,
        provider_id=decision.provider_id,
        email=email,
        reason=decision.reason,
        detail=decision.detail,
        existing=employee.display_name if decision.matched_by_email and employee is not None else None,
        changed=changed,
    )
