"""Helpers for Flexsync's tests: all four sandboxes on free loopback ports.

with running_sandboxes(size=50, seed=3) as urls:
    set_faults(urls["securex"], rate_limit={"next": 1, "retry_after": 1})
    ...
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import requests

from sandbox.liantis import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from sandbox.serving import build_apps, start_all, stop_all

ADMIN_TIMEOUT_S = 10
FLEXSYNC_CALLBACK = "http://127.0.0.1:5000/integrations/liantis/callback"
LIANTIS_CLIENT_AUTH = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)


@contextmanager
def running_sandboxes(
    size: int = 200,
    seed: int = 1,
    dataset: str | None = None,
    redirect_uris: list[str] | None = None,
    companies: int = 3,
    faults: dict[str, dict] | None = None,
    datasets: dict[str, str] | None = None,
) -> Iterator[dict[str, str]]:
    """Provider name → base URL, for as long as the block runs; `datasets` gives a provider its own file."""
    apps = build_apps(
        size=size, seed=seed, companies=companies, dataset=dataset, datasets=datasets, redirect_uris=redirect_uris, faults=faults
    )
    running = start_all(apps)
    try:
        yield {name: sandbox.base_url for name, sandbox in running.items()}
    finally:
        stop_all(running)


def _admin(method: str, base_url: str, path: str, payload: dict | None = None) -> dict:
    response = requests.request(method, f"{base_url}/_admin/{path}", json=payload, timeout=ADMIN_TIMEOUT_S)
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


def raise_salaries(base_url: str, company_id: str, percent: float | None = None, *, count: int | None = None) -> int:
    """Raise the salary of `percent` % (or `count`) of a company's people under contract; returns how many."""
    asked = {"percent": percent} if count is None else {"count": count}
    return _admin("POST", base_url, f"companies/{company_id}/raise-salaries", asked)["raised"]


def edit_employee(base_url: str, company_id: str, employee_id: str, **fields) -> dict:
    """Change a person at the provider, as its HR admin would; returns the stored person."""
    return _admin("POST", base_url, f"companies/{company_id}/employees/{employee_id}", fields)


def dataset_summary(base_url: str) -> dict:
    """Companies with their VAT, Connexie token, HR API key, users and entities."""
    return _admin("GET", base_url, "dataset")


def true_employees(base_url: str, company_id: str) -> list[dict]:
    """The unfaulted employees of a company, to compare a connector's result with."""
    response = requests.get(f"{base_url}/_admin/companies/{company_id}/employees", timeout=ADMIN_TIMEOUT_S)
    response.raise_for_status()
    return response.json()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


@dataclass
class MyLiantisBrowser:
    """An HR admin's browser at MyLiantis, driven with requests (redirects by hand)."""

    base_url: str
    session: requests.Session
    verifier: str
    challenge: str
    state: str = "state-123"

    def authorize_params(self, **overrides) -> dict:
        params = {
            "response_type": "code",
            "client_id": DEFAULT_CLIENT_ID,
            "redirect_uri": FLEXSYNC_CALLBACK,
            "scope": "payroll.read",
            "state": self.state,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v is not None}

    def open_authorize(self, **overrides) -> requests.Response:
        return self.session.get(
            f"{self.base_url}/oauth/authorize", params=self.authorize_params(**overrides), allow_redirects=False
        )

    def log_in_as(self, login: str) -> requests.Response:
        """Start the consent flow logged out, then pick `login` on the sandbox login page."""
        to_login = self.open_authorize()
        assert to_login.status_code == 302 and to_login.headers["Location"].startswith("/login")
        login_page = self.session.get(self.base_url + to_login.headers["Location"])
        next_url = html.unescape(re.search(r'name="next" value="([^"]*)"', login_page.text)[1])
        logged_in = self.session.post(f"{self.base_url}/login", data={"login": login, "next": next_url}, allow_redirects=False)
        assert logged_in.status_code == 302
        return self.session.get(self.base_url + logged_in.headers["Location"], allow_redirects=False)

    def decide(self, consent_page: requests.Response, decision: str) -> dict[str, str]:
        """Press Allow or Deny; returns the query Flexsync's callback receives."""
        action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', consent_page.text)[1])
        answer = self.session.post(self.base_url + action, data={"decision": decision}, allow_redirects=False)
        assert answer.status_code == 302 and answer.headers["Location"].startswith(FLEXSYNC_CALLBACK)
        return query_of(answer.headers["Location"])

    def exchange(self, code: str, verifier: str | None = None) -> requests.Response:
        return requests.post(
            f"{self.base_url}/oauth/token",
            auth=LIANTIS_CLIENT_AUTH,
            timeout=10,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": FLEXSYNC_CALLBACK,
                "code_verifier": verifier or self.verifier,
            },
        )

    def consent_as_main_user(self, login: str = "main.c001") -> dict:
        """The whole happy path: returns the token response of the code exchange."""
        callback = self.decide(self.log_in_as(login), "allow")
        token = self.exchange(callback["code"])
        assert token.status_code == 200, token.text
        return token.json()
