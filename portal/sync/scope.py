"""Who of the provider's people a company syncs, and which of its entities each belongs to.

The integration's settings (Connexie's venue mapping, the generic HR system's entities
to sync and excluded employees) reach the engine as one plain `SyncScope`, built by
`portal/runs/sync_scope.py`. A record the scope leaves out is skipped when new and
deactivated when synced before, with the reason on the run's line; a record in scope
gets the local entity its provider entity maps to, never the provider's own ID.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from portal.providers.base import EmployeeRecord
from portal.sync.outcomes import Reason
from portal.sync.validation import record_problem


def exclusion_key(value: str) -> str:
    """How an excluded employee ID or number is compared: trimmed, case-insensitive."""
    return value.strip().casefold()


@dataclass(frozen=True)
class SyncScope:
    """The default scope syncs everyone and maps no entity (Securex, Liantis)."""

    # Provider entity ref -> the local entity the admin mapped it to (Connexie venues).
    mapped: Mapping[str, int] = field(default_factory=dict)
    # Provider entity refs whose people are left out, and why (a venue set to Inactive).
    left_out: Mapping[str, Reason] = field(default_factory=dict)
    # When set, only these provider entities (and the mapped ones) are synced; the people
    # of any other entity, or of none, are left out for `unlisted_reason`.
    only: frozenset[str] | None = None
    unlisted_reason: Reason = Reason.ENTITY_NOT_SYNCED
    # Provider IDs and employee numbers never synced, as `exclusion_key` folds them.
    excluded: frozenset[str] = frozenset()
    # Provider entity ref -> the local entity the sync named after it, for entities in
    # scope the admin did not map. Not part of the fingerprint: these never change.
    created: Mapping[str, int] = field(default_factory=dict)
    # The company chose this integration as master of the people two of its integrations
    # list: it takes them over from the other. Not part of the fingerprint: it only
    # decides about records this integration has not synced, which are always planned.
    takes_over_shared_people: bool = False

    def leaves_out(self, record: EmployeeRecord) -> Reason | None:
        """Why the settings keep this person out of the sync, or None when they are in."""
        if self.excluded and (
            exclusion_key(record.provider_id) in self.excluded
            or (record.employee_number is not None and exclusion_key(record.employee_number) in self.excluded)
        ):
            return Reason.EXCLUDED_IN_SETTINGS
        ref = entity_ref(record)
        if ref is not None and ref in self.left_out:
            return self.left_out[ref]
        if self.only is not None and (ref is None or (ref not in self.only and ref not in self.mapped)):
            return self.unlisted_reason
        return None

    def local_entity(self, record: EmployeeRecord) -> int | None:
        """The local entity of a person in scope; None when the provider names no entity."""
        ref = entity_ref(record)
        if ref is None:
            return None
        return self.mapped.get(ref, self.created.get(ref))

    def entities_to_create(self, records: Iterable[object]) -> dict[str, str | None]:
        """Provider entities of people in scope that have no local entity yet, with the
        name the provider gives them when it does: the sync creates one for each."""
        wanted: dict[str, str | None] = {}
        for record in records:
            if not isinstance(record, EmployeeRecord):
                continue
            ref = entity_ref(record)
            if ref is None or ref in self.mapped or ref in self.created:
                continue
            if self.leaves_out(record) is not None or record_problem(record):
                # A record that fails (an ID longer than Flexsync stores) makes no entity either.
                continue
            wanted[ref] = wanted.get(ref) or (record.entity_name or "").strip() or None
        return wanted

    def with_created(self, created: Mapping[str, int]) -> SyncScope:
        return replace(self, created={**self.created, **created}) if created else self

    @property
    def fingerprint(self) -> bytes:
        """16 bytes that change whenever the settings part of the scope does: the digest of
        every record is salted with it, so a settings change re-plans everyone once."""
        text = repr(
            (
                sorted(self.mapped.items()),
                sorted((ref, reason.value) for ref, reason in self.left_out.items()),
                sorted(self.only) if self.only is not None else None,
                self.unlisted_reason.value,
                sorted(self.excluded),
            )
        )
        return hashlib.blake2b(text.encode(), digest_size=16).digest()


# The scope of an integration without settings that limit it: everyone, no local entity.
EVERYONE = SyncScope()


def entity_ref(record: EmployeeRecord) -> str | None:
    ref = (record.entity_ref or "").strip()
    return ref or None
