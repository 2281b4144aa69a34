"""Syncing only what changed: whether a run may ask the provider for the changes since
its cursor, and where the next one starts.

The cursor is a moment on the provider's clock, never on Flexsync's: the two may
disagree by minutes, and a change stamped by a clock behind ours would otherwise fall
before a cursor taken from ours and never be listed. Every complete run, full or of
changes, moves it to the provider's time of its first answer, minus a margin.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class FullSyncReason(enum.StrEnum):
    """Why a run asked for the changes only listed everyone instead."""

    # No complete run yet whose provider time is known.
    NO_CURSOR = "no_cursor"
    # Syncs stopped for a while (disabled, provider down): the changes are too many to trust.
    CURSOR_TOO_OLD = "cursor_too_old"
    # The settings changed since: everyone must be planned under the new ones once.
    SETTINGS_CHANGED = "settings_changed"
    # The provider refused to go back that far.
    CURSOR_REFUSED = "cursor_refused"


# The nightly full sync moves the cursor every day: one older than this means no run
# completed for a day, and the provider may have forgotten changes since.
MAX_CURSOR_AGE = timedelta(hours=24)
# A provider stamps a change when it starts writing it and may list it only once it is
# committed, and its servers' clocks differ by a little: the next listing starts this
# much before the last one, so a change in between is listed (again) rather than lost.
SAFETY_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Cursor:
    # On the provider's clock, in UTC.
    since: datetime
    # The fingerprint of the settings the run that set it synced under (`SyncScope.fingerprint`, hex).
    scope: str


def changes_since(cursor: Cursor | None, scope: str, now: datetime) -> datetime | FullSyncReason:
    """Where a listing of changes starts, or why the run must list everyone instead.

    `scope`: the settings' fingerprint now; `now`: Flexsync's clock, trusted to a day.
    """
    if cursor is None:
        return FullSyncReason.NO_CURSOR
    if cursor.scope != scope:
        return FullSyncReason.SETTINGS_CHANGED
    if now - cursor.since > MAX_CURSOR_AGE:
        return FullSyncReason.CURSOR_TOO_OLD
    return cursor.since


def next_cursor(first_answer_at: datetime | None, scope: str) -> Cursor | None:
    """The cursor a complete run leaves, from the provider's time of its first answer;
    None for a provider that does not say its time."""
    if first_answer_at is None:
        return None
    return Cursor(first_answer_at - SAFETY_MARGIN, scope)
