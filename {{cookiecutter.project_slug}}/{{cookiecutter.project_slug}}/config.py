"""Settings: one class per environment, chosen by ``APP_ENV``.

Values come from the process environment, then from ``.env`` (loaded by the factory); the
environment wins. Each class reads the environment when it is instantiated, not at import, so
tests can build a config from a plain dict.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any

from .engine import EngineSettings, engine_options, normalise_url
from .pooler import POOLERS
from .production import is_on, unsafe_settings
from .transactions import parse_commit_mode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE = "{{ cookiecutter.project_slug }}_test"  # on the local server; see TestingConfig
BIND_VARIABLE = re.compile(r"DATABASE_URL_([A-Z][A-Z0-9_]*)")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and what to set."""


def env_int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    """Read an integer setting, failing with a message that names the variable."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """A yes/no setting (see ``is_on``), ``default`` when unset or empty."""
    return is_on(env, name) if env.get(name, "").strip() else default


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env_choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    """Read a setting that must be one of ``choices`` (in any case); the error lists them."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise ConfigError(f"{name}={raw!r} is not one of: {', '.join(choices)}.")


Networks = tuple[IPv4Network | IPv6Network, ...]


def env_networks(env: Mapping[str, str], name: str, default: str) -> Networks:
    """Read addresses or ranges (CIDR) separated by commas; the error shows the form."""
    raw = env.get(name) or default
    try:
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        return tuple(ip_network(part, strict=False) for part in parts)
    except ValueError as error:
        raise ConfigError(
            f"{name}={raw!r} is not a list of addresses or ranges such as "
            f"'127.0.0.0/8, 10.0.0.0/8': {error}."
        ) from None


def engine_settings(env: Mapping[str, str], hide_parameters: bool = True) -> EngineSettings:
    """Connection settings from ``DB_*`` variables; each database takes what applies to it."""
    return EngineSettings(
        hide_parameters=hide_parameters,
        pool_size=env_int(env, "DB_POOL_SIZE", 5, minimum=1),
        max_overflow=env_int(env, "DB_MAX_OVERFLOW", 10),
        pool_timeout=env_int(env, "DB_POOL_TIMEOUT", 10, minimum=1),
        pool_recycle=env_int(env, "DB_POOL_RECYCLE", 1800, minimum=1),
        connect_timeout=env_int(env, "DB_CONNECT_TIMEOUT", 5, minimum=1),
        statement_timeout_ms=env_int(env, "DB_STATEMENT_TIMEOUT_MS", 30_000),
        pooler=env_choice(env, "DB_POOLER", POOLERS, "none"),
        ping_idle_seconds=env_int(env, "DB_PING_IDLE_SECONDS", 5),
        sqlite_busy_timeout_ms=env_int(env, "DB_BUSY_TIMEOUT_MS", 5_000),
        application_name=env.get("DB_APPLICATION_NAME") or "{{ cookiecutter.project_slug }}",
    )


def bind_urls(env: Mapping[str, str]) -> dict[str, str]:
    """Extra databases: ``DATABASE_URL_<NAME>`` becomes the bind key ``<name>``."""
    binds = {}
    for name, url in env.items():
        match = BIND_VARIABLE.fullmatch(name)
        if match and url.strip():
            binds[match.group(1).lower()] = normalise_url(url, name)
    return binds


def default_workers() -> int:
    """gunicorn's worker count when ``WEB_CONCURRENCY`` is unset: two per usable CPU, plus
    one, at most eight."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cpus = len(usable) if usable else os.cpu_count()
    return min(2 * (cpus or 1) + 1, 8)


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    # The name the pages show. Only \ and " are escaped: the pre-gen hook refuses line breaks.
    PROJECT_NAME = "{{ cookiecutter.project_name | replace('\\', '\\\\') | replace('"', '\\"') }}"
    DEBUG = False
    TESTING = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    DEFAULT_DATABASE_URL = "sqlite:///app.db"
    DEFAULT_LOG_FORMAT = "text"
    DEFAULT_HSTS_MAX_AGE = 0  # seconds; 0 sends no Strict-Transport-Security header
    DEFAULT_DOCS_ENABLED = True  # /docs; production serves it only when asked
    # Bound values of a failed statement are left out of its error (and so of the logs).
    HIDE_SQL_PARAMETERS = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        self.MAX_CONTENT_LENGTH = env_int(env, "MAX_CONTENT_LENGTH", 1024 * 1024, minimum=1)
        self.TRUSTED_PROXIES = env_int(env, "TRUSTED_PROXIES", 0)
        self.TRUSTED_PROXY_HOST = env_int(env, "TRUSTED_PROXY_HOST", 0)
        self.TRUSTED_PROXY_PREFIX = env_int(env, "TRUSTED_PROXY_PREFIX", 0)
        self.HSTS_MAX_AGE = env_int(env, "HSTS_MAX_AGE", self.DEFAULT_HSTS_MAX_AGE)
        self.LOG_FORMAT = env_choice(env, "LOG_FORMAT", ("text", "json"), self.DEFAULT_LOG_FORMAT)
        self.LOG_LEVEL = env_choice(env, "LOG_LEVEL", LOG_LEVELS, "INFO")
        self.SLOW_QUERY_MS = env_int(env, "SLOW_QUERY_MS", 500)
        # /metrics (see metrics/); gunicorn.conf.py turns it on when serving production.
        self.METRICS_ENABLED = is_on(env, "METRICS_ENABLED")
        self.METRICS_ALLOW = env_networks(env, "METRICS_ALLOW", "127.0.0.0/8, ::1")
        # The API's document (openapi/): /openapi.json unless turned off, and the /docs page.
        self.OPENAPI_ENABLED = env_flag(env, "OPENAPI_ENABLED", default=True)
        self.DOCS_ENABLED = env_flag(env, "DOCS_ENABLED", default=self.DEFAULT_DOCS_ENABLED)
        commit_mode = env.get("DATABASE_COMMIT_MODE", "{{ cookiecutter.commit_mode }}")
        self.DATABASE_COMMIT_MODE = parse_commit_mode(commit_mode)
        self.MIGRATIONS_DIR = env.get("MIGRATIONS_DIR") or str(PROJECT_ROOT / "migrations")
        self.MIGRATION_STATEMENT_TIMEOUT_MS = env_int(env, "MIGRATION_STATEMENT_TIMEOUT_MS", 0)
        self.MIGRATION_LOCK_TIMEOUT_MS = env_int(env, "MIGRATION_LOCK_TIMEOUT_MS", 5_000)
        self.WEB_CONCURRENCY = env_int(env, "WEB_CONCURRENCY", default_workers(), minimum=1)
        settings = engine_settings(env, self.HIDE_SQL_PARAMETERS)
        self.ENGINE_SETTINGS = settings
        url = normalise_url(env.get("DATABASE_URL") or self.DEFAULT_DATABASE_URL)
        self.SQLALCHEMY_DATABASE_URI = url
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = engine_options(url, settings)
        # Flask-SQLAlchemy gives binds only their own options, so each carries its own.
        self.SQLALCHEMY_BINDS: dict[str, Any] = {
            key: {"url": bind_url, **engine_options(bind_url, settings)}
            for key, bind_url in bind_urls(env).items()
        }
        self.read_job_settings(env)

    def read_job_settings(self, env: Mapping[str, str]) -> None:
        """Background jobs (README, "Jobs"): the queue chosen when the project was made."""
        self.JOB_QUEUE = "{{ cookiecutter.job_queue }}"
        self.REDIS_URL = env.get("REDIS_URL") or "redis://localhost:6379/0"
        self.JOB_QUEUE_NAME = env.get("JOB_QUEUE_NAME") or "{{ cookiecutter.project_slug }}"
        # Run each job in the process that sends it, at once (the tests' default).
        self.JOB_EAGER = is_on(env, "JOB_EAGER") if "JOB_EAGER" in env else self.TESTING
        self.JOB_LEASE_SECONDS = env_int(env, "JOB_LEASE_SECONDS", 300, minimum=1)
        self.JOB_RESEND_SECONDS = env_int(env, "JOB_RESEND_SECONDS", 30, minimum=1)
        self.JOB_RETRIES = env_int(env, "JOB_RETRIES", 5)
        self.JOB_RETRY_BACKOFF_MS = env_int(env, "JOB_RETRY_BACKOFF_MS", 200, minimum=1)
        self.JOB_BROKER_TIMEOUT_MS = env_int(env, "JOB_BROKER_TIMEOUT_MS", 1000, minimum=1)

    def as_dict(self) -> dict[str, Any]:
        """The upper-case settings, as ``app.config.from_mapping`` takes them."""
        names = {name for name in dir(self) if name.isupper()}
        return {name: getattr(self, name) for name in names}


class DevelopmentConfig(Config):
    """Local development: debug on, SQLite file in ``instance/`` unless told otherwise."""

    ENV_NAME = "development"
    DEBUG = True
    HIDE_SQL_PARAMETERS = False  # a failed statement's error shows the values it was given


class TestingConfig(Config):
    """The test suite: ``TEST_DATABASE_URL`` or a test database of the project's kind."""

    ENV_NAME = "testing"
    TESTING = True
{%- if cookiecutter.database == "postgresql" %}
    DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/" + TEST_DATABASE
{%- elif cookiecutter.database == "mysql" %}
    DEFAULT_DATABASE_URL = "mysql+pymysql://root@127.0.0.1:3306/" + TEST_DATABASE
{%- else %}
    DEFAULT_DATABASE_URL = "sqlite://"  # the test fixtures make it a file of their own
{%- endif %}

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        source = os.environ if env is None else env
        # Tests never touch the databases the app is configured for: every DATABASE_URL* is
        # replaced by its TEST_DATABASE_URL* counterpart (in-memory SQLite when there is none).
        test_env = {k: v for k, v in source.items() if not k.startswith("DATABASE_URL")}
        for name in source:
            if name.startswith("DATABASE_URL_"):
                test_env[name] = "sqlite://"
        for name, value in source.items():
            if name.startswith("TEST_DATABASE_URL") and value:
                test_env[name.removeprefix("TEST_")] = value
        test_env.setdefault("SECRET_KEY", "testing-secret-key-that-is-long-enough-to-pass")
        super().__init__(test_env)


class ProductionConfig(Config):
    """Production: settings must come from the environment, and unsafe ones stop the start."""

    ENV_NAME = "production"
    DEFAULT_LOG_FORMAT = "json"
    DEFAULT_HSTS_MAX_AGE = 365 * 24 * 3600
    DEFAULT_DOCS_ENABLED = False
    SESSION_COOKIE_SECURE = True

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        super().__init__(env)
        urls = {"DATABASE_URL": self.SQLALCHEMY_DATABASE_URI}
        urls |= {f"DATABASE_URL_{k.upper()}": b["url"] for k, b in self.SQLALCHEMY_BINDS.items()}
        problems = unsafe_settings(env, urls)
        if problems:
            raise ConfigError("Refusing to start in production. " + " ".join(problems))


CONFIGS: dict[str, type[Config]] = {
    config.ENV_NAME: config for config in (DevelopmentConfig, TestingConfig, ProductionConfig)
}


def config_for(env: Mapping[str, str] | None = None, default: str = "development") -> Config:
    """Build the config class that ``APP_ENV`` names (``default`` when unset)."""
    env = os.environ if env is None else env
    name = (env.get("APP_ENV", "").strip() or default).lower()
    try:
        config_class = CONFIGS[name]
    except KeyError:
        valid = ", ".join(sorted(CONFIGS))
        raise ConfigError(f"APP_ENV={name!r} is not one of: {valid}.") from None
    return config_class(env)
