from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from portal import tenancy
from portal.models import Notification
from portal.notifications import inbox
from portal.runs import summary
from portal.web.access import hr_admin_required

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 25


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
    page = inbox.notifications_page(request.args.get("page", 1, type=int), PAGE_SIZE)
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
    inbox.mark_read(notification)
    return redirect(notification.link or url_for("notifications.index"))


# Called by the layout's menu only: the partials htmx polls every second count nothing.
@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    return inbox.unread_count()
