"""Friendly error pages: what happened and where to go next, never a stack trace."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: (_l("That request could not be understood"), _l("Go back and try again.")),
    403: (_l("You do not have access to this page"), _l("Ask your administrator if you think you should.")),
    404: (_l("Page not found"), _l("The page does not exist, or you do not have access to it.")),
    405: (_l("That action is not possible here"), _l("Go back and use the buttons on the page.")),
    429: (_l("Too many attempts"), _l("Wait a minute, then try again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you entered was lost. Try again in a moment; if it keeps happening, contact support."),
    ),
}


def _render(status: int):
    title, hint = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, hint=hint), status


@bp.app_errorhandler(CSRFError)
def csrf_error(_error: CSRFError):
    title = _l("This form has expired")
    hint = _l("Reload the page and submit it again.")
    return render_template("errors/error.html", status=400, title=title, hint=hint), 400


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _render(error.code or 500)


@bp.app_errorhandler(Exception)
def unexpected_error(error: Exception):
    current_app.logger.error("Unhandled error", exc_info=error)
    db.session.rollback()
    return _render(500)
