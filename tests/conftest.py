"""The test vocabulary: an app, a browser-less client, logins, a live server, a browser.

Database tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set
(`make test` does both). The schema is built once per session by the real Alembic
migrations; each test starts from the demo seed.
"""
from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from werkzeug.serving import make_server

from browsing import ARTIFACTS, csrf_token_from, screenshot  # noqa: F401 - older tests import them from here
from sandbox.dataset import DEMO_COMPANY_VAT
from sandbox.testing import FLEXSYNC_CALLBACK, MyLiantisBrowser, dataset_summary, pkce_pair, reset_sandbox, running_sandboxes

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    os.environ["FLEXSYNC_INSTANCE_DIR"] = str(instance)
    from cryptography.fernet import Fernet
    from flask_migrate import upgrade

    from portal import create_app

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'test.db'}"
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "FLEXSYNC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SERVER_NAME": None,
        },
    )
    with app.app_context():
        from portal.extensions import db

        if database_url.startswith("postgresql"):
            db.session.execute(db.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    yield app


@pytest.fixture(autouse=True)
def demo_data(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every database test starts from exactly the demo seed."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    from portal import demo
    from portal.extensions import db

    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        demo.seed()
        db.session.remove()
    yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class AuthActions:
    """Logs in the way a person does: through the login form, with its CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str = "hr@demo.test", password: str = "demo"):
        token = csrf_token_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token_from(self.client.get("/").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def make_available(app: Flask):
    """Customer success makes a provider available for a company (Demo NV unless told)."""
    from sqlalchemy import select

    from portal import integrations
    from portal.extensions import db
    from portal.models import Tenant, User
    from portal.providers.base import Provider

    def make_available(provider: str, company: str = "Demo NV") -> None:
        with app.app_context():
            tenant = db.session.execute(select(Tenant).where(Tenant.name == company)).scalar_one()
            cs = db.session.execute(select(User).where(User.email == "cs@flexsync.test")).scalar_one()
            integrations.set_availability(tenant.id, Provider(provider), True, cs)
            db.session.remove()

    return make_available


@pytest.fixture
def other_client(app: Flask) -> FlaskClient:
    """A second browser session, e.g. another tenant's admin."""
    return app.test_client()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server_port() -> int:
    # Fixed for the session: MyLiantis only sends people back to a callback registered at start.
    return _free_port()


@pytest.fixture
def live_server(app: Flask, live_server_port: int) -> Iterator[str]:
    """The app served over real HTTP on loopback, for the browser."""
    server = make_server("127.0.0.1", live_server_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live_server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests are found by the fixture they use, so none can forget its marker.
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


# --- Provider sandboxes -------------------------------------------------------------

SANDBOX_SIZE = 120
SANDBOX_SEED = 11


@pytest.fixture(scope="session")
def sandbox_size() -> int:
    return SANDBOX_SIZE


@pytest.fixture(scope="session")
def sandbox_seed() -> int:
    return SANDBOX_SEED


@pytest.fixture(scope="session")
def sandboxes_running(sandbox_size, sandbox_seed, live_server_port) -> Iterator[dict[str, str]]:
    live_callback = f"http://127.0.0.1:{live_server_port}/integrations/liantis/callback"
    with running_sandboxes(size=sandbox_size, seed=sandbox_seed, redirect_uris=[FLEXSYNC_CALLBACK, live_callback]) as urls:
        yield urls


@pytest.fixture
def sandboxes(sandboxes_running) -> Iterator[dict[str, str]]:
    """The four provider base URLs; every sandbox is reset after the test that used them."""
    yield sandboxes_running
    for base_url in sandboxes_running.values():
        reset_sandbox(base_url)


@pytest.fixture
def providers_at_sandboxes(app: Flask, sandboxes) -> Iterator[dict[str, str]]:
    """Flexsync talks to the sandboxes for the duration of the test."""
    configured = app.config["PROVIDER_URLS"]
    app.config["PROVIDER_URLS"] = dict(sandboxes)
    yield sandboxes
    app.config["PROVIDER_URLS"] = configured


@pytest.fixture
def sandbox_companies(sandboxes) -> dict[str, dict]:
    return {c["id"]: c for c in dataset_summary(sandboxes["connexie"])["companies"]}


@pytest.fixture
def sandbox_demo_company(sandbox_companies) -> dict:
    return next(c for c in sandbox_companies.values() if c["vat"] == DEMO_COMPANY_VAT)


@pytest.fixture
def myliantis(sandboxes) -> MyLiantisBrowser:
    """A MyLiantis browser session that walks the consent screens as an HR admin would."""
    verifier, challenge = pkce_pair()
    return MyLiantisBrowser(sandboxes["liantis"], requests.Session(), verifier, challenge)
