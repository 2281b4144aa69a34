"""An HR admin's colleagues: who has access to the company and since when, inviting another
admin, resending or revoking an invitation, removing access, requiring a second factor."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length

from portal import mail
from portal.accounts import admins, companies
from portal.models import Tenant, User
from portal.texts.access import admin_status, audit_action
from portal.web.access import current_tenant, hr_admin_required
from portal.web.forms import Form

bp = Blueprint("colleagues", __name__, url_prefix="/company/admins")
bp.add_app_template_global(admin_status, "admin_status")
bp.add_app_template_global(audit_action, "audit_action")

INVITE_PROBLEMS = {
    "not_an_email": _l("That is not an e-mail address. Check it and try again."),
    "taken": _l("This e-mail address already has a Flexsync login elsewhere. Invite the person with another address."),
    "already_admin": _l("This person is already an admin of the company."),
}
REMOVE_PROBLEMS = {
    "yourself": _l("You cannot remove your own access. Ask another admin of your company."),
    "last_admin": _l("The company needs at least one admin: invite another admin before removing this one."),
}


class InviteAdminForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=200)])


def invite_admin(tenant: Tenant, form: InviteAdminForm) -> bool:
    """Invites the admin the form names and flashes what happened; True when the invitation exists."""
    try:
        user = admins.invite(tenant, form.email.data, form.name.data or "", current_user)
    except admins.CannotInvite as problem:
        form.email.errors = [INVITE_PROBLEMS[problem.reason]]
        return False
    except mail.MailUnavailable:
        current_app.logger.warning("admin invitation not delivered", exc_info=True)
        flash(_l("The invitation is saved but the e-mail could not be sent. Use Resend in a moment."), "error")
        return True
    flash(_l("Invitation sent to %(email)s. The link works for 72 hours.", email=user.email), "success")
    return True


def resend_invitation(tenant: Tenant, user: User) -> None:
    try:
        admins.resend(tenant, user, current_user)
    except mail.MailUnavailable:
        current_app.logger.warning("admin invitation for user %s not delivered", user.id, exc_info=True)
        flash(_l("The e-mail could not be sent. Try again in a moment."), "error")
    else:
        flash(_l("A new invitation was sent to %(email)s; the earlier link no longer works.", email=user.email), "success")


def revoke_invitation(tenant: Tenant, user: User) -> None:
    admins.revoke(tenant, user, current_user)
    flash(_l("The invitation of %(email)s is revoked: its link no longer works.", email=user.email), "info")


def admin_or_404(tenant: Tenant, user_id: int, *, pending: bool = False) -> User:
    """An admin of the company; with `pending`, only one who has not chosen a password yet."""
    user = admins.admin_of(tenant, user_id)
    if user is None or (pending and user.has_password):
        abort(404)
    return user


def _page(form: InviteAdminForm):
    tenant = current_tenant()
    return render_template("colleagues/index.html", tenant=tenant, rows=admins.admins_page(tenant), form=form)


@bp.get("")
@hr_admin_required
def index():
    return _page(InviteAdminForm())


@bp.post("/invite")
@hr_admin_required
def invite():
    form = InviteAdminForm()
    if form.validate_on_submit() and invite_admin(current_tenant(), form):
        return redirect(url_for("colleagues.index"))
    return _page(form), 422


@bp.post("/<int:user_id>/resend")
@hr_admin_required
def resend(user_id: int):
    resend_invitation(current_tenant(), admin_or_404(current_tenant(), user_id, pending=True))
    return redirect(url_for("colleagues.index"))


@bp.post("/<int:user_id>/revoke")
@hr_admin_required
def revoke(user_id: int):
    revoke_invitation(current_tenant(), admin_or_404(current_tenant(), user_id, pending=True))
    return redirect(url_for("colleagues.index"))


@bp.post("/<int:user_id>/remove")
@hr_admin_required
def remove(user_id: int):
    user = admin_or_404(current_tenant(), user_id)
    try:
        admins.remove(current_tenant(), user, current_user)
    except admins.CannotRemove as problem:
        flash(REMOVE_PROBLEMS[problem.reason], "error")
    else:
        flash(_l("%(email)s no longer has access; their sessions have ended.", email=user.email), "success")
    return redirect(url_for("colleagues.index"))


@bp.post("/two-factor")
@hr_admin_required
def two_factor_requirement():
    required = request.form.get("required") == "1"
    companies.require_two_factor(current_tenant(), required, current_user)
    if required:
        flash(_l("Every admin of the company now signs in with a second factor."), "success")
    else:
        flash(_l("Two-factor sign-in is now each admin's own choice."), "info")
    return redirect(url_for("colleagues.index"))
