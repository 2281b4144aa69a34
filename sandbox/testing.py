"""Helpers for Flexsync's tests: all four sandboxes on free loopback ports.

    with running_sandboxes(size=50, seed=3) as urls:
        set_faults(urls["securex"], rate_limit={"next": 1, "retry_after": 1})
        ...
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from sandbox.serving import build_apps, start_all, stop_all

ADMIN_TIMEOUT_S = 10


@contextmanager
def running_sandboxes(size: int = 200, seed: int = 1, dataset: str | None = None,
                      redirect_uris: list[str] | None = None, companies: int = 3,
                      faults: dict[str, dict] | None = None) -> Iterator[dict[str, str]]:
    """Provider name → base URL, for as long as the block runs."""
    apps = build_apps(size=size, seed=seed, companies=companies, dataset=dataset,
                      redirect_uris=redirect_uris, faults=faults)
    running = start_all(apps)
    try:
        yield {name: sandbox.base_url for name, sandbox in running.items()}
    finally:
        stop_all(running)


def _admin(method: str, base_url: str, path: str, payload: dict | None = None) -> dict:
    response = requests.request(method, f"{base_url}/_admin/{path}", json=payload,
                                timeout=ADMIN_TIMEOUT_S)
    response.raise_for_status()
    return response.json()


def set_faults(base_url: str, **knobs) -> dict:
    """Merge fault knobs into a running sandbox; returns all knobs now set."""
    return _admin("POST", base_url, "faults", knobs)


def get_faults(base_url: str) -> dict:
    return _admin("GET", base_url, "faults")


def reset_sandbox(base_url: str) -> dict:
    """Back to the dataset and knobs the sandbox started with."""
    return _admin("POST", base_url, "reset")


def advance(base_url: str) -> dict:
    """Apply the next run of scheduled changes (hires, removals, moves...)."""
    return _admin("POST", base_url, "advance")


def dataset_summary(base_url: str) -> dict:
    """Companies with their VAT, Connexie token, HR API key, users and entities."""
    return _admin("GET", base_url, "dataset")


def true_employees(base_url: str, company_id: str) -> list[dict]:
    """The unfaulted employees of a company, to compare a connector's result with."""
    response = requests.get(f"{base_url}/_admin/companies/{company_id}/employees",
                            timeout=ADMIN_TIMEOUT_S)
    response.raise_for_status()
    return response.json()
