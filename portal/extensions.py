"""Flask extensions, created unbound and attached in `create_app`."""

import sqlite3

from authlib.integrations.flask_client import OAuth
from flask_babel import Babel
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = HTMX()
# Flexsync as an OAuth2 client of Liantis (MyLiantis consent); see portal/web/activation.py.
oauth = OAuth()


@event.listens_for(Engine, "connect")
def _sqlite_for_concurrent_use(dbapi_connection, _record) -> None:
    """Web requests and worker upserts share one SQLite file: WAL lets readers
    go on during a write, and the busy timeout makes writers wait instead of
    failing with "database is locked"."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # In WAL mode NORMAL syncs the disk at checkpoints instead of at every commit: the
        # database stays consistent after a power cut, which may undo the last commits
        # (a sync run is resumable; PostgreSQL is the choice where that matters).
        cursor.execute("PRAGMA synchronous=NORMAL")
        # ANALYZE samples rather than reads whole tables: a sync refreshes statistics as it goes.
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.close()
