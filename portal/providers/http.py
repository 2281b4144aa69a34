"""The one HTTP client every connector talks through.

Providers misbehave the way the sandbox's fault knobs describe: they are slow, hang,
answer 429 or 5xx, or cut a JSON body off halfway. This client retries what a retry
can fix (a bounded number of times, within a bounded total wait, always well inside
the RQ job timeout) and turns everything else into a `ProviderError`, so that a
broken page ends the run in Error instead of reading as "fewer employees".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from portal.providers.base import ProviderUnavailable

Sleep = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Timeouts and retry limits; the defaults keep one request under ~3 minutes."""

    connect_timeout_s: float = 3.05
    read_timeout_s: float = 20.0
    attempts: int = 5
    first_backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    # Waiting between attempts (back-off and Retry-After together) never exceeds this.
    max_total_wait_s: float = 90.0
    max_retry_after_s: float = 60.0
    sleep: Sleep = field(default=time.sleep, compare=False)


class ProviderRefused(ProviderUnavailable):
    """A 4xx answer a retry cannot fix.

    Connectors translate the ones they expect (an unknown VAT, a revoked token); any
    other ends the run in Error like an outage, because it is one for the admin.
    """

    def __init__(self, provider: str, status: int, code: str, message: str) -> None:
        super().__init__(f"{provider} refused the request with {status} {code}: {message}")
        self.status = status
        self.code = code


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after_s = retry_after_s


class HttpClient:
    """JSON over HTTP to one provider, with retries on what is worth retrying."""

    def __init__(
        self, provider: str, base_url: str, settings: HttpSettings | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.settings = settings or HttpSettings()
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        # 429 answers so far: a run records them for the rate-limit metric.
        self.rate_limited = 0

    def get(self, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params, headers=headers)

    def post(
        self,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Any:
        return self.request("POST", path, json=json, data=data, headers=headers, auth=auth)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """The decoded JSON body of a 2xx answer; raises `ProviderError` otherwise."""
        settings = self.settings
        attempt, waited = 1, 0.0
        while True:
            try:
                return self._attempt(method, path, **kwargs)
            except _Retryable as failure:
                delay = self._delay(attempt, failure.retry_after_s)
                if attempt >= settings.attempts or waited + delay > settings.max_total_wait_s:
                    raise ProviderUnavailable(
                        f"{self.provider} did not answer {method} {path} after {attempt} "
                        f"attempt(s) ({failure}); the run stopped, try again later"
                    ) from failure
                settings.sleep(delay)
                waited += delay
                attempt += 1

    def _attempt(self, method: str, path: str, **kwargs: Any) -> Any:
        timeout = (self.settings.connect_timeout_s, self.settings.read_timeout_s)
        try:
            response = self.session.request(method, self.base_url + path, timeout=timeout, **kwargs)
        except requests.Timeout as error:
            raise _Retryable(f"timed out: {error.__class__.__name__}") from error
        except requests.ConnectionError as error:
            raise _Retryable(f"connection failed: {error.__class__.__name__}") from error
        if response.status_code == 429:
            self.rate_limited += 1
            raise _Retryable("429 rate limited", retry_after(response.headers.get("Retry-After")))
        if response.status_code >= 500:
            raise _Retryable(f"{response.status_code} server error")
        if response.status_code >= 400:
            code, message = error_of(response)
            raise ProviderRefused(self.provider, response.status_code, code, message)
        try:
            return response.json()
        except ValueError as error:
            # A body cut off mid-stream: the same request usually succeeds the next time.
            raise _Retryable("malformed JSON body") from error

    def _delay(self, attempt: int, retry_after_s: float | None) -> float:
        settings = self.settings
        if retry_after_s is not None:
            return min(retry_after_s, settings.max_retry_after_s)
        backoff = min(settings.first_backoff_s * 2 ** (attempt - 1), settings.max_backoff_s)
        # Full jitter: workers that failed together must not retry together.
        return random.uniform(backoff / 2, backoff)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def error_of(response: requests.Response) -> tuple[str, str]:
    """The provider's error code and message, whatever shape its error body has."""
    try:
        body = response.json()
    except ValueError:
        return "unknown", response.text[:200]
    if not isinstance(body, dict):
        return "unknown", str(body)[:200]
    code = body.get("error") or body.get("code") or "unknown"
    message = body.get("message") or body.get("error_description") or ""
    return str(code), str(message)
