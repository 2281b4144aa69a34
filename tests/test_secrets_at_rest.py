"""Provider credentials at rest: encrypted in every dump, and readable only with the right key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from portal.crypto import EncryptionKeyError
from portal.extensions import db

SECRETS = {
    "access_token": "lia-access-9f8e7d6c5b4a",
    "refresh_token": "lia-refresh-0a1b2c3d4e5f",
    "api_token": "cx-token-11223344556677",
}


def database_dump() -> str:
    """What a backup holds: SQLite's own dump, or every row read raw (no type decoding)."""
    connection = db.engine.raw_connection()
    try:
        if db.engine.dialect.name == "sqlite":
            return "\n".join(connection.driver_connection.iterdump())
    finally:
        connection.close()
    rows = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')):
            rows.append(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)))
    return "\n".join(rows)


@pytest.fixture
def stored_credentials(app, activate) -> dict[str, str]:
    activate("liantis", credentials={k: SECRETS[k] for k in ("access_token", "refresh_token")})
    activate("connexie", credentials={"api_token": SECRETS["api_token"]})
    return SECRETS


def test_a_database_dump_holds_no_provider_token(app, stored_credentials):
    """Defends against a leaked backup or a read-only SQL injection giving provider access."""
    with app.app_context():
        dump = database_dump()
        assert "INSERT INTO" in dump or db.engine.dialect.name != "sqlite"
    for secret in stored_credentials.values():
        assert secret not in dump and secret[:10] not in dump
        assert secret.encode().hex() not in dump


def test_a_wrong_encryption_key_stops_the_app_at_start(app, stored_credentials):
    """Defends against running on with the wrong key, which would look like every integration
    lost its connection (and could overwrite good tokens): the start fails loudly instead."""
    from portal import create_app

    with pytest.raises(EncryptionKeyError, match="not the key they were written with"):
        create_app(
            "test",
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "FLEXSYNC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            },
        )


@pytest.mark.parametrize("key", ["", "not-a-fernet-key"], ids=["missing", "malformed"])
def test_a_missing_or_malformed_key_stops_a_production_start(tmp_path, key):
    """Defends against a production start that silently stores credentials unencrypted or unreadable."""
    from portal import create_app

    with pytest.raises(EncryptionKeyError):
        create_app(
            "production",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}",
                "SECRET_KEY": "x" * 40,
                "FLEXSYNC_ENCRYPTION_KEY": key,
            },
        )
