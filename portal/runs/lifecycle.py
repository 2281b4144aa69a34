"""One lifecycle for background work kept as a row: a sync run, an export of hours.

Start the work or join the one already open, hand it to a worker through RQ, close it
when it ends, when its last attempt crashed, or when nobody carries it out any more.
The row, not Redis, is what pages read: a job that vanished still ends as an error the
admin can see, never as work 'running' forever.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from redis.exceptions import RedisError
from rq import Callback, Retry
from rq.job import Job, JobStatus
from rq.rate_limit import RateLimit
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jobs.settings import JobSettings
from portal import tenancy
from portal.extensions import db
from portal.queue import SYNC_QUEUE, queue

# A job just enqueued may not be readable yet: no verdict on it before this.
GRACE = timedelta(seconds=30)
GONE = (None, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


class ErrorCode(enum.StrEnum):
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    RECONNECT_NEEDED = "reconnect_needed"
    INCOMPLETE_FETCH = "incomplete_fetch"
    WORKER_LOST = "worker_lost"
    INTERNAL = "internal"


class ServiceUnavailable(Exception):
    """Redis cannot take the job: nothing was started, the admin is asked to try again."""


class Work(Protocol):
    id: int
    tenant_id: int
    finished_at: datetime | None
    error_code: str | None
    error_detail: str | None

    @property
    def is_running(self) -> bool: ...

    @property
    def last_heard_of(self) -> datetime: ...


W = TypeVar("W", bound=Work)


def utcnow() -> datetime:
    return datetime.utcnow()


@dataclass(frozen=True)
class Lifecycle(Generic[W]):
    """How one kind of work is started, found open and closed."""

    model: type[W]
    job: JobSettings
    # The row's status column and the states in which someone still owes the work.
    status: str
    open_states: tuple[enum.Enum, ...]
    error_state: enum.Enum
    # A running row silent this long lost its worker, whatever Redis says.
    silence_allowed: timedelta
    lost_detail: str
    # Told of every row that ends, however it ends (finished, crashed, lost): one place for
    # what must follow each end.
    on_finish: Callable[[W], None] | None = None

    def start_or_join(self, open_row: Callable[[], W | None], new: W, describe: str, rate_limit: RateLimit | None = None) -> W:
        """The open row, unless it is stale; else `new`, committed and enqueued."""
        with tenancy.acting_for(new.tenant_id):
            if (running := open_row()) is not None:
                if not self.is_stale(running):
                    return running
                self.close_as_lost(running)
            db.session.add(new)
            try:
                db.session.commit()
            except IntegrityError:
                # Someone else opened one a moment ago: join theirs (a partial unique index).
                db.session.rollback()
                if (joined := open_row()) is None:
                    raise
                return joined
            try:
                queue(SYNC_QUEUE).enqueue(
                    self.job.function,
                    new.id,
                    job_id=self.job.job_id(new.id),
                    job_timeout=self.job.timeout_s,
                    retry=Retry(max=self.job.retries),
                    on_failure=Callback(self.job.on_failure),
                    rate_limit=rate_limit,
                    result_ttl=self.job.result_ttl_s,
                    failure_ttl=self.job.failure_ttl_s,
                    description=describe,
                )
            except RedisError as error:
                db.session.delete(new)
                db.session.commit()
                raise ServiceUnavailable(str(error)) from error
            return new

    def is_stale(self, row: W) -> bool:
        """Nobody carries this work out any more: its worker went silent, or its job is gone."""
        silent_for = utcnow() - row.last_heard_of
        if row.is_running and silent_for > self.silence_allowed:
            return True
        if silent_for < GRACE:
            return False
        try:
            job = Job.fetch(self.job.job_id(row.id), connection=queue().connection)
        except RedisError:
            return False
        except Exception:  # noqa: BLE001 - a missing or unreadable job means nobody runs it
            return True
        return job.get_status(refresh=False) in GONE

    def finish(self, row: W, status: enum.Enum, error_code: ErrorCode | None = None, detail: str | None = None) -> None:
        setattr(row, self.status, status)
        row.finished_at = utcnow()
        row.error_code = error_code
        row.error_detail = detail
        if self.on_finish is not None:
            self.on_finish(row)

    def close_as_lost(self, row: W) -> None:
        self.finish(row, self.error_state, ErrorCode.WORKER_LOST, self.lost_detail)
        db.session.commit()

    def close_after_crash(self, row_id: int, detail: str) -> None:
        """The last attempt crashed: close the row now rather than wait for the stale sweep."""
        for row in self._open_rows(self.model.id == row_id):
            with tenancy.acting_for(row.tenant_id):
                self.finish(row, self.error_state, ErrorCode.INTERNAL, detail)
                db.session.commit()

    def close_stale(self) -> int:
        """Rows nobody carries out any more are closed as errors; how many were."""
        closed = 0
        for row in self._open_rows():
            if self.is_stale(row):
                with tenancy.acting_for(row.tenant_id):
                    self.close_as_lost(row)
                closed += 1
        return closed

    def _open_rows(self, *where: object) -> Iterable[W]:
        status = getattr(self.model, self.status)
        return list(db.session.execute(select(self.model).where(status.in_(self.open_states), *where)).scalars())
