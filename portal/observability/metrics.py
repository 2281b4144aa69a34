"""Prometheus metrics, read at scrape time from where the truth is kept.

The portal runs as several gunicorn processes and the work happens in RQ workers on
other machines, so nothing is counted in a process's memory: every scrape reads the
runs from the database (open ones, and those that ended in the last 24 hours, through
indexes: see docs/operations.md) and the queues and workers from Redis. Labels are
provider names, run states, error codes and queue names: never a company or a person.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Join, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from portal.fleet.workers import workers_and_queues
from portal.models import OPEN_STATES, Integration, RunState, SyncRun

log = logging.getLogger(__name__)

# Ended runs are read over this window, not since the beginning: the table only grows
# (100,000 runs is a few months of a thousand companies) and an all-time scan grew with it.
WINDOW = timedelta(hours=24)
DURATION_QUANTILES = (0.5, 0.95, 1.0)
# The run counters that say what happened to each employee a run processed.
OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed", "deactivated")

_runs = SyncRun.__table__
_integrations = Integration.__table__


def may_read(token: str, authorization: str | None, remote_addr: str | None, forwarded: bool) -> bool:
    """With a token configured, the caller must send it; without, only a direct request
    from this machine is served (behind a proxy on the same machine every caller would look
    local, hence no X-Forwarded-For)."""
    if token:
        return hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode())
    try:
        return not forwarded and ipaddress.ip_address(remote_addr or "").is_loopback
    except ValueError:
        return False


def exposition_registry(engine: Engine, redis: Redis, lost_after: timedelta) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(FlexsyncCollector(engine, redis, lost_after))
    return registry


@dataclass(frozen=True)
class FlexsyncCollector(Collector):
    engine: Engine
    redis: Redis
    # When a silent worker counts as lost (the fleet page's FLEET_WORKER_LOST_AFTER_S).
    lost_after: timedelta

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "flexsync_dependency_up", "Whether the database or Redis answered this scrape.", labels=["dependency"]
        )
        for dependency, read in (("database", self._from_database), ("redis", self._from_redis)):
            try:
                metrics, answered = list(read()), 1
            except (SQLAlchemyError, RedisError) as error:
                log.warning("metrics: %s unavailable (%s)", dependency, type(error).__name__)
                metrics, answered = [], 0
            up.add_metric([dependency], answered)
            yield from metrics
        yield up

    def _from_database(self) -> Iterator[Metric]:
        since = datetime.utcnow() - WINDOW
        with self.engine.connect() as connection:
            yield from open_runs(connection)
            yield from ended_runs(connection, since)
            yield durations(connection, since)
            yield integrations_in_error(connection)

    def _from_redis(self) -> Iterator[Metric]:
        yield from queues_and_workers(self.redis, self.lost_after)


def _runs_of_providers() -> Join:
    return _runs.join(_integrations, _integrations.c.id == _runs.c.integration_id)


def open_runs(connection: Connection) -> Iterator[Metric]:
    """Runs queued or running now (found by the status index), and how old the oldest is."""
    provider = _integrations.c.provider
    rows = connection.execute(
        select(provider, _runs.c.status, func.count(), func.min(_runs.c.queued_at))
        .select_from(_runs_of_providers())
        .where(_runs.c.status.in_(OPEN_STATES))
        .group_by(provider, _runs.c.status)
    ).all()
    gauge = GaugeMetricFamily("flexsync_sync_runs_open", "Sync runs queued or running now.", labels=["provider", "status"])
    for provider_value, status, count, _queued_at in rows:
        gauge.add_metric([provider_value.value, status.value], count)
    oldest = min((queued_at for *_, queued_at in rows), default=None)
    age = GaugeMetricFamily(
        "flexsync_sync_run_oldest_open_seconds", "How long the oldest sync run still queued or running has been open (0: none)."
    )
    age.add_metric([], (datetime.utcnow() - oldest).total_seconds() if oldest is not None else 0)
    yield from (gauge, age)


def ended_runs(connection: Connection, since: datetime) -> Iterator[Metric]:
    """Runs that ended since `since` (found by the finished_at index): how, why, for how many employees."""
    provider = _integrations.c.provider
    rows = connection.execute(
        select(
            provider,
            _runs.c.status,
            _runs.c.error_code,
            func.count(),
            func.coalesce(func.sum(_runs.c.rate_limited), 0),
            *(func.coalesce(func.sum(_runs.c[outcome]), 0) for outcome in OUTCOMES),
        )
        .select_from(_runs_of_providers())
        .where(_runs.c.finished_at >= since)
        .group_by(provider, _runs.c.status, _runs.c.error_code)
    ).all()
    ended: Counter[tuple[str, ...]] = Counter()
    errors: Counter[tuple[str, ...]] = Counter()
    processed: Counter[tuple[str, ...]] = Counter()
    rate_limited: Counter[tuple[str, ...]] = Counter()
    for provider_value, status, error_code, count, answers_429, *outcomes in rows:
        name = provider_value.value
        ended[name, status.value] += count
        rate_limited[(name,)] += answers_429
        if status is RunState.ERROR:
            errors[name, error_code or "unknown"] += count
        for outcome, total in zip(OUTCOMES, outcomes, strict=True):
            processed[name, outcome] += total
    yield _gauge("flexsync_sync_runs_ended_24h", "Sync runs that ended in the last 24 h, by how.", ["provider", "status"], ended)
    yield _gauge("flexsync_sync_run_errors_24h", "Sync runs that ended in Error in the last 24 h.", ["provider", "error"], errors)
    yield _gauge(
        "flexsync_employees_processed_24h",
        "Employees processed by sync runs that ended in the last 24 h, by what happened to them.",
        ["provider", "outcome"],
        processed,
    )
    yield _gauge(
        "flexsync_provider_rate_limited_24h",
        "429 Too Many Requests answers to sync runs that ended in the last 24 h.",
        ["provider"],
        rate_limited,
    )


def _gauge(name: str, documentation: str, labels: list[str], values: Counter[tuple[str, ...]]) -> Metric:
    gauge = GaugeMetricFamily(name, documentation, labels=labels)
    for label_values, value in sorted(values.items()):
        gauge.add_metric(list(label_values), value)
    return gauge


def durations(connection: Connection, since: datetime) -> Metric:
    """Quantiles of how long the runs that ended since `since` took, start to end (retries included)."""
    rows = connection.execute(
        select(_integrations.c.provider, _runs.c.started_at, _runs.c.finished_at)
        .select_from(_runs_of_providers())
        .where(_runs.c.finished_at >= since, _runs.c.started_at.is_not(None))
    ).all()
    by_provider: dict[str, list[float]] = {}
    for provider_value, started_at, finished_at in rows:
        by_provider.setdefault(provider_value.value, []).append((finished_at - started_at).total_seconds())
    gauge = GaugeMetricFamily(
        "flexsync_sync_run_duration_seconds_24h",
        "How long sync runs that ended in the last 24 h took, start to end: median, 95th percentile, longest.",
        labels=["provider", "quantile"],
    )
    for name, seconds in sorted(by_provider.items()):
        seconds.sort()
        for quantile in DURATION_QUANTILES:
            # Nearest rank: the smallest duration at least this share of the runs did not exceed.
            rank = max(math.ceil(quantile * len(seconds)), 1)
            gauge.add_metric([name, str(quantile)], seconds[rank - 1])
    return gauge


def integrations_in_error(connection: Connection) -> Metric:
    """Companies' integrations whose latest run ended in Error: many at once means the provider."""
    provider = _integrations.c.provider
    rows = connection.execute(
        select(provider, _runs.c.error_code, func.count())
        .select_from(_integrations.join(_runs, _runs.c.id == _integrations.c.last_run_id))
        .where(_runs.c.status == RunState.ERROR)
        .group_by(provider, _runs.c.error_code)
    ).all()
    gauge = GaugeMetricFamily(
        "flexsync_integrations_in_error",
        "Integrations (one company, one provider) whose latest sync run ended in Error.",
        labels=["provider", "error"],
    )
    for provider_value, error_code, count in rows:
        gauge.add_metric([provider_value.value, error_code or "unknown"], count)
    return gauge


def queues_and_workers(connection: Redis, lost_after: timedelta) -> Iterator[Metric]:
    """As the fleet page sees them (`portal.fleet.workers`): the same workers are alive or lost."""
    seen = workers_and_queues(connection, datetime.utcnow(), lost_after)
    jobs = GaugeMetricFamily("flexsync_queue_jobs", "Jobs in each RQ queue, waiting or running.", labels=["queue", "state"])
    for queue in seen.queues:
        jobs.add_metric([queue.name, "queued"], queue.queued)
        jobs.add_metric([queue.name, "running"], queue.running)
    held_back = GaugeMetricFamily(
        "flexsync_sync_jobs_held_back", "Sync jobs waiting for a free slot of their provider's limit (Liantis: 2 at once)."
    )
    held_back.add_metric([], seen.held_back)
    workers = GaugeMetricFamily(
        "flexsync_workers", "RQ workers, alive or lost (silent longer than the fleet page allows).", labels=["state"]
    )
    workers.add_metric(["alive"], seen.alive)
    workers.add_metric(["lost"], seen.lost)
    failed = GaugeMetricFamily("flexsync_jobs_failed_24h", "RQ jobs that failed (crashed) in the last 24 h.")
    failed.add_metric([], seen.failed_last_day)
    yield from (jobs, held_back, workers, failed)
