from datetime import date

from helpers.sync_examples import TODAY, employee, record, sync
from portal.providers.base import RecordError, RecordProblem
from portal.sync.outcomes import Reason
from portal.sync.plan import Action, plan_batch
from portal.sync.scope import SyncScope
from portal.sync.state import LocalState, SyncMode


def test_first_sync_matches_an_existing_user_by_email_case_insensitively():
    state = LocalState((employee(7, email="an.peeters@example.be"),))

    (decision,) = sync([record("P-1", email="  An.Peeters@Example.BE ")], state).decisions

    assert decision.action == Action.UPDATE
    assert decision.matched_by_email
    assert decision.local_id == 7
    assert ("provider_id", None, "P-1") in [(c.field, c.old, c.new) for c in decision.changes]


def test_once_matched_the_provider_id_is_the_key_and_the_email_is_ignored_for_matching():
    state = LocalState(
        (
            employee(7, email="old@example.be", provider_id="P-1"),
            employee(8, email="new@example.be", first_name="Bo", last_name="Maes"),
        )
    )

    (decision,) = sync([record("P-1", email="an@example.be")], state).decisions

    assert decision.local_id == 7
    assert not decision.matched_by_email


def test_no_email_at_the_provider_means_not_imported_and_reported():
    (decision,) = sync([record("P-1", email=None)]).decisions

    assert decision.action == Action.FAIL
    assert decision.reason == Reason.MISSING_EMAIL


def test_a_known_employee_without_email_at_the_provider_keeps_their_login():
    state = LocalState((employee(7, email="an@example.be", provider_id="P-1"),))

    (decision,) = sync([record("P-1", email=None)], state).decisions

    assert decision.action != Action.FAIL
    assert "email" not in [c.field for c in decision.changes]


def test_a_new_user_is_created_when_no_email_matches():
    (decision,) = sync([record("P-1")]).decisions

    assert decision.action == Action.CREATE
    assert not decision.matched_by_email


def test_entity_move_with_the_same_email_is_a_sync_error_never_a_silent_duplicate():
    # Moved from entity A to B: a new provider ID (new employee number), same e-mail.
    state = LocalState((employee(7, email="an@example.be", provider_id="A-1"),))

    (decision,) = sync([record("B-9", email="an@example.be")], state).decisions

    assert decision.action == Action.FAIL
    assert decision.reason == Reason.ENTITY_MOVE
    assert decision.local_id == 7


def test_someone_else_with_the_e_mail_of_an_account_fails_on_their_own_not_on_that_account():
    # Securex gives Seppe the e-mail of Noor, who is synced: Seppe fails, Noor's sync goes on.
    state = LocalState((employee(7, email="noor@example.be", provider_id="A-1", first_name="Noor"),))

    (decision,) = sync([record("A-2", email="noor@example.be", first_name="Seppe")], state).decisions

    assert (decision.action, decision.reason, decision.local_id) == (Action.FAIL, Reason.EMAIL_IN_USE, None)


def test_a_person_another_integration_syncs_is_left_out_unless_this_one_is_master():
    # Synced from Securex; the HR system lists the same e-mail under its own ID.
    theirs = employee(7, email="an@example.be", provider_id="integration-1:S-1", synced_by_other_integration=True)
    state = LocalState((theirs,))

    (left,) = sync([record("H-1", email="an@example.be")], state).decisions
    (taken,) = plan_batch(
        [record("H-1", email="an@example.be")], state, {}, TODAY, SyncMode.FULL, scope=SyncScope(takes_over_shared_people=True)
    ).decisions

    assert (left.action, left.reason, left.local_id) == (Action.SKIP, Reason.SYNCED_BY_OTHER_INTEGRATION, 7)
    assert (taken.action, taken.reason, taken.local_id) == (Action.UPDATE, Reason.TAKEN_OVER, 7)
    assert ("provider_id", None, "H-1") in [(c.field, c.old, c.new) for c in taken.changes]


def test_two_new_provider_records_with_one_email_in_a_page_create_one_account():
    decisions = sync([record("A-1", email="an@example.be"), record("B-9", email="AN@example.be")]).decisions

    assert [d.action for d in decisions] == [Action.CREATE, Action.FAIL]
    assert decisions[1].reason == Reason.ENTITY_MOVE


def test_different_email_for_an_existing_person_shows_up_as_a_probable_duplicate():
    # Connexie: "a duplicate profile ... because the team member has a different e-mail".
    state = LocalState((employee(7, email="an.private@example.be", start_date=date(2024, 1, 1)),))

    (decision,) = sync([record("P-1", email="an@work.example.be")], state).decisions

    assert decision.action == Action.CREATE
    assert decision.probable_duplicate_of == 7


def test_a_namesake_with_another_start_date_and_number_is_no_duplicate():
    state = LocalState((employee(7, email="an.other@example.be", start_date=date(2019, 5, 1), employee_number="X"),))

    (decision,) = sync([record("P-1")], state).decisions

    assert decision.probable_duplicate_of is None


def test_a_provider_id_sent_twice_in_one_run_fails_the_second_time():
    decisions = sync([record("P-1"), record("P-1", email="other@example.be")]).decisions

    assert sorted((d.action, d.reason or "") for d in decisions) == [
        (Action.CREATE, ""),
        (Action.FAIL, Reason.DUPLICATE_ID),
    ]


def test_a_provider_id_seen_on_an_earlier_page_of_the_run_is_a_duplicate():
    plan = plan_batch([record("P-1")], LocalState(), {}, TODAY, SyncMode.FULL, seen_earlier={"P-1"})

    assert plan.decisions[0].reason == Reason.DUPLICATE_ID


def test_an_email_another_employee_uses_is_not_taken_over_by_a_provider_change():
    state = LocalState(
        (
            employee(7, email="an@example.be", provider_id="P-1"),
            employee(8, email="bo@example.be", provider_id="P-2", first_name="Bo"),
        )
    )

    (decision,) = sync([record("P-1", email="bo@example.be")], state).decisions

    assert decision.action == Action.FAIL
    assert decision.reason == Reason.EMAIL_IN_USE


def test_an_unreadable_record_fails_that_employee_only():
    plan = sync(
        [RecordError(RecordProblem.BAD_DATE, "P-1", "start 2024-13-01", "An Peeters"), record("P-2")]  # type: ignore[list-item]
    )

    assert [d.action for d in plan.decisions] == [Action.FAIL, Action.CREATE]
    assert plan.decisions[0].reason == Reason.BAD_DATE
    assert plan.decisions[0].display_name == "An Peeters"
    assert plan.seen_provider_ids == {"P-1", "P-2"}


def test_an_email_given_up_in_a_page_is_free_for_the_next_one_in_that_page():
    state = LocalState((employee(7, email="an@example.be", provider_id="P-1"),))

    plan = sync([record("P-2", email="an@example.be"), record("P-1", email="an.peeters@example.be")], state)

    # Written in this order, the e-mail is freed before it is taken.
    assert [(d.provider_id, d.action) for d in plan.decisions] == [
        ("P-1", Action.UPDATE),
        ("P-2", Action.CREATE),
    ]
