"""Settings from the environment, one class per way of running Flexsync."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("FLEXSYNC_INSTANCE_DIR", PROJECT_ROOT / "instance"))

# Never accepted outside the demo: a production deployment must set its own.
DEMO_SECRET_KEY = "flexsync-demo-secret-key-not-for-production"


def _sqlite_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'flexsync.db'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_url()
    # hide_parameters: a database error quotes the statement, never the row's values (names,
    # e-mail addresses) in logs and in a run's error detail.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    FLEXSYNC_ENCRYPTION_KEY = os.environ.get("FLEXSYNC_ENCRYPTION_KEY", "")
    LANGUAGES = ("nl", "fr", "en")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
    # Cookies are not kept apart by port: on loopback the provider sandboxes' own
    # "session" cookie would overwrite ours in the middle of the Liantis consent.
    SESSION_COOKIE_NAME = "flexsync_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    WTF_CSRF_TIME_LIMIT = None
    # WTForms brings its own nl/fr messages; see portal/web/forms.py.
    WTF_I18N_ENABLED = False
    # Demo users and the demo secret are refused unless this is set.
    DEMO = False
    # When the nightly sync of every active integration starts (cron syntax, server time).
    NIGHTLY_CRON = os.environ.get("FLEXSYNC_NIGHTLY_CRON", "0 2 * * *")
    # The fleet page calls a worker lost when it has not reported for this long (an idle one
    # reports every `jobs.settings.WORKER_HEARTBEAT_S`, a busy one every 30 s).
    FLEET_WORKER_LOST_AFTER_S = 120
    # Logs (docs/operations.md): one JSON object per line for a log collector, or "text".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # /metrics answers a Prometheus that sends this as a bearer token; without one, only a
    # request made on this machine, not through a proxy.
    METRICS_TOKEN = os.environ.get("FLEXSYNC_METRICS_TOKEN", "")
    # Run lines (who was created, updated, failed in a run) older than this are pruned
    # every night; the runs and their counts stay. 13 months: a year back, and a month more.
    RUN_LINES_RETENTION_DAYS = int(os.environ.get("FLEXSYNC_RUN_LINES_RETENTION_DAYS", "396"))
    SMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "8025"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "Flexsync <no-reply@flexsync.test>")
    # Where admins open Flexsync: links in e-mails point here.
    PUBLIC_URL = os.environ.get("FLEXSYNC_URL", "http://127.0.0.1:5000")
    # How Flexsync talks to providers: page size (None: the provider's maximum), time-outs and
    # retries. The defaults suit production; tests and slow networks tune them here.
    SYNC_PAGE_SIZE = int(os.environ.get("FLEXSYNC_PAGE_SIZE", "0")) or None
    PROVIDER_HTTP = {
        "read_timeout_s": float(os.environ.get("PROVIDER_READ_TIMEOUT_S", "20")),
        "attempts": int(os.environ.get("PROVIDER_HTTP_ATTEMPTS", "5")),
        "max_backoff_s": float(os.environ.get("PROVIDER_MAX_BACKOFF_S", "8")),
    }
    PROVIDER_URLS = {
        "securex": os.environ.get("SECUREX_URL", "http://127.0.0.1:5101"),
        "liantis": os.environ.get("LIANTIS_URL", "http://127.0.0.1:5102"),
        "connexie": os.environ.get("CONNEXIE_URL", "http://127.0.0.1:5103"),
        "hris": os.environ.get("HRIS_URL", "http://127.0.0.1:5104"),
    }
    # Flexsync's own credentials at the providers (per platform, not per company).
    SECUREX_API_KEY = os.environ.get("SECUREX_API_KEY", "")
    LIANTIS_CLIENT_ID = os.environ.get("LIANTIS_CLIENT_ID", "")
    LIANTIS_CLIENT_SECRET = os.environ.get("LIANTIS_CLIENT_SECRET", "")


def demo_encryption_key() -> str:
    """The demo keeps its own key under instance/; production passes FLEXSYNC_ENCRYPTION_KEY."""
    from cryptography.fernet import Fernet

    key_file = INSTANCE_DIR / "encryption.key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(Fernet.generate_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class ProductionConfig(Config):
    pass


class DemoConfig(Config):
    DEMO = True
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEMO_SECRET_KEY
    FLEXSYNC_ENCRYPTION_KEY = os.environ.get("FLEXSYNC_ENCRYPTION_KEY") or None  # filled in by create_app
    # The demo talks to the provider sandboxes, which know these.
    SECUREX_API_KEY = os.environ.get("SECUREX_API_KEY") or "securex-sandbox-key"
    LIANTIS_CLIENT_ID = os.environ.get("LIANTIS_CLIENT_ID") or "flexsync"
    LIANTIS_CLIENT_SECRET = os.environ.get("LIANTIS_CLIENT_SECRET") or "flexsync-sandbox-secret"
    # `make run` prints every process's lines to one terminal, for a person to read.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # The demo is served over plain http on loopback.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestConfig(DemoConfig):
    TESTING = True


CONFIGS = {"production": ProductionConfig, "demo": DemoConfig, "test": TestConfig}


def config_for(name: str | None) -> type[Config]:
    return CONFIGS[name or os.environ.get("FLEXSYNC_ENV", "production")]
