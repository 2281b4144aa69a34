"""Knowing a provider record is unchanged without reading it.

Most records a nightly resync receives are exactly what the last sync brought the
employee in step with. Each employee row keeps the digest of that record (as the
provider sent it) and the day its choice of active contract can next change; a record
with the same digest, before that day, of an employee nobody edited since (local edits
clear the digest), would be planned UNCHANGED, so the run counts it without parsing,
loading or planning it.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from portal.providers.base import EmployeeRecord
from portal.providers.records import Unreadable, text


def _rules_version() -> bytes:
    """Any change to the sync rules or the record mappings must re-plan everybody once:
    the digest is salted with their source, so a deploy that changes them does it (and
    with the Python version, whose marshal writes the bytes digested)."""
    root = Path(__file__).resolve().parent.parent
    # Phones are read into E.164 by `portal.providers.phones`, with the library's idea of a
    # valid number: its version counts too.
    sources = sorted([*root.joinpath("sync").glob("*.py"), *root.joinpath("providers").glob("*.py")])
    salt = hashlib.blake2b(sys.version.split()[0].encode(), digest_size=16)
    salt.update(metadata.version("phonenumbers").encode())
    for source in sources:
        salt.update(source.read_bytes())
    return salt.digest()


_SALT = _rules_version()


def record_digest(raw: Any, scope: bytes = b"") -> str:
    # The decoded JSON as the provider ordered it (a provider that reorders its keys only
    # costs one re-plan), serialised by marshal: lossless for JSON values and twice as
    # fast as repr. Version 2 writes no back-references, so equal records give equal bytes.
    # `scope` (at most 16 bytes, `SyncScope.fingerprint`): a record planned under other
    # settings (a venue now Inactive, an exclusion added) is not in step any more.
    return hashlib.blake2b(marshal.dumps(raw, 2), digest_size=16, key=_SALT, salt=scope).hexdigest()


def raw_provider_id(raw: Any) -> str | None:
    """The ID as `records.read_employee` reads it, without reading the rest."""
    if not isinstance(raw, Mapping):
        return None
    try:
        return text(raw.get("id"))
    except Unreadable:
        return None


def valid_until(record: EmployeeRecord, today: date) -> date | None:
    """The first day after today on which a different contract (or none) may be active."""
    changes = [c.start_date for c in record.contracts if c.start_date > today]
    changes += [c.end_date + timedelta(days=1) for c in record.contracts if c.end_date is not None and c.end_date >= today]
    return min(changes, default=None)


class SyncedRecord(NamedTuple):
    """What an employee row remembers of the record it was last brought in step with."""

    digest: str | None
    valid_until: date | None

    def matches(self, digest: str, today: date) -> bool:
        return self.digest == digest and (self.valid_until is None or today < self.valid_until)


@dataclass(frozen=True, slots=True)
class PageSplit:
    # Positions in the page of the records still to read and plan.
    to_plan: tuple[int, ...]
    # Provider IDs counted as unchanged without planning.
    unchanged: frozenset[str]
    # Digest of every record to plan listed once, to store once it is in step.
    digests: Mapping[str, str]


def split_unchanged(
    raw_records: Sequence[Any],
    synced: Mapping[str, SyncedRecord],
    today: date,
    seen_earlier: Set[str],
    scope: bytes = b"",
) -> PageSplit:
    """Which records of a page are, for certain, unchanged since the last sync.

    A provider ID listed twice (in this page or an earlier one) is always planned, so
    the duplicate still fails as it would without this shortcut.
    """
    ids = [raw_provider_id(raw) for raw in raw_records]
    listed = Counter(ids)
    to_plan, unchanged, digests = [], set(), {}
    for position, (raw, provider_id) in enumerate(zip(raw_records, ids, strict=True)):
        if provider_id is None:
            to_plan.append(position)
            continue
        if listed[provider_id] > 1 or provider_id in seen_earlier:
            # Which copy was applied is not known from a digest: never remembered as in step.
            to_plan.append(position)
            continue
        digest = record_digest(raw, scope)
        known = synced.get(provider_id)
        if known is not None and known.matches(digest, today):
            unchanged.add(provider_id)
        else:
            to_plan.append(position)
            digests[provider_id] = digest
    return PageSplit(tuple(to_plan), frozenset(unchanged), digests)
