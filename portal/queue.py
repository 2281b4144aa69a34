"""The job queues on Redis, as the web app and the schedulers see them."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue

SYNC_QUEUE = "sync"
DEFAULT_QUEUE = "default"


def redis_connection() -> Redis:
    connection = current_app.extensions.get("flexsync_redis")
    if connection is None:
        # Short timeouts: with Redis down a page must answer "try again", not hang.
        connection = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
        )
        current_app.extensions["flexsync_redis"] = connection
    return connection


def queue(name: str = SYNC_QUEUE) -> Queue:
    return Queue(name, connection=redis_connection())
