"""The steps of a log-in after the password: a second factor, or setting one up first.

Between the password and the code the session holds only who is signing in (for a few
minutes), never a login: every page but the next step still asks to log in.
"""

from __future__ import annotations

import time

from flask import redirect, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from portal.accounts.two_factor import SignInStep, step_after_password
from portal.models import User
from portal.security import load_user

PENDING = "pending_sign_in"
PENDING_FOR_SECONDS = 10 * 60


def safe_next(target: str | None) -> str | None:
    # Only local paths: an absolute URL here would make the login an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def after_password(user: User, next_url: str | None) -> Response:
    step = step_after_password(user)
    if step is SignInStep.DONE:
        return redirect(complete(user, next_url))
    session[PENDING] = {"login_id": user.get_id(), "next": safe_next(next_url), "at": time.time()}
    return redirect(url_for("two_factor.code" if step is SignInStep.CODE else "two_factor.setup"))


def pending_user() -> User | None:
    """Who passed the password step of this session's log-in, a few minutes ago at most."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_FOR_SECONDS:
        return None
    return load_user(str(pending.get("login_id", "")))


def complete(user: User, next_url: str | None = None) -> str:
    """Logs the user in; returns where they go next."""
    pending = session.pop(PENDING, None) or {}
    login_user(user)
    return safe_next(next_url) or pending.get("next") or url_for("dashboard.index")
