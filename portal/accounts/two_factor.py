"""Two-factor sign-in: a TOTP authenticator app, with one-time recovery codes.

Customer success always sign in with a second factor; HR admins when they chose to, or
when their company requires it for all its admins. A code is accepted once (the time step
it belongs to is remembered), recovery codes are stored as hashes and work once each.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import time
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, select

from portal.accounts import audit, login_limit
from portal.extensions import db
from portal.models import AuditAction, RecoveryCode, User

ISSUER = "Flexsync"
RECOVERY_CODES = 10
# 16 base32 characters, 80 bits: a stolen hash list cannot be brute-forced back to codes.
RECOVERY_CODE_GROUPS = 4


class CodeCheck(enum.StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    # Too many wrong codes for this user lately (the log-in limit): wait.
    BLOCKED = "blocked"


class SignInStep(enum.StrEnum):
    DONE = "done"
    # The user has a second factor: ask for a code.
    CODE = "code"
    # A second factor is required and not set up yet: set it up before going in.
    ENROL = "enrol"


def is_required(user: User) -> bool:
    # Demo logins keep `make run`'s one-password tour; production refuses demo logins at start.
    if user.is_demo:
        return False
    return user.is_customer_success or bool(user.tenant and user.tenant.two_factor_required)


def step_after_password(user: User) -> SignInStep:
    if user.has_two_factor:
        return SignInStep.CODE
    return SignInStep.ENROL if is_required(user) else SignInStep.DONE


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code(user: User, secret: str) -> str:
    """The authenticator app's QR code as an SVG data URI: drawn here, no script, no other server."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _accepted_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step whose code this is (the one before and after count too, for clocks a
    little off), if that step is newer than the last code accepted."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time() // totp.interval)
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalised_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODES):
        groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(RECOVERY_CODE_GROUPS)]
        codes.append("-".join(groups))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(_normalised_recovery_code(codes[-1]))))
    return codes


def enrol(user: User, secret: str, code: str) -> list[str] | None:
    """Turns two-factor sign-in on when the code proves the app has the secret; returns the
    recovery codes to show once, or None when the code is wrong."""
    step = _accepted_step(secret, code, None)
    if step is None:
        return None
    user.totp = {"secret": secret}
    user.totp_enabled_at = datetime.utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    audit.record(AuditAction.TWO_FACTOR_ENROLLED, user, user.email, user.tenant_id)
    db.session.commit()
    return codes


def check_code(user: User, code: str) -> bool:
    """An authenticator code, or else one of the recovery codes (used up)."""
    secret = (user.totp or {}).get("secret")
    if secret and (step := _accepted_step(secret, code, user.totp_last_step)) is not None:
        user.totp_last_step = step
        db.session.commit()
        return True
    recovery = db.session.execute(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(_normalised_recovery_code(code)),
            RecoveryCode.used_at.is_(None),
        )
    ).scalar_one_or_none()
    if recovery is None:
        return False
    recovery.used_at = datetime.utcnow()
    audit.record(AuditAction.RECOVERY_CODE_USED, user, user.email, user.tenant_id)
    db.session.commit()
    return True


def check_sign_in_code(user: User, code: str) -> CodeCheck:
    """The second step of a log-in, limited like passwords: per user, since the password is known."""
    key, now = f"code {user.id}", datetime.utcnow()
    if login_limit.is_blocked(key, now):
        return CodeCheck.BLOCKED
    if check_code(user, code):
        login_limit.clear_failures(key)
        return CodeCheck.ACCEPTED
    login_limit.record_failure(key, now)
    return CodeCheck.WRONG


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.execute(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all()
    )


def renew_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.record(AuditAction.RECOVERY_CODES_RENEWED, user, user.email, user.tenant_id)
    db.session.commit()
    return codes


class StillRequired(Exception):
    """Customer success, and admins of a company that requires it, keep their second factor."""


def disable(user: User) -> None:
    if is_required(user):
        raise StillRequired(user.id)
    user.totp = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(AuditAction.TWO_FACTOR_DISABLED, user, user.email, user.tenant_id)
    db.session.commit()
