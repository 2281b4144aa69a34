"""The selective-sync selection window: who the provider showed, and whom the admin picked.

Sync runs write the entries (people offered, parked until picked); this module only
reads them and records the admin's choice. It never calls a provider.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, func, or_, select, update

from portal.extensions import db
from portal.i18n import sort_key
from portal.models import Integration, SelectionEntry
from portal.pagination import ListPage
from portal.sync.state import Selection


def entries(integration: Integration, search: str = "") -> Select:
    statement = select(SelectionEntry).where(SelectionEntry.integration_id == integration.id)
    if search:
        pattern = f"%{search.lower()}%"
        statement = statement.where(
            or_(
                func.lower(SelectionEntry.display_name).like(pattern),
                func.lower(SelectionEntry.email).like(pattern),
            )
        )
    return statement.order_by(SelectionEntry.display_name, SelectionEntry.id)


def entries_page(integration: Integration, search: str, page: int, per_page: int) -> ListPage:
    """In alphabetical order as people read it (`sort_key`), which SQL's ORDER BY on the
    names is not: it sorts by code point, "Zoë" before "Élodie". The names of everyone
    offered are read to sort them (a few thousand at most); only the page's rows whole."""
    page = max(page, 1)
    names = db.session.execute(
        entries(integration, search).with_only_columns(SelectionEntry.id, SelectionEntry.display_name).order_by(None)
    )
    ordered = [entry_id for entry_id, _name in sorted(names, key=lambda row: (sort_key(row[1]), row[0]))]
    shown = ordered[(page - 1) * per_page : page * per_page]
    rows = {entry.id: entry for entry in db.session.execute(select(SelectionEntry).where(SelectionEntry.id.in_(shown))).scalars()}
    return ListPage([rows[entry_id] for entry_id in shown if entry_id in rows], page, per_page, len(ordered))


def count(integration: Integration, *conditions) -> int:
    return db.session.execute(
        select(func.count(SelectionEntry.id)).where(SelectionEntry.integration_id == integration.id, *conditions)
    ).scalar_one()


def selected_count(integration: Integration) -> int:
    return count(integration, SelectionEntry.selection == Selection.SELECTED)


def offered_count(integration: Integration) -> int:
    return count(integration)


def left_out_count(integration: Integration) -> int:
    """People the admin saw in the window and did not tick."""
    return count(integration, SelectionEntry.selection == Selection.PARKED, SelectionEntry.reviewed_at.is_not(None))


def to_review_count(integration: Integration) -> int:
    """People offered since the admin last saved the window with them in it."""
    return count(integration, SelectionEntry.reviewed_at.is_(None))


def save_choice(integration: Integration, shown_ids: Collection[int], chosen_ids: Collection[int]) -> None:
    """The entries on the page the admin saw: ticked ones are synced, the others parked."""
    now = datetime.now()
    shown = entries_with_ids(integration, shown_ids)
    for selection, ids in ((Selection.SELECTED, shown & set(chosen_ids)), (Selection.PARKED, shown - set(chosen_ids))):
        if ids:
            db.session.execute(
                update(SelectionEntry).where(SelectionEntry.id.in_(ids)).values(selection=selection, reviewed_at=now)
            )
    db.session.commit()


def select_all(integration: Integration, search: str = "") -> None:
    """Every entry that matches the search is synced, on every page."""
    ids = [entry.id for entry in db.session.execute(entries(integration, search)).scalars()]
    db.session.execute(
        update(SelectionEntry).where(SelectionEntry.id.in_(ids)).values(selection=Selection.SELECTED, reviewed_at=datetime.now())
    )
    db.session.commit()


def entries_with_ids(integration: Integration, ids: Collection[int]) -> set[int]:
    # Only ids of this integration count: a forged id of another one is ignored.
    return set(
        db.session.execute(
            select(SelectionEntry.id).where(SelectionEntry.integration_id == integration.id, SelectionEntry.id.in_(ids))
        ).scalars()
    )
