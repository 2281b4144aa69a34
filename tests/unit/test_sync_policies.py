from helpers.sync_examples import HRIS_POLICIES, LIANTIS_POLICIES, employee, record, sync
from portal.sync.state import LocalState


def fields(decision):
    return {c.field: (c.old, c.new) for c in decision.changes}


def test_the_provider_is_master_and_overwrites_drift():
    state = LocalState((employee(7, provider_id="P-1", email="p-1@example.be", first_name="Ann"),))

    (decision,) = sync([record("P-1", first_name="An")], state).decisions

    assert fields(decision)["first_name"] == ("Ann", "An")


def test_liantis_language_is_set_at_the_first_sync():
    (decision,) = sync([record("P-1", language="fr")], policies=LIANTIS_POLICIES).decisions

    assert fields(decision)["language"] == (None, "fr")


def test_liantis_language_is_set_when_an_existing_user_is_first_matched():
    state = LocalState((employee(7, email="p-1@example.be", language="nl"),))

    (decision,) = sync([record("P-1", language="fr")], state, LIANTIS_POLICIES).decisions

    assert fields(decision)["language"] == ("nl", "fr")


def test_liantis_language_is_not_overwritten_after_the_first_sync():
    state = LocalState((employee(7, provider_id="P-1", email="p-1@example.be", language="en"),))

    (decision,) = sync([record("P-1", language="nl")], state, LIANTIS_POLICIES).decisions

    assert "language" not in fields(decision)


def test_liantis_language_the_employee_changed_is_kept_even_at_the_first_match():
    state = LocalState((employee(7, email="p-1@example.be", language="en", language_changed_by_employee=True),))

    (decision,) = sync([record("P-1", language="nl")], state, LIANTIS_POLICIES).decisions

    assert "language" not in fields(decision)


def test_hr_email_change_is_not_overwritten_and_the_admin_is_alerted():
    state = LocalState((employee(7, provider_id="P-1", email="an@example.be"),))

    (decision,) = sync([record("P-1", email="an.new@example.be")], state, HRIS_POLICIES).decisions

    assert "email" not in fields(decision)
    (alert,) = decision.discrepancies
    assert (alert.field, alert.local_value, alert.provider_value) == (
        "email",
        "an@example.be",
        "an.new@example.be",
    )


def test_hr_phone_change_is_applied_and_the_employee_verifies_it_again():
    state = LocalState((employee(7, provider_id="P-1", email="p-1@example.be", phone="+32470000000", phone_verified=True),))

    (decision,) = sync([record("P-1", phone="+32471111111")], state, HRIS_POLICIES).decisions

    assert fields(decision)["phone"] == ("+32470000000", "+32471111111")
    assert fields(decision)["phone_verified"] == (True, False)


def test_an_unchanged_phone_needs_no_new_verification():
    state = LocalState((employee(7, provider_id="P-1", email="p-1@example.be", phone="+32470000000", phone_verified=True),))

    (decision,) = sync([record("P-1", phone="+32470000000")], state, HRIS_POLICIES).decisions

    assert "phone_verified" not in fields(decision)
