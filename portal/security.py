"""Start-up refusals, session scoping and the response headers every page gets."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from portal import tenancy
from portal.config import DEMO_SECRET_KEY
from portal.extensions import db, login_manager
from portal.models import User


class UnsafeConfiguration(RuntimeError):
    pass


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def refuse_unsafe_production(app: Flask) -> None:
    """A production start with a default secret or demo users would be an open door."""
    if app.config["DEMO"]:
        return
    if not app.config["SECRET_KEY"] or app.config["SECRET_KEY"] == DEMO_SECRET_KEY:
        raise UnsafeConfiguration("Set SECRET_KEY to a long random value before starting Flexsync in production.")
    with app.app_context():
        if inspect(db.engine).has_table(User.__tablename__):
            demo_user = db.session.execute(select(User.email).where(User.is_demo.is_(True)).limit(1)).scalar()
            if demo_user:
                raise UnsafeConfiguration(f"Demo user {demo_user} exists: remove the demo users before running in production.")


def check_encryption_key(app: Flask) -> None:
    """Fail at start, not at the first sync, when the key cannot read stored credentials."""
    from portal.config import demo_encryption_key
    from portal.crypto import fernet_for
    from portal.models import Integration

    if not app.config["FLEXSYNC_ENCRYPTION_KEY"] and app.config["DEMO"]:
        app.config["FLEXSYNC_ENCRYPTION_KEY"] = demo_encryption_key()
    fernet_for(app.config["FLEXSYNC_ENCRYPTION_KEY"])
    with app.app_context():
        if inspect(db.engine).has_table(Integration.__tablename__):
            # Loading one stored credential decrypts it: a wrong key raises here.
            db.session.execute(select(Integration.credentials).where(Integration.credentials.is_not(None)).limit(1)).scalar()
            db.session.remove()


def load_user(login_id: str) -> User | None:
    """The session's user, while the session is still theirs: a new password or removed
    access raises `session_version` (see `User.get_id`), and a deactivated user or company
    has no session at all."""
    user_id, _, version = login_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.tenant)])
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def init_app(app: Flask) -> None:
    refuse_unsafe_production(app)
    check_encryption_key(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    login_manager.user_loader(load_user)

    @app.before_request
    def act_for_the_users_tenant() -> None:
        from flask import g

        tenant_id = current_user.tenant_id if current_user.is_authenticated else None
        g.tenant_token = tenancy.enter(tenant_id)

    @app.teardown_request
    def stop_acting(_exc: BaseException | None) -> None:
        from flask import g

        token = g.pop("tenant_token", None)
        if token is not None:
            tenancy.leave(token)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
