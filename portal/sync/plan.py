"""Deciding, for one page of provider records, what happens to each employee.

Plain functions over plain data: the persistence layer loads the `LocalState` a page
may touch (`state.lookup_keys`), calls `plan_batch`, and writes each decision's
changes (`apply.apply_decision`). Planning writes nothing, so the same call previews
the first sync: who is matched by e-mail, who is created, who is left out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import date

from portal.providers.base import PERSONAL_FIELDS, EmployeeRecord, FieldPolicy, RecordError, WageContractRecord
from portal.sync.diff import (
    Discrepancy,
    FieldChange,
    personal_diff,
    provider_value,
    wage_contract_changes,
)
from portal.sync.outcomes import EmployeeOutcome, ProblemDetail, Reason, RunCounts
from portal.sync.scope import EVERYONE, SyncScope
from portal.sync.state import (
    LocalEmployee,
    LocalState,
    Selection,
    SyncMode,
    WageContract,
    normalize_email,
    person_key,
)
from portal.sync.validation import record_problem
from portal.sync.wages import synced_wage_contract


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"
    FAIL = "fail"
    DEACTIVATE = "deactivate"


@dataclass(frozen=True, slots=True)
class NewEmployee:
    """What a created employee's row and wage contract hold, read straight off the record.

    Nothing local to compare with: a first sync creates thousands, and their values went
    through the change machinery (a change from nothing per field) and back for nothing.
    """

    # Column -> value, in change-log order: the provider ID, each personal value the
    # record has (None ones are left to the column's default), the local entity if any.
    values: Mapping[str, object]
    wage_contract: WageContract

    def as_employee(self, local_id: int, *, with_wage_contract: bool) -> LocalEmployee:
        """The new employee as a local one, once their row is `local_id`; the name and e-mail
        a record may lack are blank, as in a blank row."""
        return LocalEmployee(
            **{"email": "", "first_name": "", "last_name": "", **self.values},  # type: ignore[arg-type]
            local_id=local_id,
            wage_contract=self.wage_contract if with_wage_contract else None,
        )

    def changes(self) -> tuple[FieldChange, ...]:
        """The same values as a change log, each a change from nothing."""
        return (
            *(FieldChange(name, None, value) for name, value in self.values.items()),
            *wage_contract_changes(None, self.wage_contract),
        )


@dataclass(frozen=True, slots=True)
class EmployeeDecision:
    action: Action
    display_name: str
    provider_id: str | None
    local_id: int | None = None
    # What changes in an existing employee's row, in change-log form; see `changes`.
    updates: tuple[FieldChange, ...] = ()
    reason: Reason | None = None
    # For a failure caused by one value at the provider: which field, and the value.
    detail: ProblemDetail | None = None
    discrepancies: tuple[Discrepancy, ...] = ()
    matched_by_email: bool = False
    # A local employee this new one probably is, under another e-mail: the admin may merge.
    probable_duplicate_of: int | None = None
    # Selective mode: seen for the first time, now waiting in the selection window.
    newly_offered: bool = False
    # A CREATE: the new employee (their values are not repeated in `updates`).
    created: NewEmployee | None = None

    @property
    def changes(self) -> tuple[FieldChange, ...]:
        """Everything to write, in change-log form; empty means no employee row is written.
        Built on demand for a creation: the store writes `created` directly."""
        return self.created.changes() if self.created is not None else self.updates

    @property
    def writes(self) -> bool:
        return self.created is not None or bool(self.updates) or self.newly_offered

    @property
    def revokes_access(self) -> bool:
        return self.action == Action.DEACTIVATE

    @property
    def freezes_budget(self) -> bool:
        # Deactivated, never deleted: the budget stays, frozen, for the admin to settle.
        return self.action == Action.DEACTIVATE

    def outcome(self) -> EmployeeOutcome | None:
        if self.reason is None:
            return None
        return EmployeeOutcome(self.display_name, self.provider_id, self.local_id, self.reason)


def count(decisions: Iterable[EmployeeDecision]) -> RunCounts:
    tally = {action: 0 for action in Action}
    new_to_review = 0
    for decision in decisions:
        tally[decision.action] += 1
        new_to_review += decision.newly_offered
    return RunCounts(
        created=tally[Action.CREATE],
        updated=tally[Action.UPDATE],
        unchanged=tally[Action.UNCHANGED],
        skipped=tally[Action.SKIP],
        failed=tally[Action.FAIL],
        deactivated=tally[Action.DEACTIVATE],
        new_to_review=new_to_review,
    )


@dataclass(frozen=True, slots=True)
class BatchPlan:
    decisions: tuple[EmployeeDecision, ...]
    # Every provider ID in the page, unreadable records included: they still exist at
    # the provider and must not be deactivated as removed.
    seen_provider_ids: frozenset[str]

    @property
    def counts(self) -> RunCounts:
        return count(self.decisions)

    @property
    def failures(self) -> tuple[EmployeeOutcome, ...]:
        return tuple(
            outcome
            for decision in self.decisions
            if decision.action == Action.FAIL and (outcome := decision.outcome()) is not None
        )


@dataclass
class _Page:
    """What planning one page needs besides the record itself."""

    state: LocalState
    policies: Mapping[str, FieldPolicy]
    today: date
    mode: SyncMode
    # Who the integration's settings sync, and which local entity they belong to.
    scope: SyncScope
    # The first sync of a selective installation: people synced before are offered again.
    offer_synced: bool = False
    # E-mail -> provider ID, for e-mails this page already gave to someone.
    claimed_emails: dict[str, str] = field(default_factory=dict)
    # E-mail -> who (`person_key`) this page gave it to.
    claimants: dict[str, tuple[str, str]] = field(default_factory=dict)
    # E-mails known employees gave up in this page.
    released_emails: set[str] = field(default_factory=set)

    def holder_of(self, email: str) -> LocalEmployee | None:
        """Who holds this e-mail once the page's earlier decisions are written."""
        return None if email in self.released_emails else self.state.by_email.get(email)

    def claim(self, email: str, record: EmployeeRecord) -> None:
        self.claimed_emails[email] = record.provider_id
        self.claimants[email] = person_key(record.first_name, record.last_name)


def plan_batch(
    items: Iterable[EmployeeRecord | RecordError],
    state: LocalState,
    policies: Mapping[str, FieldPolicy],
    today: date,
    mode: SyncMode,
    seen_earlier: Set[str] = frozenset(),
    scope: SyncScope = EVERYONE,
    offer_synced: bool = False,
) -> BatchPlan:
    """Decide every record of a page; write the decisions in the order returned.

    Known employees are decided before newcomers, so that an e-mail a known employee
    gives up in this page is free before a newcomer takes it: planning the page again
    after writing it then finds nothing to do. `seen_earlier` holds the provider IDs of
    the run's earlier pages (not of this page when it is retried), so that a provider
    ID sent twice in one run fails the second time. `offer_synced`: the first sync of an
    installation in selective mode, where people an earlier installation synced are
    offered in the selection window like newcomers (see `_synced_selection_gate`).
    """
    page = _Page(state, policies, today, mode, scope, offer_synced)
    seen: set[str] = set()
    decisions: list[EmployeeDecision] = []
    known: list[tuple[EmployeeRecord, LocalEmployee]] = []
    newcomers: list[EmployeeRecord] = []
    for item in items:
        employee = state.by_provider_id.get(item.provider_id or "")
        if item.provider_id in seen or item.provider_id in seen_earlier:
            decisions.append(_fail(item, Reason.DUPLICATE_ID))
            continue
        if item.provider_id is not None:
            seen.add(item.provider_id)
        if isinstance(item, RecordError):
            decisions.append(_fail(item, Reason(item.problem.value), employee))
        elif employee is None:
            newcomers.append(item)
        else:
            known.append((item, employee))
    decisions += _plan_known_employees(known, page)
    decisions += (_plan_newcomer(record, page) for record in newcomers)
    return BatchPlan(tuple(decisions), frozenset(seen))


def _plan_known_employees(known: list[tuple[EmployeeRecord, LocalEmployee]], page: _Page) -> list[EmployeeDecision]:
    """Known employees, e-mail chains resolved: when A takes the e-mail B gives up, B
    goes first. Only a cycle (A and B trading e-mails) stays an error."""
    decisions: list[EmployeeDecision] = []
    pending = known
    while pending:
        blocked = []
        for record, employee in pending:
            decision = _plan_known(record, employee, page)
            if decision.reason == Reason.EMAIL_IN_USE:
                blocked.append((record, employee))
            else:
                decisions.append(decision)
        if len(blocked) == len(pending):
            decisions += (_fail(record, Reason.EMAIL_IN_USE, employee) for record, employee in blocked)
            break
        pending = blocked
    return decisions


def _plan_known(record: EmployeeRecord, employee: LocalEmployee, page: _Page) -> EmployeeDecision:
    if record.excluded:
        # Excluded at the provider after being synced: gone from the sync, so deactivated.
        return _deactivate(employee, Reason.EXCLUDED)
    if left_out := page.scope.leaves_out(record):
        # Left out by the settings after being synced (a venue set to Inactive, an entity
        # unticked, an exclusion): they leave the sync like people removed at the provider.
        return _deactivate(employee, left_out)
    if not_selected := _synced_selection_gate(record, employee, page):
        return not_selected
    if problem := record_problem(record):
        return _fail(record, problem, employee)
    contract = record.active_contract(page.today)
    if contract is None:
        return _contracts_ended(record, employee, page.today)
    return _sync(record, employee, contract, page)


def _contracts_ended(record: EmployeeRecord, employee: LocalEmployee, today: date) -> EmployeeDecision:
    """Deactivated, with the contract that ended stored as the provider ended it: the
    contract's end date is synced, and the admin reads on the page when it ended."""
    decision = _deactivate(employee, Reason.CONTRACTS_ENDED)
    started = [c for c in record.contracts if c.start_date <= today]
    if decision.action != Action.DEACTIVATE or not started:
        return decision
    ended = synced_wage_contract(max(started, key=lambda c: c.start_date))
    return replace(decision, updates=(*decision.updates, *wage_contract_changes(employee.wage_contract, ended)))


def may_be_created(record: EmployeeRecord, today: date, scope: SyncScope = EVERYONE) -> bool:
    """Whether a record nobody was synced from can lead to a new employee at all."""
    return not record.excluded and scope.leaves_out(record) is None and record.active_contract(today) is not None


def _plan_newcomer(record: EmployeeRecord, page: _Page) -> EmployeeDecision:
    if record.excluded:
        return _skip(record, Reason.EXCLUDED)
    if left_out := page.scope.leaves_out(record):
        # Never offered in the selection window either: the settings keep them out.
        return _skip(record, left_out)
    # Connexie imports "team members with an active contract and an e-mail address".
    contract = record.active_contract(page.today)
    if contract is None:
        return _skip(record, Reason.NO_ACTIVE_CONTRACT)
    if not_selected := _selection_gate(record, page):
        return not_selected
    if problem := record_problem(record):
        return _fail(record, problem)
    if not record.email or not record.email.strip():
        return _fail(record, Reason.MISSING_EMAIL)
    email = normalize_email(record.email)
    employee = page.holder_of(email)
    if employee is not None and employee.synced_by_other_integration and email not in page.claimed_emails:
        return _shared_person(record, employee, contract, page)
    if email in page.claimed_emails or (employee is not None and employee.provider_id is not None):
        return _email_taken(record, email, employee, page)
    if employee is not None:
        return _sync(record, employee, contract, page)
    return _create(record, contract, page)


def _email_taken(record: EmployeeRecord, email: str, holder: LocalEmployee | None, page: _Page) -> EmployeeDecision:
    """A newcomer whose e-mail an account synced from another provider ID has.

    The same person (same name): Securex/Liantis give a move between entities a new ID
    and keep the e-mail, and "Payflip detects that an account already exists for this
    e-mail": their own account fails. Anyone else fails on their own: the account with
    the e-mail is another person's, whose sync goes on untouched.
    """
    holder_key = page.claimants.get(email) or (person_key(holder.first_name, holder.last_name) if holder else None)
    if holder_key != person_key(record.first_name, record.last_name):
        return _fail(record, Reason.EMAIL_IN_USE)
    return _fail(record, Reason.ENTITY_MOVE, holder)


def _shared_person(
    record: EmployeeRecord, employee: LocalEmployee, contract: WageContractRecord, page: _Page
) -> EmployeeDecision:
    """The same person (same e-mail) listed by two of the company's integrations.

    One integration is master of them: the one the admin chose, and until a choice the
    one that synced them first. The other leaves them out (a skip, not a failure: it is
    not news at every run); the master takes them over, keeping the account, its budget
    and its history, and binds it to its own provider ID.
    """
    if not page.scope.takes_over_shared_people:
        return _skip(record, Reason.SYNCED_BY_OTHER_INTEGRATION, employee=employee)
    bound = replace(employee, provider_id=None, synced_by_other_integration=False)
    decision = _sync(record, bound, contract, page)
    return replace(decision, reason=Reason.TAKEN_OVER) if decision.action == Action.UPDATE else decision


def _selection_gate(record: EmployeeRecord, page: _Page) -> EmployeeDecision | None:
    """Who may enter: the selection decides, the mode only for people never offered.

    A mode change "applies to future employees only": people parked under selective
    mode stay parked after a switch to full, until the integration is re-installed.
    """
    match page.state.selections.get(record.provider_id):
        case Selection.SELECTED:
            return None
        case Selection.PARKED:
            return _skip(record, Reason.NOT_SELECTED)
    if page.mode == SyncMode.FULL:
        return None
    return _skip(record, Reason.NOT_SELECTED, newly_offered=True)


def _synced_selection_gate(record: EmployeeRecord, employee: LocalEmployee, page: _Page) -> EmployeeDecision | None:
    """Someone synced before stays in the sync unless the selection says otherwise.

    Unticked in the selection window: left out, kept as they are (not deactivated). The
    first sync of a re-installed selective integration (`offer_synced`) offers everyone
    the provider lists, people the earlier installation synced too: "to redo the
    selection of existing employees, uninstall and re-install". Without an entry they
    stay synced: a switch from full to selective "applies to future employees only".
    Whoever has no running contract is left to the deactivation that follows.
    """
    if record.active_contract(page.today) is None:
        return None
    match page.state.selections.get(record.provider_id):
        case Selection.SELECTED:
            return None
        case Selection.PARKED:
            return _skip(record, Reason.NOT_SELECTED, employee=employee)
    if page.offer_synced and page.mode == SyncMode.SELECTIVE:
        return _skip(record, Reason.NOT_SELECTED, newly_offered=True, employee=employee)
    return None


def _create(record: EmployeeRecord, contract: WageContractRecord, page: _Page) -> EmployeeDecision:
    """Every field policy applies a value to a new employee (`policies.verdict`), so the
    record's values are taken as they are stored (`provider_value`), none compared."""
    page.claim(normalize_email(record.email or ""), record)
    values: dict[str, object] = {"provider_id": record.provider_id}
    for name in PERSONAL_FIELDS:
        if (value := provider_value(record, name)) is not None:
            values[name] = value
    if (entity_id := page.scope.local_entity(record)) is not None:
        values["entity_id"] = entity_id
    return EmployeeDecision(
        Action.CREATE,
        _name(record),
        record.provider_id,
        probable_duplicate_of=_probable_duplicate(record, page.state),
        created=NewEmployee(values, synced_wage_contract(contract)),
    )


def _sync(
    record: EmployeeRecord,
    employee: LocalEmployee,
    contract: WageContractRecord,
    page: _Page,
) -> EmployeeDecision:
    """Bring a matched employee in step with the provider: UPDATE or UNCHANGED."""
    personal = personal_diff(record, employee, page.policies)
    email = str(next((c.new for c in personal.changes if c.field == "email"), employee.email))
    other = page.holder_of(email)
    if (other is not None and other.local_id != employee.local_id) or page.claimed_emails.get(
        email, record.provider_id
    ) != record.provider_id:
        return _fail(record, Reason.EMAIL_IN_USE, employee)
    page.claim(email, record)
    if email != employee.email:
        page.released_emails.add(employee.email)
    changes = [
        *_binding_changes(record, employee),
        *personal.changes,
        *_entity_change(record, employee, page.scope),
        *wage_contract_changes(employee.wage_contract, synced_wage_contract(contract)),
    ]
    if personal.reverify_phone and employee.phone_verified:
        changes.append(FieldChange("phone_verified", True, False))
    if not employee.active:
        # Connexie: an employee ended only locally "will be activated again with every
        # synchronisation" while the provider has an active contract.
        changes.append(FieldChange("active", False, True))
    return EmployeeDecision(
        Action.UPDATE if changes else Action.UNCHANGED,
        _name(record),
        record.provider_id,
        employee.local_id,
        updates=tuple(changes),
        discrepancies=personal.discrepancies,
        matched_by_email=not employee.ever_synced,
    )


def _entity_change(record: EmployeeRecord, employee: LocalEmployee, scope: SyncScope) -> list[FieldChange]:
    """The employee's local entity follows the provider's entity through the settings'
    mapping (the provider is master): a remapped venue moves its people."""
    old = employee.entity_id
    new = scope.local_entity(record)
    return [] if new == old else [FieldChange("entity_id", old, new)]


def _binding_changes(record: EmployeeRecord, employee: LocalEmployee) -> list[FieldChange]:
    """Matching by e-mail happens once: from then on the provider ID is the key."""
    if employee.ever_synced:
        return []
    changes = [FieldChange("provider_id", None, record.provider_id)]
    if employee.external:
        changes.append(FieldChange("external", True, False))
    return changes


def _probable_duplicate(record: EmployeeRecord, state: LocalState) -> int | None:
    """Same person under another e-mail: same name and same start date or employee number.

    Connexie: "a duplicate profile ... is most likely because the team member has a
    different email address". Created anyway (the provider is master); the admin merges.
    """
    key = person_key(record.first_name, record.last_name)
    start_date = record.start_date
    number = provider_value(record, "employee_number")
    for employee in state.by_person_key.get(key, ()):
        if employee.provider_id == record.provider_id:
            continue
        if (start_date is not None and employee.start_date == start_date) or (number and employee.employee_number == number):
            return employee.local_id
    return None


def _deactivate(employee: LocalEmployee, reason: Reason) -> EmployeeDecision:
    if not employee.active:
        return EmployeeDecision(Action.SKIP, employee.display_name, employee.provider_id, employee.local_id, reason=reason)
    return deactivation(employee, reason)


def deactivation(employee: LocalEmployee, reason: Reason) -> EmployeeDecision:
    return EmployeeDecision(
        Action.DEACTIVATE,
        employee.display_name,
        employee.provider_id,
        employee.local_id,
        updates=(FieldChange("active", True, False),),
        reason=reason,
    )


def _skip(
    record: EmployeeRecord, reason: Reason, newly_offered: bool = False, employee: LocalEmployee | None = None
) -> EmployeeDecision:
    return EmployeeDecision(
        Action.SKIP,
        _name(record),
        record.provider_id,
        employee.local_id if employee is not None else None,
        reason=reason,
        newly_offered=newly_offered,
    )


def _fail(item: EmployeeRecord | RecordError, reason: Reason, employee: LocalEmployee | None = None) -> EmployeeDecision:
    name = _name(item) if isinstance(item, EmployeeRecord) else item.display_name or ""
    detail = None
    if isinstance(item, RecordError) and item.field is not None and reason.value == item.problem.value:
        detail = ProblemDetail(item.field, item.value or "")
    return EmployeeDecision(
        Action.FAIL,
        name or item.provider_id or "?",
        item.provider_id,
        employee.local_id if employee is not None else None,
        reason=reason,
        detail=detail,
    )


def _name(record: EmployeeRecord) -> str:
    return f"{record.first_name.strip()} {record.last_name.strip()}".strip() or record.provider_id
