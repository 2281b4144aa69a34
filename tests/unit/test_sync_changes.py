"""When a sync of the changes only may trust its cursor, and where the next one starts."""

from datetime import UTC, datetime, timedelta

from portal.providers.paging import iso_utc, provider_time
from portal.sync.changes import MAX_CURSOR_AGE, SAFETY_MARGIN, Cursor, FullSyncReason, changes_since, next_cursor
from portal.sync.outcomes import RunCounts, RunStatus, run_status

NOW = datetime(2025, 5, 12, 10, 0)
SCOPE = "a" * 32


def test_without_a_cursor_everyone_is_listed():
    assert changes_since(None, SCOPE, NOW) is FullSyncReason.NO_CURSOR


def test_a_cursor_up_to_a_day_old_under_the_same_settings_is_where_the_changes_start():
    cursor = Cursor(NOW - MAX_CURSOR_AGE, SCOPE)
    assert changes_since(cursor, SCOPE, NOW) == cursor.since


def test_a_cursor_older_than_a_day_is_not_trusted():
    cursor = Cursor(NOW - MAX_CURSOR_AGE - timedelta(seconds=1), SCOPE)
    assert changes_since(cursor, SCOPE, NOW) is FullSyncReason.CURSOR_TOO_OLD


def test_settings_changed_since_the_cursor_make_everyone_planned_again():
    assert changes_since(Cursor(NOW, SCOPE), "b" * 32, NOW) is FullSyncReason.SETTINGS_CHANGED


def test_a_provider_clock_ahead_of_ours_is_trusted_as_it_is():
    # The cursor is on the provider's clock: later than Flexsync's now is no reason to list everyone.
    ahead = Cursor(NOW + timedelta(minutes=10), SCOPE)
    assert changes_since(ahead, SCOPE, NOW) == ahead.since


def test_the_next_cursor_is_the_providers_first_answer_less_the_margin():
    first_answer_at = NOW - timedelta(minutes=10)
    assert next_cursor(first_answer_at, SCOPE) == Cursor(first_answer_at - SAFETY_MARGIN, SCOPE)
    assert next_cursor(None, SCOPE) is None


def test_provider_times_are_read_and_written_in_utc():
    brussels = provider_time("Securex", {"as_of": "2025-05-12T12:00:00+02:00"}, "as_of")
    assert brussels == datetime(2025, 5, 12, 10, 0, tzinfo=UTC)
    assert provider_time("Securex", {}, "as_of") is None
    # Flexsync stores UTC without a time zone.
    assert iso_utc(datetime(2025, 5, 12, 10, 0, 0, 5)) == "2025-05-12T10:00:00.000005Z"


def test_a_sync_of_changes_where_everyone_listed_failed_is_partial_not_an_error():
    # The people it did not list are still in step with the provider.
    assert run_status(RunCounts(failed=1), changes_only=True) == RunStatus.PARTIAL
    assert run_status(RunCounts(failed=1)) == RunStatus.ERROR
