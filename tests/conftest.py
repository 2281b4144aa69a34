"""The test vocabulary: an app, a browser-less client, logins, a live server, a browser,
the provider sandboxes, Redis and workers, mail, and demo data.

The fixtures live in `fixtures/`, one module per area; shared helper functions and
classes in `helpers/` (tests import those as `from helpers.<module> import ...`; never
from conftest or from another test module - tests/unit/test_test_layout.py checks).
Database tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set.
"""

pytest_plugins = [
    "fixtures.app",  # app (Alembic-built database), demo_data (autouse reseed), client, other_client
    "fixtures.logins",  # auth
    "fixtures.integrations",  # make_available, activate
    "fixtures.browser",  # live_server_port, live_server, browser, page; marks `page` users `browser`
    "fixtures.sandboxes",  # sandboxes, sandbox_companies, sandbox_demo_company, myliantis, providers_at_sandboxes
    "fixtures.workers",  # redis_url, own_redis, sync_setup, start_worker, worker, securex_demo
    "fixtures.connectors",  # sleeps, fast_http, liantis_credentials, connect
    "fixtures.mail",  # smtp_server, unreachable_smtp
    "fixtures.production",  # production: a new production installation, empty database, no demo seed
    "fixtures.employees",  # staff
    "fixtures.hours",  # hours_story
    "fixtures.synced_demo",  # synced_demo: Demo NV after real syncs, the data every page can show
]
