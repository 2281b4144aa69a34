"""Previews as background work: started as an RQ job, their progress and result kept in Redis.

Not in the database: a preview writes nothing there. One preview per integration is
kept, for an hour; starting another replaces it, and the job of the one replaced stops
at its next page. The job writes only while the preview it was started for is still the
one kept (one Lua script checks and writes, so a replaced job never overwrites).
"""

from __future__ import annotations

import enum
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from rq.job import Job
from sqlalchemy import select

from jobs.settings import PREVIEW
from portal import tenancy
from portal.extensions import db
from portal.integrations import connectors
from portal.models import Integration
from portal.providers.base import ProviderUnavailable, ReconnectNeeded
from portal.queue import SYNC_QUEUE, queue, redis_connection
from portal.runs.lifecycle import GONE, ErrorCode, ServiceUnavailable, utcnow
from portal.runs.preview import preview_next_sync
from portal.sync.preview import Preview
from portal.sync.removals import IncompleteFetch

log = logging.getLogger(__name__)

# Long enough to read a preview, start the sync, come back to it; short enough not to
# show one made under settings long gone.
KEPT_S = 3600

# Writes the fields only while the preview kept is still the job's own (same token).
_WRITE_IF_OWN = """
if redis.call('hget', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 3))
redis.call('expire', KEYS[1], ARGV[2])
return 1
"""


class PreviewState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"


@dataclass(frozen=True)
class PreviewStatus:
    state: PreviewState
    queued_at: datetime
    fetched: int = 0
    total: int | None = None
    error_code: ErrorCode | None = None
    result: Preview | None = None

    @property
    def is_open(self) -> bool:
        return self.state in (PreviewState.QUEUED, PreviewState.RUNNING)


class Superseded(Exception):
    """Another preview of the integration was started, or this one discarded: stop."""


def _key(integration_id: int) -> str:
    return f"flexsync:preview:{integration_id}"


def start(integration: Integration) -> None:
    """Start a preview of the integration's next sync, replacing the one kept."""
    token = secrets.token_hex(8)
    job_id = f"{PREVIEW.id_prefix}-{integration.id}-{token}"
    key = _key(integration.id)
    try:
        with redis_connection().pipeline() as pipe:
            pipe.delete(key)
            pipe.hset(
                key, mapping={"token": token, "job_id": job_id, "state": PreviewState.QUEUED, "queued_at": utcnow().isoformat()}
            )
            pipe.expire(key, KEPT_S)
            pipe.execute()
        queue(SYNC_QUEUE).enqueue(
            PREVIEW.function,
            integration.id,
            token,
            job_id=job_id,
            job_timeout=PREVIEW.timeout_s,
            result_ttl=PREVIEW.result_ttl_s,
            failure_ttl=PREVIEW.failure_ttl_s,
            # The admin waits for it: before the syncs already queued.
            at_front=True,
            description=f"Preview {integration.provider.value} of tenant {integration.tenant_id}",
        )
    except RedisError as error:
        raise ServiceUnavailable(str(error)) from error


def read(integration: Integration) -> PreviewStatus | None:
    """The preview kept for the integration, if any; `ServiceUnavailable` without Redis."""
    try:
        stored: dict[bytes, bytes] = redis_connection().hgetall(_key(integration.id))  # type: ignore[assignment]
        values = {k.decode(): v.decode() for k, v in stored.items()}
        if not values:
            return None
        status = _status(values)
        if status.is_open and _job_gone(values["job_id"]):
            return replace(status, state=PreviewState.ERROR, error_code=ErrorCode.WORKER_LOST)
        return status
    except RedisError as error:
        raise ServiceUnavailable(str(error)) from error


def discard(integration: Integration) -> None:
    """The settings changed, or the sync started: the preview kept says nothing true any more."""
    try:
        redis_connection().delete(_key(integration.id))
    except RedisError:
        # Without Redis there is no preview to show either.
        log.warning("preview of integration %s not discarded: Redis unavailable", integration.id)


def _status(values: dict[str, str]) -> PreviewStatus:
    return PreviewStatus(
        state=PreviewState(values["state"]),
        queued_at=datetime.fromisoformat(values["queued_at"]),
        fetched=int(values.get("fetched", 0)),
        total=int(values["total"]) if values.get("total") else None,
        error_code=ErrorCode(values["error"]) if values.get("error") else None,
        result=Preview.from_json(json.loads(values["result"])) if "result" in values else None,
    )


def _job_gone(job_id: str) -> bool:
    """Nobody will finish this preview: its job failed, was stopped, or is gone."""
    try:
        job = Job.fetch(job_id, connection=redis_connection())
    except RedisError:
        raise
    except Exception:  # noqa: BLE001 - a missing or unreadable job means nobody runs it
        return True
    return job.get_status(refresh=False) in GONE


class _Reporter:
    """The job's writes to the preview it was started for, and to nothing else."""

    def __init__(self, integration_id: int, token: str) -> None:
        self.key = _key(integration_id)
        self.token = token
        self.script = redis_connection().register_script(_WRITE_IF_OWN)

    def write(self, **fields: Any) -> None:
        pairs = [str(item) for name, value in fields.items() for item in (name, value)]
        if not self.script(keys=[self.key], args=[self.token, KEPT_S, *pairs]):
            raise Superseded

    def progress(self, fetched: int, total: int | None) -> None:
        self.write(fetched=fetched, total="" if total is None else total)


def execute(integration_id: int, token: str, config: Mapping[str, Any]) -> None:
    """The job: preview the integration's next sync and keep the result, or why there is none."""
    integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one_or_none()
    if integration is None:
        return
    with tenancy.acting_for(integration.tenant_id):
        reporter = _Reporter(integration_id, token)
        try:
            reporter.write(state=PreviewState.RUNNING)
            _preview(integration, reporter, config)
        except Superseded:
            return


def _preview(integration: Integration, reporter: _Reporter, config: Mapping[str, Any]) -> None:
    connector = connectors.for_background_work(integration, config)
    error: ErrorCode | None = None
    try:
        preview = preview_next_sync(integration, connector, reporter.progress)
    except ReconnectNeeded:
        error = ErrorCode.RECONNECT_NEEDED
    except ProviderUnavailable:
        error = ErrorCode.PROVIDER_UNAVAILABLE
    except IncompleteFetch:
        error = ErrorCode.INCOMPLETE_FETCH
    except Superseded:
        raise
    except Exception:
        log.exception("preview of integration %s failed", integration.id)
        error = ErrorCode.INTERNAL
    finally:
        # A preview only reads. The one write: tokens the provider rotated on the way,
        # without which the integration would lose its connection.
        db.session.rollback()
        connectors.save_refreshed_credentials(integration, connector.credentials)
        db.session.commit()
    if error is not None:
        reporter.write(state=PreviewState.ERROR, error=error)
    else:
        reporter.write(state=PreviewState.DONE, result=json.dumps(preview.to_json()))
