"""One line per event, JSON for log collectors or plain text for a person at `make run`,
each carrying what it happened in: request, tenant, integration, run, provider.

Log calls pass ids and numbers, never a person's name or e-mail address or a secret:
`log.info("sync run ended", extra={"status": ..., "duration_ms": ...})`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TextIO

from flask import Flask, Response, g, request
from flask.logging import default_handler

from portal import tenancy

log = logging.getLogger(__name__)

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_context: ContextVar[Mapping[str, Any]] = ContextVar("flexsync_log_context", default=_EMPTY)

# The attributes every LogRecord has; anything else on a record came in through `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# Database errors quote the row they refused (PostgreSQL's "Key (email)=(…) already exists"):
# an address in a message or a traceback is masked rather than trusted to every caller.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A request id from the load balancer is kept when it looks like one; anything else is replaced.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
# Probes and files: a line each at DEBUG only, or load balancers would fill the log.
_QUIET_ENDPOINTS = frozenset({"static", "dashboard.favicon", "health.healthz", "health.readyz", "health.metrics"})

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"
# Libraries that bring their own handlers (RQ's coloured console lines) write through ours.
_ADOPTED_LOGGERS = ("rq.worker", "rq.job", "rq.scheduler", "rq.cron")


@contextmanager
def context(**fields: Any) -> Iterator[None]:
    """Every line logged inside the block carries these fields (ids, a provider name)."""
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


def bind(**fields: Any) -> Token[Mapping[str, Any]]:
    """For hooks that cannot use a `with` block; pair with `unbind`."""
    return _context.set(MappingProxyType({**_context.get(), **fields}))


def unbind(token: Token[Mapping[str, Any]]) -> None:
    _context.reset(token)


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The record's context and `extra` fields, without the empty ones."""
    fields = {"tenant_id": tenancy.current_tenant_id(), **_context.get()}
    fields.update((key, value) for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES)
    return {key: value for key, value in fields.items() if value is not None}


def masked(text: str) -> str:
    return _EMAIL.sub("<e-mail>", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, then the context and extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": masked(record.getMessage()),
            # A worker and its work horses write to one stream: the process tells them apart.
            "pid": record.process,
            **fields_of(record),
        }
        if record.exc_info:
            line["exception"] = masked(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic line, with the context in brackets after the message."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = fields_of(record)
        head, newline, rest = text.partition("\n")
        if fields:
            head += " [" + " ".join(f"{key}={value}" for key, value in fields.items()) + "]"
        return masked(head + newline + rest)


class _OurHandler(logging.StreamHandler):
    """Marks the handler `configure` installed, so configuring again replaces it."""


def configure(fmt: str = "json", level: str = "INFO", stream: TextIO | None = None) -> None:
    """Our one handler on the root logger; every logger of the process writes through it."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(handler)
    handler = _OurHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _ADOPTED_LOGGERS:
        adopted = logging.getLogger(name)
        adopted.handlers.clear()
        adopted.propagate = True
    logging.captureWarnings(True)


def init_app(app: Flask) -> None:
    """Logging as the config says, and a request id and one line for every request."""
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
    app.before_request(_request_started)
    app.after_request(_request_answered)
    app.teardown_request(_request_ended)


def _request_started() -> None:
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    g.log_token = bind(request_id=g.request_id)


def _request_answered(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.request_id
    # The route's pattern, not the path: paths carry set-password tokens, query strings searches.
    route = request.url_rule.rule if request.url_rule is not None else None
    level = logging.DEBUG if request.endpoint in _QUIET_ENDPOINTS else logging.INFO
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    log.log(
        level,
        "%s %s %s",
        request.method,
        route or "(no route)",
        response.status_code,
        extra={"method": request.method, "route": route, "status": response.status_code, "duration_ms": duration_ms},
    )
    return response


def _request_ended(_error: BaseException | None) -> None:
    token = g.pop("log_token", None)
    if token is not None:
        unbind(token)
