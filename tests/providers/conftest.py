"""The provider connectors' vocabulary: a connector for the demo company, talking to the
running sandbox over HTTP with short timeouts and a sleep that only takes notes."""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from portal.providers.base import Connector, Credentials, Provider
from portal.providers.http import HttpSettings
from portal.providers.registry import connector_for
from sandbox.securex import DEFAULT_API_KEY
from sandbox.testing import LIANTIS_CLIENT_AUTH

# Small pages, so the 120 employees of the demo company span several of them.
PAGE_SIZE = 25


class Sleeps(list):
    """Records each wait the client asks for, and waits only a moment."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(min(seconds, 0.01))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def fast_http(sleeps) -> HttpSettings:
    return HttpSettings(connect_timeout_s=1, read_timeout_s=2, attempts=4, first_backoff_s=0.01,
                        max_backoff_s=0.05, max_total_wait_s=30, sleep=sleeps)


@pytest.fixture
def liantis_credentials(myliantis, sandbox_demo_company) -> Credentials:
    """What Flexsync stores after the demo company's main user consented at MyLiantis."""
    token = myliantis.consent_as_main_user()
    return Credentials(provider_company_id=sandbox_demo_company["id"],
                       vat_number=sandbox_demo_company["vat"], access_token=token["access_token"],
                       refresh_token=token["refresh_token"],
                       expires_at=time.time() + token["expires_in"])


@pytest.fixture
def connect(sandboxes, sandbox_demo_company, fast_http, request) -> Callable[..., Connector]:
    """`connect("securex", page_size=10)`: a connector for the demo company's account."""
    company = sandbox_demo_company

    def make(provider: str, credentials: Credentials | None = None, **options) -> Connector:
        options = {"page_size": PAGE_SIZE, "http": fast_http, **options}
        if provider == Provider.SECUREX:
            options.setdefault("api_key", DEFAULT_API_KEY)
            credentials = credentials or Credentials(provider_company_id=company["id"],
                                                     vat_number=company["vat"])
        elif provider == Provider.LIANTIS:
            options.setdefault("client_id", LIANTIS_CLIENT_AUTH[0])
            options.setdefault("client_secret", LIANTIS_CLIENT_AUTH[1])
            credentials = credentials or request.getfixturevalue("liantis_credentials")
        elif provider == Provider.CONNEXIE:
            credentials = credentials or Credentials(api_token=company["api_token"])
        else:
            credentials = credentials or Credentials(api_token=company["api_key"])
        return connector_for(provider, sandboxes[provider], credentials, **options)

    return make
