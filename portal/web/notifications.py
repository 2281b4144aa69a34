from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import tenancy
from portal.runs import summary
from portal.extensions import db
from portal.models import Notification, SyncRun
from portal.web.access import hr_admin_required
from portal.web.pagination import paginate_growing

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 25


def unread_count() -> int:
    return db.session.execute(select(func.count(Notification.id)).where(Notification.read_at.is_(None))).scalar_one()


def shown_title(notification: Notification) -> str:
    """In the reader's language: sync summaries are rendered from their run."""
    if notification.sync_run is not None:
        return summary.title(notification.sync_run)
    return notification.title


def shown_body(notification: Notification) -> str:
    if notification.sync_run is not None:
        return summary.body(summary.summarise(notification.sync_run))
    return notification.body


@bp.get("")
@hr_admin_required
def index():
    page = paginate_growing(
        select(Notification)
        .options(selectinload(Notification.sync_run).selectinload(SyncRun.integration))
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        request.args.get("page", 1, type=int),
        PAGE_SIZE,
    )
    return render_template("notifications/index.html", page=page, shown_title=shown_title)


@bp.get("/<int:notification_id>")
@hr_admin_required
def show(notification_id: int):
    notification = tenancy.get_or_404(Notification, notification_id)
    return render_template(
        "notifications/show.html",
        notification=notification,
        title=shown_title(notification),
        body=shown_body(notification),
    )


@bp.post("/<int:notification_id>/read")
@hr_admin_required
def mark_read(notification_id: int):
    notification = tenancy.get_or_404(Notification, notification_id)
    if notification.read_at is None:
        notification.read_at = datetime.now(UTC).replace(tzinfo=None)
        db.session.commit()
    return redirect(notification.link or url_for("notifications.index"))


# Called by the layout's menu only: the partials htmx polls every second count nothing.
@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    return unread_count()
