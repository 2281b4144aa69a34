"""Your own login: choosing a password with a link, forgetting it, changing it, and your second factor."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.accounts import links, passwords, two_factor
from portal.web.forms import Form
from portal.web.invitations import SetPasswordForm

bp = Blueprint("accounts", __name__, url_prefix="/account")


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])

    def validate_current(self, field: PasswordField) -> None:
        if not current_user.check_password(field.data or ""):
            raise ValidationError(_l("That is not your current password."))


@bp.get("")
@login_required
def index():
    return render_template(
        "accounts/index.html",
        required=two_factor.is_required(current_user),
        codes_left=two_factor.recovery_codes_left(current_user) if current_user.has_two_factor else 0,
    )


@bp.route("/password/<int:user_id>/<token>", methods=["GET", "POST"])
def set_password(user_id: int, token: str):
    link = links.open_link(user_id, token)
    if link is None:
        # Expired, used, replaced, altered or made for another user: one answer, nothing changed.
        return render_template("accounts/link_refused.html"), 404
    if current_user.is_authenticated and current_user.id != link.user_id:
        return render_template("accounts/link_for_someone_else.html"), 403
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = passwords.set_with_link(link, form.password.data)
        logout_user()
        flash(_l("Your password is set. Log in with %(email)s and your new password.", email=user.email), "success")
        return redirect(url_for("auth.login"))
    return render_template("accounts/set_password.html", form=form, link=link, user=link.user)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.request_reset(form.email.data, request.remote_addr)
        except passwords.TooManyResets:
            title = _l("Too many attempts")
            hint = _l("Too many reset requests for this e-mail address. Wait 15 minutes, then try again.")
            return render_template("errors/error.html", status=429, title=title, hint=hint), 429
        return render_template("accounts/reset_sent.html", email=form.email.data.strip())
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/change-password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        passwords.change(current_user, form.password.data)
        # The new session version ends every other session; this one carries on.
        login_user(current_user._get_current_object())
        flash(_l("Password changed. Your other sessions have ended."), "success")
        return redirect(url_for("accounts.index"))
    return render_template("accounts/change_password.html", form=form)
