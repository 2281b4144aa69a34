"""Field policies: what a provider value may do to a field Flexsync already holds.

The provider is master, with three exceptions taken from the seeds.
"""

from __future__ import annotations

import enum

from portal.providers.base import FieldPolicy
from portal.sync.state import LocalEmployee


class Verdict(enum.StrEnum):
    APPLY = "apply"
    KEEP = "keep"
    # Keep the local value and tell the admin about the discrepancy.
    ALERT = "alert"
    # Apply, and ask the employee to verify the new value at their next login.
    APPLY_AND_REVERIFY = "apply_and_reverify"


def verdict(policy: FieldPolicy, employee: LocalEmployee | None) -> Verdict:
    """What to do with a provider value that differs from the local one (None: a new employee)."""
    if employee is None:
        return Verdict.APPLY
    match policy:
        case FieldPolicy.OVERWRITE:
            return Verdict.APPLY
        case FieldPolicy.FIRST_SYNC_ONLY:
            # Liantis language: "only during first sync - changes in Payflip are retained
            # afterwards"; a user who picked their own language keeps it even then.
            first_sync = not employee.ever_synced and not employee.language_changed_by_employee
            return Verdict.APPLY if first_sync else Verdict.KEEP
        case FieldPolicy.NEVER_OVERWRITE_AND_ALERT:
            # Payhawk e-mail: changing a login behind the user's back is a security risk.
            return Verdict.ALERT
        case FieldPolicy.OVERWRITE_AND_REVERIFY:
            # Payhawk phone: a changed number is asked to be verified at the next login.
            return Verdict.APPLY_AND_REVERIFY
    raise ValueError(f"unknown field policy {policy!r}")
