"""One token refresh at a time per integration, across every worker and web process.

A Redis lock (the queue's Redis, which every process already reaches) serialises the
refresh; inside it the stored tokens are read again, so a job that waited uses the
tokens another job just got instead of refreshing with a refresh token that is dead.
The new tokens are committed before the lock is let go.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from redis import Redis
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Integration
from portal.providers.base import Credentials, ProviderUnavailable

# A refresh is one HTTP request with retries; longer than this and the holder is gone.
LOCK_TIMEOUT_S = 120
# How long a job waits for another one's refresh before giving up (the run is retried).
WAIT_S = 150


class IntegrationTokenGuard:
    def __init__(self, integration_id: int, connection: Redis) -> None:
        self.integration_id = integration_id
        self.connection = connection

    @contextmanager
    def refreshing(self) -> Iterator[Credentials]:
        lock = self.connection.lock(
            f"flexsync:token-refresh:{self.integration_id}", timeout=LOCK_TIMEOUT_S, blocking_timeout=WAIT_S
        )
        if not lock.acquire():
            raise ProviderUnavailable("another job kept the provider token refresh for too long")
        try:
            yield Credentials(**_tokens(self._stored()))
        finally:
            lock.release()

    def save(self, credentials: Credentials) -> None:
        table = Integration.__table__
        # Its own connection and transaction: committed now, whatever the caller's session holds.
        with db.engine.begin() as connection:
            stored = connection.execute(select(table.c.credentials).where(table.c.id == self.integration_id)).scalar_one()
            tokens = {
                "access_token": credentials.access_token,
                "refresh_token": credentials.refresh_token,
                "expires_at": credentials.expires_at,
            }
            connection.execute(
                update(table).where(table.c.id == self.integration_id).values(credentials={**(stored or {}), **tokens})
            )

    def _stored(self) -> dict[str, Any]:
        table = Integration.__table__
        with db.engine.connect() as connection:
            return connection.execute(select(table.c.credentials).where(table.c.id == self.integration_id)).scalar_one() or {}


def _tokens(stored: dict[str, Any]) -> dict[str, Any]:
    return {key: stored.get(key) for key in ("access_token", "refresh_token", "expires_at")}
