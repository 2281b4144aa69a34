"""One test per rule of the sync engine in PRODUCT.md."""

from dataclasses import replace
from datetime import date

import pytest

from helpers.sync_examples import TODAY, apply_plan, contract, employee, record, sync
from portal.sync.outcomes import FIX_FOR, FIX_TEXT, REASON_TEXT, Fix, Reason, RunCounts, RunStatus, run_status
from portal.sync.plan import Action, plan_batch
from portal.sync.removals import FetchCompleted, IncompleteFetch, find_external, next_sync_reactivates, plan_removals
from portal.sync.state import LocalState, Selection, SyncMode


def synced_state(*records):
    return apply_plan(LocalState(), sync(list(records)))


def test_only_employees_with_an_active_contract_are_imported():
    ended = record("P-1", contracts=(contract(end_date=date(2025, 1, 31)),))
    future = record("P-2", contracts=(contract(start_date=date(2025, 6, 1)),))

    decisions = sync([ended, future]).decisions

    assert [(d.action, d.reason) for d in decisions] == [
        (Action.SKIP, Reason.NO_ACTIVE_CONTRACT),
        (Action.SKIP, Reason.NO_ACTIVE_CONTRACT),
    ]


def test_a_synced_employee_whose_contracts_all_ended_is_deactivated():
    state = synced_state(record("P-1"))

    (decision,) = sync([record("P-1", contracts=(contract(end_date=date(2025, 2, 28)),))], state).decisions

    assert (decision.action, decision.reason) == (Action.DEACTIVATE, Reason.CONTRACTS_ENDED)
    assert decision.revokes_access and decision.freezes_budget
    # The contract is kept as it ended: the admin reads its end date.
    assert ("wage_contract.end_date", None, date(2025, 2, 28)) in [(c.field, c.old, c.new) for c in decision.changes]


def test_removed_at_the_provider_means_deactivated_access_revoked_budget_frozen_never_deleted():
    state = synced_state(record("P-1"), record("P-2", first_name="Bo"))

    (decision,) = plan_removals(FetchCompleted(frozenset({"P-1"}), records_received=1), state.employees)

    assert (decision.action, decision.reason) == (Action.DEACTIVATE, Reason.REMOVED_AT_PROVIDER)
    assert decision.provider_id == "P-2"
    assert decision.revokes_access and decision.freezes_budget
    assert [(c.field, c.new) for c in decision.changes] == [("active", False)]


def test_an_account_whose_person_moved_to_another_entity_stays_as_it_is():
    # The old provider ID is gone because of the move, which support handles, not a removal.
    state = synced_state(record("P-1"), record("P-2", first_name="Bo"))
    moved = next(e.local_id for e in state.employees if e.provider_id == "P-2")

    assert plan_removals(FetchCompleted(frozenset({"P-1"}), records_received=1), state.employees, moved={moved}) == ()


def test_a_broken_or_partial_fetch_can_never_deactivate_anyone():
    with pytest.raises(IncompleteFetch):
        FetchCompleted(frozenset({"P-1"}), records_received=1, reported_total=21)
    with pytest.raises(IncompleteFetch):
        FetchCompleted(frozenset(), records_received=0)


def test_an_unreadable_record_still_counts_as_present_at_the_provider():
    state = synced_state(record("P-1"))
    plan = sync([record("P-1", contracts=(contract(gross_amount=-1),))], state)

    fetch = FetchCompleted(plan.seen_provider_ids, records_received=1)

    assert plan.decisions[0].reason == Reason.NEGATIVE_SALARY
    assert plan_removals(fetch, state.employees) == ()


def test_ending_employment_only_locally_warns_that_the_next_sync_reactivates():
    state = synced_state(record("P-1"))
    (an,) = state.employees

    ended_at_provider = replace(an, wage_contract=replace(an.wage_contract, end_date=date(2025, 2, 28)))

    assert next_sync_reactivates(an, TODAY)
    assert not next_sync_reactivates(ended_at_provider, TODAY)


def test_the_next_sync_reactivates_an_employee_ended_only_locally():
    state = synced_state(record("P-1"))
    (an,) = state.employees
    ended_locally = LocalState((replace(an, active=False),))

    (decision,) = sync([record("P-1")], ended_locally).decisions

    assert decision.action == Action.UPDATE
    assert [(c.field, c.old, c.new) for c in decision.changes] == [("active", False, True)]


def test_unmatched_local_users_at_the_first_sync_are_listed_as_external():
    state = LocalState((employee(7, email="an@example.be"), employee(8, email="consultant@example.be")))
    state = apply_plan(state, sync([record("P-1", email="an@example.be")], state))
    fetch = FetchCompleted(frozenset({"P-1"}), records_received=1)

    assert [e.local_id for e in find_external(fetch, state.employees, first_sync=True)] == [8]
    assert find_external(fetch, state.employees, first_sync=False) == ()


def test_excluded_records_are_skipped():
    (decision,) = sync([record("P-1", excluded=True)]).decisions

    assert (decision.action, decision.reason) == (Action.SKIP, Reason.EXCLUDED)


def test_an_employee_excluded_after_being_synced_is_deactivated():
    state = synced_state(record("P-1"))

    (decision,) = sync([record("P-1", excluded=True)], state).decisions

    assert (decision.action, decision.reason) == (Action.DEACTIVATE, Reason.EXCLUDED)


def test_full_mode_syncs_every_employee_new_ones_too():
    decisions = sync([record("P-1"), record("P-2", first_name="Bo")]).decisions

    assert [d.action for d in decisions] == [Action.CREATE, Action.CREATE]


def test_selective_mode_writes_only_selected_employees_and_parks_people_never_offered():
    state = LocalState(selections={"P-1": Selection.SELECTED, "P-2": Selection.PARKED})

    plan = sync([record("P-1"), record("P-2"), record("P-3")], state, mode=SyncMode.SELECTIVE)

    assert [(d.action, d.reason, d.newly_offered) for d in plan.decisions] == [
        (Action.CREATE, None, False),
        (Action.SKIP, Reason.NOT_SELECTED, False),
        (Action.SKIP, Reason.NOT_SELECTED, True),
    ]
    assert plan.counts.new_to_review == 1


def test_a_person_offered_once_is_not_offered_again_as_new():
    state = LocalState(selections={"P-1": Selection.SELECTED})
    state = apply_plan(state, sync([record("P-1"), record("P-2")], state, mode=SyncMode.SELECTIVE))

    plan = sync([record("P-1"), record("P-2")], state, mode=SyncMode.SELECTIVE)

    assert plan.counts.new_to_review == 0


def test_changing_the_mode_applies_to_future_employees_only():
    state = LocalState(selections={"P-2": Selection.PARKED})
    state = apply_plan(state, sync([record("P-1")], state))

    # Selective now: the employee synced under full mode keeps syncing, a newcomer is parked.
    selective = sync([record("P-1", first_name="Anna"), record("P-3")], state, mode=SyncMode.SELECTIVE)
    # Full again: the one parked earlier stays parked, a newcomer is created.
    full = sync([record("P-2"), record("P-4")], state, mode=SyncMode.FULL)

    assert [d.action for d in selective.decisions] == [Action.UPDATE, Action.SKIP]
    assert [(d.action, d.reason) for d in full.decisions] == [
        (Action.SKIP, Reason.NOT_SELECTED),
        (Action.CREATE, None),
    ]


def test_a_reinstalled_selective_integration_offers_the_people_synced_before_and_keeps_them_as_they_are():
    state = synced_state(record("P-1"), record("P-2", first_name="Bo"))
    changed = record("P-1", first_name="Anna")

    first = plan_batch([changed, record("P-3")], state, {}, TODAY, SyncMode.SELECTIVE, offer_synced=True)
    # The admin ticks P-1 only; a later sync of the same installation no longer offers anyone.
    state = replace(state, selections={"P-1": Selection.SELECTED, "P-2": Selection.PARKED, "P-3": Selection.PARKED})
    later = sync([changed, record("P-2", first_name="Bo", last_name="Maes")], state, mode=SyncMode.SELECTIVE)

    assert [(d.action, d.reason, d.newly_offered, d.local_id, d.changes) for d in first.decisions] == [
        (Action.SKIP, Reason.NOT_SELECTED, True, 1, ()),
        (Action.SKIP, Reason.NOT_SELECTED, True, None, ()),
    ]
    assert [(d.action, d.reason) for d in later.decisions] == [(Action.UPDATE, None), (Action.SKIP, Reason.NOT_SELECTED)]


def test_without_a_selection_people_synced_before_keep_syncing_in_selective_mode():
    state = synced_state(record("P-1"))
    ended = record("P-1", contracts=(contract(end_date=date(2025, 1, 31)),))

    kept = sync([record("P-1", first_name="Anna")], state, mode=SyncMode.SELECTIVE)
    gone = plan_batch([ended], state, {}, TODAY, SyncMode.SELECTIVE, offer_synced=True)

    assert [d.action for d in kept.decisions] == [Action.UPDATE]
    # Never offered when no contract runs: deactivated like anyone whose contracts ended.
    assert [(d.action, d.reason) for d in gone.decisions] == [(Action.DEACTIVATE, Reason.CONTRACTS_ENDED)]


def test_a_resync_with_no_change_writes_zero_rows():
    state = synced_state(record("P-1"), record("P-2", first_name="Bo"))

    plan = sync([record("P-1"), record("P-2", first_name="Bo")], state)

    assert [d.action for d in plan.decisions] == [Action.UNCHANGED, Action.UNCHANGED]
    assert not any(d.writes for d in plan.decisions)


def test_each_run_has_a_status_from_its_counts():
    assert run_status(RunCounts(created=3, unchanged=18)) == RunStatus.SUCCESS
    assert run_status(RunCounts(updated=20, failed=1)) == RunStatus.PARTIAL
    assert run_status(RunCounts(failed=21)) == RunStatus.ERROR
    assert run_status(RunCounts(unchanged=21), provider_failed=True) == RunStatus.ERROR


def test_failed_employees_are_listed_with_the_reason_and_the_fix():
    plan = sync([record("P-1", email=None, first_name="Bo", last_name="Maes"), record("P-2")])

    (failure,) = plan.failures

    assert (failure.display_name, failure.provider_id, failure.reason, failure.fix) == (
        "Bo Maes",
        "P-1",
        Reason.MISSING_EMAIL,
        Fix.ADD_EMAIL_AT_PROVIDER,
    )
    assert plan.counts == RunCounts(created=1, failed=1)


def test_every_reason_has_a_fix_and_english_texts_the_web_layer_can_translate():
    assert set(FIX_FOR) == set(REASON_TEXT) == set(Reason)
    assert set(FIX_TEXT) == set(Fix)


@pytest.mark.parametrize(
    ("changed", "fails"),
    [
        ({"last_name": "N" * 100}, False),
        ({"last_name": "N" * 101}, True),
        # Measured as stored: trimmed, so spaces around a name of the limit do not count…
        ({"last_name": "  " + "N" * 100 + " "}, False),
        # …and an e-mail lower-cased, which lengthens some letters ("İ" -> "i̇").
        ({"email": "a" * 241 + "@example.com"}, False),
        ({"email": "İ" + "a" * 241 + "@example.com"}, True),
        ({"employee_number": "7" * 51}, True),
    ],
)
def test_a_value_longer_than_flexsync_stores_fails_that_employee_measured_as_stored(changed, fails):
    (decision,) = sync([record("P-1", **changed)]).decisions

    assert (decision.action, decision.reason) == ((Action.FAIL, Reason.FIELD_TOO_LONG) if fails else (Action.CREATE, None))
