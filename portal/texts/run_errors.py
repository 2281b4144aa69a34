"""Why a sync run ended in Error, or a preview has no result, in the admin's words, with what
to do next; and why a sync of the changes only listed everyone instead."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.runs.lifecycle import ErrorCode
from portal.sync.changes import FullSyncReason

RUN_ERRORS = {
    ErrorCode.PROVIDER_UNAVAILABLE: _l(
        "The provider did not answer properly (time-outs or errors), even after several tries. "
        "Nobody was deactivated. Press Sync now to try again, or wait for the nightly sync."
    ),
    ErrorCode.RECONNECT_NEEDED: _l(
        "The provider no longer accepts Flexsync's connection (the consent was revoked or expired). "
        "Connect again from the Integrations page."
    ),
    ErrorCode.INCOMPLETE_FETCH: _l(
        "The provider sent an incomplete list of employees. To protect your data nobody was "
        "deactivated. Try again later; if it keeps happening, contact support."
    ),
    ErrorCode.WORKER_LOST: _l("The sync stopped unexpectedly. Nothing was half-applied: press Sync now to run it again."),
    ErrorCode.INTERNAL: _l(
        "Something went wrong on our side. Press Sync now to try again; if it keeps happening, contact support."
    ),
}


def run_error_text(code: str | None) -> str:
    return str(RUN_ERRORS.get(code, RUN_ERRORS[ErrorCode.INTERNAL]))


# Why a preview has no result; a preview writes nothing, so nothing needs repairing.
PREVIEW_ERRORS = {
    ErrorCode.PROVIDER_UNAVAILABLE: _l(
        "The provider did not answer properly (time-outs or errors), even after several tries. "
        "Nothing was changed. Press Preview again in a few minutes."
    ),
    ErrorCode.RECONNECT_NEEDED: _l(
        "The provider no longer accepts Flexsync's connection (the consent was revoked or expired, or the key was "
        "refused). Nothing was changed. Connect again from the Integrations page, then preview again."
    ),
    ErrorCode.INCOMPLETE_FETCH: _l(
        "The provider sent an incomplete list of employees, so the preview cannot say who would be deactivated. "
        "Nothing was changed. Press Preview again later; if it keeps happening, contact support."
    ),
    ErrorCode.WORKER_LOST: _l("The preview stopped unexpectedly. Nothing was changed: press Preview again."),
    ErrorCode.INTERNAL: _l(
        "Something went wrong on our side. Nothing was changed. Press Preview again; if it keeps happening, contact support."
    ),
}

# Why a sync of the changes only listed everyone instead.
FULL_SYNC_REASONS = {
    FullSyncReason.NO_CURSOR: _l("There was no complete sync yet to continue from: a full sync was done instead."),
    FullSyncReason.CURSOR_TOO_OLD: _l(
        "The last complete sync is more than a day old: a full sync was done instead, so that no change is missed."
    ),
    FullSyncReason.SETTINGS_CHANGED: _l(
        "The settings of the integration changed since the last sync: a full sync was done instead, to apply them to everyone."
    ),
    FullSyncReason.CURSOR_REFUSED: _l(
        "%(provider)s no longer accepted where the last sync stopped: a full sync was done instead."
    ),
}


def preview_error_text(code: str | None) -> str:
    return str(PREVIEW_ERRORS.get(code, PREVIEW_ERRORS[ErrorCode.INTERNAL]))


def full_sync_reason_text(reason: FullSyncReason, provider: str) -> str:
    """Why a sync of the changes only was a full sync, naming the provider."""
    return str(FULL_SYNC_REASONS[reason]) % {"provider": provider}
