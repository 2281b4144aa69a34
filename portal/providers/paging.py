"""Following a provider's pages without ever losing one.

The engine deactivates whoever a complete run did not list, so a page that is skipped,
empty or cut short must end the run in Error rather than read as "fewer employees".
Whatever the paging style (page numbers, cursors, offsets), a connector describes one
answer as a `RawPage` and `read_pages` applies the same guards to all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from portal.providers.base import EmployeeRecord, Page, ProviderUnavailable, RecordError

Position = TypeVar("Position", bound=Hashable)
# A repeated page is a known provider glitch that a second request gets past; a page
# that keeps repeating is a loop, and the run stops.
MAX_REFETCHES = 2


@dataclass(frozen=True, slots=True)
class RawPage(Generic[Position]):
    items: list[Any]
    # Where the next page starts (page number, cursor, offset); None on the last page.
    next_position: Position | None
    total: int | None = None
    # The provider's time when it answered, when it says it.
    as_of: datetime | None = None


def read_pages(
    provider: str,
    first: Position,
    fetch: Callable[[Position], RawPage[Position]],
    read: Callable[[Any], EmployeeRecord | RecordError],
) -> Iterator[Page]:
    """Yield every page once, in order; raise `ProviderUnavailable` rather than skip one."""
    position: Position | None = first
    visited: set[Position] = set()
    previous_ids: frozenset[str] = frozenset()
    received = 0
    refetches = 0
    total: int | None = None
    while position is not None:
        raw = fetch(position)
        ids = ids_of(raw.items)
        if raw.next_position == position or (ids and ids == previous_ids):
            refetches += 1
            if refetches > MAX_REFETCHES:
                raise ProviderUnavailable(f"{provider} kept sending the same page at {position!r}")
            continue
        refetches = 0
        total = raw.total
        check_not_short(provider, raw, position, received)
        if raw.next_position in visited:
            raise ProviderUnavailable(f"{provider} paging loops back to {raw.next_position!r}")
        visited.add(position)
        received += len(raw.items)
        previous_ids = ids
        yield Page(raw.items, read, raw.total, raw.as_of)
        position = raw.next_position
    if total is not None and received < total:
        raise ProviderUnavailable(
            f"{provider} announced {total} employees but listed only {received}; "
            "the run stopped so nobody is deactivated by mistake"
        )


def check_not_short(provider: str, raw: RawPage[Any], position: Hashable, received: int) -> None:
    more_announced = raw.next_position is not None or (raw.total is not None and received < raw.total)
    if not raw.items and more_announced:
        raise ProviderUnavailable(
            f"{provider} sent an empty page at {position!r} before the end of the list; "
            "the run stopped so nobody is deactivated by mistake"
        )


def ids_of(items: list[Any]) -> frozenset[str]:
    return frozenset(str(item["id"]) for item in items if isinstance(item, Mapping) and "id" in item)


def field(provider: str, body: Any, key: str, kind: type) -> Any:
    """One field of a provider answer, or `ProviderUnavailable` if the answer is not what
    the API documents (a page we cannot read is never "no employees")."""
    value = body.get(key) if isinstance(body, Mapping) else None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ProviderUnavailable(f"{provider} answered without a valid '{key}': {str(body)[:200]}")
    return value


def provider_time(provider: str, body: Any, key: str) -> datetime | None:
    """An ISO 8601 moment of a provider answer in UTC; None when the answer has none, and
    `ProviderUnavailable` when it has one nobody can read."""
    value = body.get(key) if isinstance(body, Mapping) else None
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ProviderUnavailable(f"{provider} answered with an unreadable '{key}': {str(value)[:100]}")
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """A moment as providers take it in a query: ISO 8601 in UTC, with a Z (a moment
    without a time zone is taken to be in UTC, as Flexsync stores them)."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")
