"""Settings: one class per environment, chosen by ``APP_ENV``.

Each class is a pydantic-settings model (see :mod:`.settings` for the rules): a field is the
variable of the same name, with its type and default; an environment changes a default by
declaring the field again. A class reads the process environment, then ``.env``, when it is
built, not at import, so tests can build a config from a plain dict: ``TestingConfig({...})``.
What follows from the variables (the URL with its driver, engine options, extra databases) is
worked out once, as the class is built.

A new setting is one line in :class:`Config` (``NAME: type = default``), a line in
``.env.example`` and a row in the README's table; Flask and the app then find it as
``app.config["NAME"]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, PrivateAttr

from .engine import EngineSettings, engine_options, normalise_url
from .pooler import POOLERS
from .production import unsafe_settings
from .server import default_workers
from .settings import (
    PROJECT_ROOT,
    ConfigError,
    Count,
    Flag,
    Networks,
    Positive,
    Settings,
    choice,
    every_variable,
    parse_networks,
)
from .transactions import CommitMode

__all__ = ["CONFIGS", "Config", "ConfigError", "config_for"]

TEST_DATABASE = "{{ cookiecutter.project_slug }}_test"  # on the local server; see TestingConfig
BIND_VARIABLE = re.compile(r"DATABASE_URL_([A-Z][A-Z0-9_]*)")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LogFormat = Annotated[str, BeforeValidator(choice("text", "json"))]
LogLevel = Annotated[str, BeforeValidator(choice(*LOG_LEVELS))]
Pooler = Annotated[str, BeforeValidator(choice(*POOLERS))]
Mode = Annotated[CommitMode, BeforeValidator(choice(*CommitMode))]


class Config(Settings):
    """Settings shared by every environment (the README's table lists them)."""

    ENV_NAME: ClassVar[str] = "base"
    # The name the pages show. Only \ and " are escaped: the pre-gen hook refuses line breaks.
    PROJECT_NAME: ClassVar[str] = "{{ cookiecutter.project_name | replace('\\', '\\\\') | replace('"', '\\"') }}"
    TESTING: ClassVar[bool] = False
    SQLALCHEMY_TRACK_MODIFICATIONS: ClassVar[bool] = False
    # Bound values of a failed statement are left out of its error (and so of the logs).
    HIDE_SQL_PARAMETERS: ClassVar[bool] = True
    SESSION_COOKIE_HTTPONLY: ClassVar[bool] = True
    SESSION_COOKIE_SAMESITE: ClassVar[str] = "Lax"

    SECRET_KEY: str = ""
    FLASK_DEBUG: Flag = False  # Flask's debug mode, for `flask run` and gunicorn alike
    DATABASE_URL: str = "sqlite:///app.db"
    DATABASE_COMMIT_MODE: Mode = CommitMode("{{ cookiecutter.commit_mode }}")
    MAX_CONTENT_LENGTH: Positive = 1024 * 1024
    TRUSTED_PROXIES: Count = 0
    TRUSTED_PROXY_HOST: Count = 0
    TRUSTED_PROXY_PREFIX: Count = 0
    HSTS_MAX_AGE: Count = 0  # seconds; 0 sends no Strict-Transport-Security header
    LOG_FORMAT: LogFormat = "text"
    LOG_LEVEL: LogLevel = "INFO"
    SLOW_QUERY_MS: Count = 500
    # /metrics (see metrics/); gunicorn.conf.py turns it on when serving production.
    METRICS_ENABLED: Flag = False
    METRICS_ALLOW: Networks = Field(default_factory=lambda: parse_networks("127.0.0.0/8, ::1"))
    # The API's document (openapi/): /openapi.json unless turned off, and the /docs page.
    OPENAPI_ENABLED: Flag = True
    DOCS_ENABLED: Flag = True  # production serves /docs only when asked
    MIGRATIONS_DIR: str = str(PROJECT_ROOT / "migrations")
    MIGRATION_STATEMENT_TIMEOUT_MS: Count = 0
    MIGRATION_LOCK_TIMEOUT_MS: Count = 5_000
    WEB_CONCURRENCY: Positive = Field(default_factory=default_workers)
    ALLOW_SQLITE_IN_PRODUCTION: Flag = False
    # Connections: each database takes what applies to it (see engine.py).
    DB_POOL_SIZE: Positive = 5
    DB_MAX_OVERFLOW: Count = 10
    DB_POOL_TIMEOUT: Positive = 10
    DB_POOL_RECYCLE: Positive = 1800
    DB_CONNECT_TIMEOUT: Positive = 5
    DB_STATEMENT_TIMEOUT_MS: Count = 30_000
    DB_POOLER: Pooler = "none"
    DB_PING_IDLE_SECONDS: Count = 5
    DB_READS_WITHOUT_TRANSACTION: Flag = True  # see reads.py and lone_reads.py
    DB_BUSY_TIMEOUT_MS: Count = 5_000
    DB_APPLICATION_NAME: str = "{{ cookiecutter.project_slug }}"
    # Background jobs (README, "Jobs"): the queue chosen when the project was made.
    JOB_QUEUE: ClassVar[str] = "{{ cookiecutter.job_queue }}"
    REDIS_URL: str = "redis://localhost:6379/0"
    JOB_QUEUE_NAME: str = "{{ cookiecutter.project_slug }}"
    JOB_EAGER: Flag = False  # run each job at once, in the process that sends it
    JOB_LEASE_SECONDS: Positive = 300
    JOB_RESEND_SECONDS: Positive = 30
    JOB_RETRIES: Count = 5
    JOB_RETRY_BACKOFF_MS: Positive = 200
    JOB_BROKER_TIMEOUT_MS: Positive = 1000

    _url: str = PrivateAttr()
    _engine: EngineSettings = PrivateAttr()
    _binds: dict[str, str] = PrivateAttr()

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._url = normalise_url(self.DATABASE_URL)
        self._engine = EngineSettings(
            hide_parameters=self.HIDE_SQL_PARAMETERS,
            pool_size=self.DB_POOL_SIZE,
            max_overflow=self.DB_MAX_OVERFLOW,
            pool_timeout=self.DB_POOL_TIMEOUT,
            pool_recycle=self.DB_POOL_RECYCLE,
            connect_timeout=self.DB_CONNECT_TIMEOUT,
            statement_timeout_ms=self.DB_STATEMENT_TIMEOUT_MS,
            pooler=self.DB_POOLER,
            ping_idle_seconds=self.DB_PING_IDLE_SECONDS,
            reads_without_transaction=self.DB_READS_WITHOUT_TRANSACTION,
            sqlite_busy_timeout_ms=self.DB_BUSY_TIMEOUT_MS,
            application_name=self.DB_APPLICATION_NAME,
        )
        variables = self.bind_variables(every_variable(env))
        self._binds = {name: normalise_url(url, name) for name, url in variables.items()}

    def bind_variables(self, env: Mapping[str, str]) -> dict[str, str]:
        """Extra databases: each ``DATABASE_URL_<NAME>`` that is set, by its variable."""
        return {name: url for name, url in env.items() if BIND_VARIABLE.fullmatch(name) and url}

    @property
    def DEBUG(self) -> bool:
        return self.FLASK_DEBUG

    @property
    def SQLALCHEMY_DATABASE_URI(self) -> str:
        return self._url

    @property
    def ENGINE_SETTINGS(self) -> EngineSettings:
        return self._engine

    @property
    def SQLALCHEMY_ENGINE_OPTIONS(self) -> dict[str, Any]:
        return engine_options(self._url, self._engine)

    @property
    def SQLALCHEMY_BINDS(self) -> dict[str, Any]:
        """Flask-SQLAlchemy gives binds only their own options, so each carries its own."""
        return {
            name.removeprefix("DATABASE_URL_").lower(): {
                "url": url,
                **engine_options(url, self._engine),
            }
            for name, url in self._binds.items()
        }

    def as_dict(self) -> dict[str, Any]:
        """The upper-case settings, as ``app.config.from_mapping`` takes them."""
        names = {name for name in dir(self) if name.isupper()}
        return {name: getattr(self, name) for name in names}


class DevelopmentConfig(Config):
    """Local development: debug mode (and ``flask run``'s reloader) on, SQLite in ``instance/``."""

    ENV_NAME = "development"
    HIDE_SQL_PARAMETERS = False  # a failed statement's error shows the values it was given
    FLASK_DEBUG: Flag = True


class TestingConfig(Config):
    """The test suite: ``TEST_DATABASE_URL`` or a test database of the project's kind.

    Tests never touch the databases the app is configured for: ``DATABASE_URL`` is not read,
    and each ``DATABASE_URL_<NAME>`` is in-memory SQLite unless ``TEST_DATABASE_URL_<NAME>``
    names another.
    """

    ENV_NAME = "testing"
    TESTING = True
{%- if cookiecutter.database == "postgresql" %}
    DEFAULT_DATABASE_URL: ClassVar[str] = (
        "postgresql+psycopg://postgres@127.0.0.1:5432/" + TEST_DATABASE
    )
{%- elif cookiecutter.database == "mysql" %}
    DEFAULT_DATABASE_URL: ClassVar[str] = "mysql+pymysql://root@127.0.0.1:3306/" + TEST_DATABASE
{%- else %}
    DEFAULT_DATABASE_URL: ClassVar[str] = "sqlite://"  # the test fixtures make it a file
{%- endif %}
    SECRET_KEY: str = "testing-secret-key-that-is-long-enough-to-pass"  # noqa: S105
    JOB_EAGER: Flag = True
    DATABASE_URL: str = Field(DEFAULT_DATABASE_URL, validation_alias="TEST_DATABASE_URL")

    def bind_variables(self, env: Mapping[str, str]) -> dict[str, str]:
        binds = dict.fromkeys(super().bind_variables(env), "sqlite://")
        tested = {name[5:]: url for name, url in env.items() if name.startswith("TEST_")}
        return binds | super().bind_variables(tested)


class ProductionConfig(Config):
    """Production: settings must come from the environment, and unsafe ones stop the start."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE: ClassVar[bool] = True
    LOG_FORMAT: LogFormat = "json"
    HSTS_MAX_AGE: Count = 365 * 24 * 3600
    DOCS_ENABLED: Flag = False

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        urls = {"DATABASE_URL": self._url, **self._binds}
        problems = unsafe_settings(
            self.SECRET_KEY, self.FLASK_DEBUG, self.ALLOW_SQLITE_IN_PRODUCTION, urls
        )
        if problems:
            raise ConfigError("Refusing to start in production. " + " ".join(problems))


CONFIGS: dict[str, type[Config]] = {
    config.ENV_NAME: config for config in (DevelopmentConfig, TestingConfig, ProductionConfig)
}


class Environment(Settings):
    """``APP_ENV``: which of :data:`CONFIGS` to build."""

    APP_ENV: Annotated[str | None, BeforeValidator(choice(*sorted(CONFIGS)))] = None

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)  # declared for type checkers, which see only its own fields


def config_for(env: Mapping[str, str] | None = None, default: str = "development") -> Config:
    """Build the config class that ``APP_ENV`` names (``default`` when unset)."""
    name = Environment(env).APP_ENV or default
    return CONFIGS[name](env)
