"""The employee's side of an invitation: open the link, choose a password."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from portal import tenancy
from portal.employees import invitations
from portal.web.forms import Form

bp = Blueprint("invitations", __name__, url_prefix="/invitations")

MIN_PASSWORD_LENGTH = 10


class SetPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_l("Choose at least %(min)d characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )


@bp.route("/<token>", methods=["GET", "POST"])
def accept(token: str):
    invitation = invitations.open_invitation(token)
    if invitation is None:
        # Used, replaced by a resend, expired or never issued: the answer is the same.
        return render_template("invitations/accept.html", invitation=None), 404
    with tenancy.acting_for(invitation.tenant_id):
        employee = invitations.invited_employee(invitation)
        form = SetPasswordForm()
        if form.validate_on_submit():
            invitations.accept(invitation, form.password.data)
            return render_template("invitations/accepted.html", employee=employee)
        return render_template("invitations/accept.html", invitation=invitation, employee=employee, form=form)
