"""Whether this process can do its work: the database and Redis answer, quickly.

A load balancer asks every few seconds and gives up after a few: both checks run side
by side and together take at most `CHECK_TIMEOUT_S`. A check that hangs (a database
behind a dropped network route never refuses, it just does not answer) is reported as
failed and not started again until it returns, so hung probes cannot pile up threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 2.0


def database_answers(engine: Engine) -> Callable[[], object]:
    def check() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    return check


def redis_answers(connection: Redis) -> Callable[[], object]:
    return connection.ping


def probe_redis(url: str) -> Redis:
    """A connection of its own, with timeouts a probe can afford (the queue's allow 5 s)."""
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


class Readiness:
    """Runs named checks in parallel within the time a load balancer waits."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")
        self._running: dict[str, Future[object]] = {}
        self._lock = threading.Lock()

    def check(self, checks: dict[str, Callable[[], object]]) -> dict[str, bool]:
        """Each check's name → whether it answered in time."""
        futures = {name: self._start(name, run) for name, run in checks.items()}
        wait(futures.values(), timeout=CHECK_TIMEOUT_S)
        return {name: self._passed(name, future) for name, future in futures.items()}

    def _start(self, name: str, run: Callable[[], object]) -> Future[object]:
        with self._lock:
            running = self._running.get(name)
            if running is None or running.done():
                running = self._running[name] = self._executor.submit(run)
            return running

    @staticmethod
    def _passed(name: str, future: Future[object]) -> bool:
        if not future.done():
            log.warning("readiness: %s did not answer within %.0f s", name, CHECK_TIMEOUT_S)
            return False
        if (error := future.exception()) is not None:
            log.warning("readiness: %s unavailable (%s)", name, type(error).__name__)
            return False
        return True
