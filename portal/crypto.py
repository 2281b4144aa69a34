"""Provider credentials encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from FLEXSYNC_ENCRYPTION_KEY. A missing or malformed key, or one that
cannot read what is already stored, stops the app at start: running on with the wrong
key would look like every integration had lost its connection.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator


class EncryptionKeyError(RuntimeError):
    pass


def fernet_for(key: str) -> Fernet:
    if not key:
        raise EncryptionKeyError(
            "FLEXSYNC_ENCRYPTION_KEY is not set. Generate one with: "
            'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        )
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError):
        raise EncryptionKeyError("FLEXSYNC_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes).") from None


def _fernet() -> Fernet:
    fernet = current_app.extensions.get("flexsync_fernet")
    if fernet is None:
        fernet = current_app.extensions["flexsync_fernet"] = fernet_for(current_app.config["FLEXSYNC_ENCRYPTION_KEY"])
    return fernet


def encrypt(data: dict[str, Any]) -> bytes:
    return _fernet().encrypt(json.dumps(data, sort_keys=True).encode())


def decrypt(token: bytes) -> dict[str, Any]:
    try:
        return json.loads(_fernet().decrypt(token))
    except InvalidToken:
        raise EncryptionKeyError(
            "Stored provider credentials cannot be decrypted: FLEXSYNC_ENCRYPTION_KEY is not the key they were written with."
        ) from None


class EncryptedJSON(TypeDecorator):
    """A dict stored as one Fernet token: a database dump shows no token or secret."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: dict | None, dialect) -> bytes | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: bytes | None, dialect) -> dict | None:
        return None if value is None else decrypt(bytes(value))
