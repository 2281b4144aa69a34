"""Shared vocabulary of the sandbox tests: running sandboxes, the demo company, and a
MyLiantis browser that walks the consent screens the way an HR admin would."""
from __future__ import annotations

import pytest
import requests

from sandbox.dataset import DEMO_COMPANY_VAT
from sandbox.testing import (
    FLEXSYNC_CALLBACK, MyLiantisBrowser, dataset_summary, pkce_pair, reset_sandbox,
    running_sandboxes,
)

SANDBOX_SIZE = 120
SANDBOX_SEED = 11


@pytest.fixture(scope="session")
def sandbox_size() -> int:
    return SANDBOX_SIZE


@pytest.fixture(scope="session")
def sandbox_seed() -> int:
    return SANDBOX_SEED


@pytest.fixture(scope="session")
def running(sandbox_size, sandbox_seed):
    with running_sandboxes(size=sandbox_size, seed=sandbox_seed,
                           redirect_uris=[FLEXSYNC_CALLBACK]) as urls:
        yield urls


@pytest.fixture
def urls(running):
    """The four base URLs; every sandbox is reset after the test that used them."""
    yield running
    for base_url in running.values():
        reset_sandbox(base_url)


@pytest.fixture
def companies(urls) -> dict[str, dict]:
    return {c["id"]: c for c in dataset_summary(urls["connexie"])["companies"]}


@pytest.fixture
def demo(companies) -> dict:
    return next(c for c in companies.values() if c["vat"] == DEMO_COMPANY_VAT)


@pytest.fixture
def myliantis(urls) -> MyLiantisBrowser:
    verifier, challenge = pkce_pair()
    return MyLiantisBrowser(urls["liantis"], requests.Session(), verifier, challenge)
