"""The background work as RQ sees it: jobs waiting and running, workers alive or lost,
jobs that failed lately. Read from Redis' registries; raises `RedisError` when Redis is down."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.rate_limit import RateLimitRegistry
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.worker.base import BaseWorker

from portal.queue import DEFAULT_QUEUE, SYNC_QUEUE

QUEUES = (SYNC_QUEUE, DEFAULT_QUEUE)
FAILED_WITHIN = timedelta(hours=24)


class WorkerState(enum.StrEnum):
    WORKING = "working"
    WAITING = "waiting"
    SUSPENDED = "suspended"
    # Not heard of for longer than the fleet page allows: killed, or its machine is gone.
    LOST = "lost"


@dataclass(frozen=True)
class QueueLoad:
    name: str
    queued: int
    running: int


@dataclass(frozen=True)
class WorkerSeen:
    name: str
    hostname: str | None
    pid: int | None
    state: WorkerState
    last_heartbeat: datetime | None


@dataclass(frozen=True)
class Workers:
    queues: list[QueueLoad]
    # Jobs kept out of their queue until the provider has a free slot (Liantis: two at once).
    held_back: int
    workers: list[WorkerSeen]
    failed_last_day: int

    @property
    def alive(self) -> int:
        return sum(1 for worker in self.workers if worker.state is not WorkerState.LOST)

    @property
    def lost(self) -> int:
        return len(self.workers) - self.alive


def workers_and_queues(connection: Redis, now: datetime, lost_after: timedelta) -> Workers:
    """`now` is naive UTC, as the rows' times are."""
    queues = [Queue(name, connection=connection) for name in QUEUES]
    return Workers(
        queues=[QueueLoad(q.name, q.count, StartedJobRegistry(queue=q).get_job_count(cleanup=False)) for q in queues],
        held_back=sum(limit.get_rate_limited_job_count() for limit in RateLimitRegistry.all(connection)),
        workers=sorted(
            (_seen(worker, now, lost_after) for worker in Worker.all(connection=connection)),
            key=lambda seen: (seen.state is not WorkerState.LOST, seen.name),
        ),
        failed_last_day=sum(_failed_since(q, now - FAILED_WITHIN) for q in queues),
    )


def _seen(worker: BaseWorker, now: datetime, lost_after: timedelta) -> WorkerSeen:
    heartbeat = worker.last_heartbeat.astimezone(UTC).replace(tzinfo=None) if worker.last_heartbeat else None
    if heartbeat is None or now - heartbeat > lost_after:
        state = WorkerState.LOST
    else:
        state = {"busy": WorkerState.WORKING, "suspended": WorkerState.SUSPENDED}.get(worker.get_state(), WorkerState.WAITING)
    return WorkerSeen(worker.name, worker.hostname, worker.pid, state, heartbeat)


def _failed_since(queue: Queue, since: datetime) -> int:
    """A failed job stays in the registry as long as its failure TTL (a week for syncs): read when each one ended."""
    job_ids = FailedJobRegistry(queue=queue).get_job_ids(cleanup=False)
    pipeline = queue.connection.pipeline()
    for job_id in job_ids:
        pipeline.hget(Job.key_for(job_id), "ended_at")
    cutoff = since.strftime("%Y-%m-%dT%H:%M:%S")
    # RQ writes times as ISO 8601 in UTC, so they compare as text.
    return sum(1 for ended in pipeline.execute() if ended and ended.decode()[:19] >= cutoff)
