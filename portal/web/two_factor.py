"""Two-factor sign-in: the code after the password, setting up an authenticator app, recovery codes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.accounts import two_factor
from portal.accounts.two_factor import CodeCheck
from portal.web import sign_in
from portal.web.forms import Form

bp = Blueprint("two_factor", __name__, url_prefix="/two-factor")

# The secret being set up lives in the (signed) session until a code proves the app has it:
# opening the set-up page writes nothing to the database.
SETUP_SECRET = "two_factor_setup_secret"
# What a logged-in user who must set up a second factor may still open.
OPEN_WHILE_SETTING_UP = {"two_factor.setup", "auth.logout", "auth.switch_language", "static", "health.healthz"}


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])


@bp.before_app_request
def set_up_a_required_second_factor_first():
    """A company that turns the requirement on reaches admins who are already logged in."""
    if not current_user.is_authenticated or request.endpoint in OPEN_WHILE_SETTING_UP:
        return None
    if current_user.has_two_factor or not two_factor.is_required(current_user):
        return None
    return redirect(url_for("two_factor.setup"))


@bp.route("/code", methods=["GET", "POST"])
def code():
    user = sign_in.pending_user()
    if user is None or not user.has_two_factor:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        result = two_factor.check_sign_in_code(user, form.code.data)
        if result is CodeCheck.ACCEPTED:
            return redirect(sign_in.complete(user))
        if result is CodeCheck.BLOCKED:
            title, hint = _l("Too many attempts"), _l("Too many wrong codes. Wait 15 minutes, then log in again.")
            return render_template("errors/error.html", status=429, title=title, hint=hint), 429
        flash(_l("That code is not right. Type the 6 digits your app shows now, or one of your recovery codes."), "error")
    return render_template("two_factor/code.html", form=form)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    user = current_user if current_user.is_authenticated else sign_in.pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.has_two_factor:
        return redirect(url_for("accounts.index"))
    secret = session.setdefault(SETUP_SECRET, two_factor.new_secret())
    form = CodeForm()
    if form.validate_on_submit():
        codes = two_factor.enrol(user, secret, form.code.data)
        if codes is not None:
            session.pop(SETUP_SECRET, None)
            next_url = url_for("accounts.index") if current_user.is_authenticated else sign_in.complete(user)
            return render_template("two_factor/recovery_codes.html", codes=codes, next_url=next_url, first_time=True)
        form.code.errors.append(_l("That code is not right. Check that the app shows Flexsync, then type the code it shows now."))
    return render_template(
        "two_factor/setup.html",
        form=form,
        secret=secret,
        qr_code=two_factor.qr_code(user, secret),
        required=two_factor.is_required(user),
    )


@bp.post("/recovery-codes")
@login_required
def renew_recovery_codes():
    if not current_user.has_two_factor:
        return redirect(url_for("accounts.index"))
    codes = two_factor.renew_recovery_codes(current_user)
    return render_template("two_factor/recovery_codes.html", codes=codes, next_url=url_for("accounts.index"), first_time=False)


@bp.post("/disable")
@login_required
def disable():
    try:
        two_factor.disable(current_user)
    except two_factor.StillRequired:
        flash(_l("Two-factor sign-in is required for your account: it stays on."), "error")
    else:
        flash(_l("Two-factor sign-in is off. You log in with your password only."), "info")
    return redirect(url_for("accounts.index"))
