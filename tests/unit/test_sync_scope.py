"""The integration's settings as the engine applies them: venues, entities, exclusions."""

from __future__ import annotations

from dataclasses import replace

from helpers.sync_examples import TODAY, apply_plan, record
from portal.sync.digest import SyncedRecord, record_digest, split_unchanged
from portal.sync.outcomes import FIX_FOR, FIX_TEXT, REASON_TEXT, Reason
from portal.sync.plan import Action, may_be_created, plan_batch
from portal.sync.scope import SyncScope
from portal.sync.state import LocalState, SyncMode

# Connexie: V1 mapped onto local entity 10, V2 onto 20, V3 set to Inactive.
CONNEXIE = SyncScope(
    mapped={"V1": 10, "V2": 20},
    left_out={"V3": Reason.VENUE_INACTIVE},
    only=frozenset({"V1", "V2"}),
    unlisted_reason=Reason.VENUE_NOT_MAPPED,
)


def plan(records, state=None, scope=CONNEXIE, mode=SyncMode.FULL):
    return plan_batch(records, state or LocalState(), {}, TODAY, mode, scope=scope)


def synced(records, scope=CONNEXIE):
    return apply_plan(LocalState(), plan(records, scope=scope))


def test_a_mapped_venue_becomes_the_employees_local_entity_never_the_providers_id():
    (decision,) = plan([record("P-1", entity_ref="V2")]).decisions
    assert decision.action == Action.CREATE
    changes = {c.field: c.new for c in decision.changes}
    assert changes["entity_id"] == 20 and "entity_ref" not in changes


def test_an_inactive_venue_imports_nobody_and_says_why():
    (decision,) = plan([record("P-1", entity_ref="V3")]).decisions
    assert (decision.action, decision.reason, decision.changes) == (Action.SKIP, Reason.VENUE_INACTIVE, ())
    assert not may_be_created(record("P-1", entity_ref="V3"), TODAY, CONNEXIE)


def test_a_venue_left_out_of_the_mapping_imports_nobody_until_it_is_mapped():
    decisions = plan([record("P-1", entity_ref="V9"), record("P-2", entity_ref=None)]).decisions
    assert [(d.action, d.reason) for d in decisions] == [(Action.SKIP, Reason.VENUE_NOT_MAPPED)] * 2


def test_people_synced_before_their_venue_was_set_inactive_are_deactivated_and_kept():
    state = synced([record("P-1", entity_ref="V1")])
    inactive = replace(CONNEXIE, mapped={"V2": 20}, left_out={"V1": Reason.VENUE_INACTIVE}, only=frozenset({"V2"}))

    (decision,) = plan([record("P-1", entity_ref="V1")], state, inactive).decisions

    assert (decision.action, decision.reason) == (Action.DEACTIVATE, Reason.VENUE_INACTIVE)
    assert decision.revokes_access and decision.freezes_budget
    assert [(c.field, c.new) for c in decision.changes] == [("active", False)]
    # The next run sees them still out: one line, nothing written, never deleted.
    deactivated = apply_plan(state, plan([record("P-1", entity_ref="V1")], state, inactive))
    (again,) = plan([record("P-1", entity_ref="V1")], deactivated, inactive).decisions
    assert (again.action, again.reason, again.changes) == (Action.SKIP, Reason.VENUE_INACTIVE, ())


def test_mapped_again_they_come_back_active_in_the_new_entity():
    first = synced([record("P-1", entity_ref="V1")])
    inactive = replace(CONNEXIE, left_out={"V1": Reason.VENUE_INACTIVE}, mapped={"V2": 20}, only=frozenset({"V2"}))
    out = apply_plan(first, plan([record("P-1", entity_ref="V1")], first, inactive))
    remapped = replace(CONNEXIE, mapped={"V1": 20, "V2": 20}, left_out={})

    (decision,) = plan([record("P-1", entity_ref="V1")], out, remapped).decisions

    assert decision.action == Action.UPDATE
    assert {(c.field, c.old, c.new) for c in decision.changes} == {("entity_id", 10, 20), ("active", False, True)}


def test_generic_hr_unticked_entities_and_excluded_ids_or_numbers_are_left_out():
    scope = SyncScope(only=frozenset({"E1"}), excluded=frozenset({"p-2", "n-3"}), created={"E1": 7})
    decisions = plan(
        [
            record("P-1", entity_ref="E1"),
            record("P-2", entity_ref="E1"),
            record("P-3", entity_ref="E1", employee_number="N-3"),
            record("P-4", entity_ref="E2"),
        ],
        scope=scope,
    ).decisions
    assert [(d.provider_id, d.action, d.reason) for d in decisions] == [
        ("P-1", Action.CREATE, None),
        ("P-2", Action.SKIP, Reason.EXCLUDED_IN_SETTINGS),
        ("P-3", Action.SKIP, Reason.EXCLUDED_IN_SETTINGS),
        ("P-4", Action.SKIP, Reason.ENTITY_NOT_SYNCED),
    ]
    assert {c.field: c.new for c in decisions[0].changes}["entity_id"] == 7


def test_an_excluded_employee_synced_before_is_deactivated():
    state = synced([record("P-1", entity_ref="E1")], SyncScope(created={"E1": 7}))
    excluded = SyncScope(excluded=frozenset({"p-1"}), created={"E1": 7})
    (decision,) = plan([record("P-1", entity_ref="E1")], state, excluded).decisions
    assert (decision.action, decision.reason) == (Action.DEACTIVATE, Reason.EXCLUDED_IN_SETTINGS)


def test_people_the_settings_leave_out_are_never_offered_in_the_selection_window():
    (decision,) = plan([record("P-1", entity_ref="V3")], mode=SyncMode.SELECTIVE).decisions
    assert (decision.reason, decision.newly_offered) == (Reason.VENUE_INACTIVE, False)


def test_every_reason_of_the_settings_has_a_text_and_a_fix():
    for reason in (Reason.VENUE_INACTIVE, Reason.VENUE_NOT_MAPPED, Reason.ENTITY_NOT_SYNCED, Reason.EXCLUDED_IN_SETTINGS):
        assert REASON_TEXT[reason] and FIX_TEXT[FIX_FOR[reason]]


def test_the_sync_names_an_entity_only_for_provider_entities_in_scope_without_one():
    scope = SyncScope(only=frozenset({"E1", "E2"}), created={"E1": 7})
    wanted = scope.entities_to_create(
        [record("P-1", entity_ref="E1"), record("P-2", entity_ref="E2", entity_name=" Gent "), record("P-3", entity_ref="E3")]
    )
    assert wanted == {"E2": "Gent"}


def test_a_settings_change_re_plans_every_record_once():
    raw = {"id": "P-1", "first_name": "An"}
    before, after = CONNEXIE, replace(CONNEXIE, left_out={"V1": Reason.VENUE_INACTIVE})
    assert before.fingerprint != after.fingerprint
    # Entities the sync names along the way change nothing of what was decided.
    assert before.fingerprint == before.with_created({"E9": 9}).fingerprint
    assert record_digest(raw, before.fingerprint) != record_digest(raw, after.fingerprint)
    synced_before = {"P-1": SyncedRecord(record_digest(raw, before.fingerprint), None)}
    assert split_unchanged([raw], synced_before, TODAY, set(), before.fingerprint).unchanged == {"P-1"}
    assert split_unchanged([raw], synced_before, TODAY, set(), after.fingerprint).to_plan == (0,)
