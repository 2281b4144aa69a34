"""The selective-sync selection window: who the provider showed, and whom the admin picked.

Sync runs write the entries (people offered, parked until picked); this module only
reads them and records the admin's choice. It never calls a provider.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select, update

from portal.extensions import db
from portal.models import Integration, SelectionEntry
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


def entries_page(integration: Integration, search: str, page: int, per_page: int) -> Pagination:
    return db.paginate(entries(integration, search), page=page, per_page=per_page, error_out=False)


def count(integration: Integration, *conditions) -> int:
    return db.session.execute(
        select(func.count(SelectionEntry.id)).where(SelectionEntry.integration_id == integration.id, *conditions)
    ).scalar_one()


def selected_count(integration: Integration) -> int:
    return count(integration, SelectionEntry.selection == Selection.SELECTED)


def offered_count(integration: Integration) -> int:
    return count(integration)


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
