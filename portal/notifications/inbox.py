"""The admin's notifications: the newest first, the unread ones counted, one marked read."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Notification, SyncRun
from portal.pagination import BoundedPagination, paginate_growing


def unread_count() -> int:
    return db.session.execute(select(func.count(Notification.id)).where(Notification.read_at.is_(None))).scalar_one()


def notifications_page(page: int, per_page: int) -> BoundedPagination:
    return paginate_growing(
        select(Notification)
        .options(selectinload(Notification.sync_run).selectinload(SyncRun.integration))
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page,
        per_page,
    )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = datetime.now(UTC).replace(tzinfo=None)
        db.session.commit()
