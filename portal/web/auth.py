from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from portal.accounts import login_limit, users
from portal.i18n import SESSION_KEY
from portal.web import sign_in
from portal.web.forms import Form

bp = Blueprint("auth", __name__)


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        now = datetime.utcnow()
        key = login_limit.attempt_key(form.email.data, request.remote_addr)
        # Checked before the password, so even the right one is refused while blocked.
        if login_limit.is_blocked(key, now):
            return _too_many_attempts()
        user = users.user_with_email(form.email.data)
        if user is not None and user.check_password(form.password.data):
            login_limit.clear_failures(key)
            if not user.is_active:
                return _no_access()
            return sign_in.after_password(user, request.args.get("next"))
        login_limit.record_failure(key, now)
        flash(_l("That e-mail and password do not match. Check both and try again."), "error")
    return render_template("auth/login.html", form=form)


def _no_access():
    # Only after the right password: nobody learns from this page that an address has a login.
    title = _l("Your access has ended")
    hint = _l("Your company's HR admin (or customer success, for a whole company) removed it. Ask them if you need it back.")
    return render_template("errors/error.html", status=403, title=title, hint=hint), 403


def _too_many_attempts():
    title = _l("Too many attempts")
    hint = _l("Too many failed log-ins for this e-mail address. Wait 15 minutes, then try again.")
    return render_template("errors/error.html", status=429, title=title, hint=hint), 429


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_l("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def switch_language():
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = language
        if current_user.is_authenticated:
            users.save_language(current_user, language)
    return redirect(sign_in.safe_next(request.form.get("next")) or url_for("dashboard.index"))
