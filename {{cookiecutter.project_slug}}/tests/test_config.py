"""Settings: environments, pool options, and start-up errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.project_slug }} import config, create_app, db, settings
from {{ cookiecutter.project_slug }}.config import (
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    config_for,
)
from {{ cookiecutter.project_slug }}.engine import DatabaseURLError, normalise_url
from {{ cookiecutter.project_slug }}.server import ServerSettings
from {{ cookiecutter.project_slug }}.transactions import CommitMode

from .environments import PRODUCTION_ENV, built_app

FILE_DB = {"DATABASE_URL": "sqlite:////tmp/example.db"}


def test_track_modifications_is_off() -> None:
    assert config.TestingConfig({}).SQLALCHEMY_TRACK_MODIFICATIONS is False
    with built_app(config.TestingConfig({})) as app:
        assert app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] is False


@pytest.mark.parametrize(
    ("app_env", "config_class"),
    [
        ("development", DevelopmentConfig),
        ("testing", config.TestingConfig),
        ("production", ProductionConfig),
        ("PRODUCTION", ProductionConfig),
    ],
)
def test_app_env_picks_the_config_class(app_env: str, config_class: type) -> None:
    env = {**PRODUCTION_ENV, "APP_ENV": app_env, **FILE_DB}
    assert type(config_for(env)) is config_class


def test_unknown_app_env_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="development, production, testing"):
        config_for({"APP_ENV": "staging"})


def test_pool_limits_come_from_the_environment() -> None:
    env = {
        **FILE_DB,
        "DB_POOL_SIZE": "3",
        "DB_MAX_OVERFLOW": "4",
        "DB_POOL_TIMEOUT": "5",
        "DB_POOL_RECYCLE": "600",
    }
    options = DevelopmentConfig(env).SQLALCHEMY_ENGINE_OPTIONS
    assert options == {
        "pool_size": 3,
        "max_overflow": 4,
        "pool_timeout": 5,
        "pool_recycle": 600,
        "connect_args": {"timeout": 5.0},
        "hide_parameters": False,  # development shows a failed statement's values
    }


def test_pool_limits_reach_the_engine(tmp_path: pytest.TempPathFactory) -> None:
    env = {"TEST_DATABASE_URL": f"sqlite:///{tmp_path}/pool.db", "DB_POOL_SIZE": "3"}
    app = create_app(config.TestingConfig(env))
    with app.app_context():
        assert db.engine.pool.size() == 3  # type: ignore[attr-defined]
        db.engine.dispose()


def test_in_memory_sqlite_gets_no_pool_limits() -> None:
    settings = config.TestingConfig({"TEST_DATABASE_URL": "sqlite://", "DB_POOL_SIZE": "3"})
    assert settings.SQLALCHEMY_ENGINE_OPTIONS == {"hide_parameters": True}
    create_app(settings)  # a QueuePool argument here would fail


@pytest.mark.parametrize(
    ("config_class", "hidden"),
    [(DevelopmentConfig, False), (config.TestingConfig, True), (ProductionConfig, True)],
)
def test_only_development_shows_sql_parameters(config_class: type, hidden: bool) -> None:
    """Every database, extra ones too: their errors (and so the logs) leave the values out."""
    env = {**PRODUCTION_ENV, **FILE_DB, "DATABASE_URL_REPORTS": "sqlite:////tmp/reports.db"}
    settings = config_class(env)
    assert settings.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is hidden
    assert settings.SQLALCHEMY_BINDS["reports"]["hide_parameters"] is hidden


@pytest.mark.parametrize("name", ["DB_POOL_SIZE", "DB_POOL_TIMEOUT", "DB_MAX_OVERFLOW"])
@pytest.mark.parametrize("value", ["many", "-1", "1.5"])
def test_bad_pool_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        DevelopmentConfig({**FILE_DB, name: value})


def test_commit_mode_setting() -> None:
    settings = config.TestingConfig({"DATABASE_COMMIT_MODE": "AutoCommit"})
    assert settings.DATABASE_COMMIT_MODE is CommitMode.AUTOCOMMIT


def test_unknown_commit_mode_fails_at_start_up_listing_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="manual, autocommit, autocommit_include_redirect"):
        create_app(config.TestingConfig({"DATABASE_COMMIT_MODE": "sometimes"}))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
        ("postgresql+psycopg://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
        ("mysql://u:p@db/app", "mysql+pymysql://u:p@db/app"),
        ("mariadb://u:p@db/app", "mysql+pymysql://u:p@db/app"),
        ("sqlite:///app.db", "sqlite:///app.db"),
    ],
)
def test_urls_get_an_explicit_driver(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


@pytest.mark.parametrize("url", ["not a url", "postgresql://u:s3cret@db:port/app"])
def test_malformed_url_shows_the_expected_form_with_the_password_masked(url: str) -> None:
    with pytest.raises(DatabaseURLError, match="Expected a form like") as caught:
        DevelopmentConfig({"DATABASE_URL": url})
    assert "s3cret" not in str(caught.value)


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(DatabaseURLError, match="oracle"):
        normalise_url("oracle://u:p@db/app")


@pytest.mark.parametrize(
    ("raw", "on"),
    [
        *[("1", True), ("true", True), ("Yes", True), ("ON", True), ("y", True)],
        *[("0", False), ("false", False), ("no", False), ("Off", False), ("", False)],
        *[(" yes ", True), ("off ", False)],  # spaces around it, as flask reads it
    ],
)
def test_every_on_off_setting_reads_the_same_words_alike(raw: str, on: bool) -> None:
    """The app's and gunicorn's: FLASK_DEBUG=y and GUNICORN_PRELOAD=y are both on."""
    assert config.TestingConfig({"FLASK_DEBUG": raw}).DEBUG is on
    assert config.TestingConfig({"METRICS_ENABLED": raw}).METRICS_ENABLED is on
    assert ServerSettings({"GUNICORN_PRELOAD": raw}).GUNICORN_PRELOAD is on


@pytest.mark.parametrize("name", ["FLASK_DEBUG", "METRICS_ENABLED", "GUNICORN_PRELOAD"])
def test_an_on_off_setting_that_is_neither_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name}='maybe' is not yes or no: set 1, true"):
        (ServerSettings if name.startswith("GUNICORN") else config.TestingConfig)({name: "maybe"})


def test_every_bad_value_is_named_in_one_line() -> None:
    with pytest.raises(ConfigError) as refused:
        config.TestingConfig({"DB_POOL_SIZE": "0", "LOG_FORMAT": "xml", "SLOW_QUERY_MS": "soon"})
    assert str(refused.value) == (
        "LOG_FORMAT='xml' is not one of: text, json. "
        "SLOW_QUERY_MS must be a whole number, got 'soon'. "
        "DB_POOL_SIZE must be at least 1, got 0."
    )


def test_gunicorn_reads_its_numbers_by_the_same_rules() -> None:
    settings = ServerSettings({"PORT": "9000", "GUNICORN_TIMEOUT": "0", "WEB_CONCURRENCY": "3"})
    assert (settings.bind, settings.GUNICORN_TIMEOUT, settings.WEB_CONCURRENCY) == (
        "0.0.0.0:9000",
        0,
        3,
    )
    with pytest.raises(ConfigError, match=r"^WEB_CONCURRENCY must be at least 1, got 0\.$"):
        ServerSettings({"WEB_CONCURRENCY": "0"})


@pytest.fixture
def dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``.env`` the settings read in place of the project's, beside a known environment."""
    path = tmp_path / ".env"
    path.write_text(
        "LOG_LEVEL=ERROR\nSLOW_QUERY_MS=7\nDATABASE_URL_REPORTS=sqlite:////tmp/reports.db\n"
    )
    monkeypatch.setattr(settings, "ENV_FILE", path)
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("PYTHON_DOTENV_DISABLED", raising=False)
    return path


def test_the_environment_wins_over_dotenv(dotenv: Path) -> None:
    read = DevelopmentConfig()
    assert (read.LOG_LEVEL, read.SLOW_QUERY_MS) == ("DEBUG", 7)
    assert read.SQLALCHEMY_BINDS["reports"]["url"] == "sqlite:////tmp/reports.db"


def test_dotenv_is_skipped_when_disabled(dotenv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_DOTENV_DISABLED", "1")
    read = DevelopmentConfig()
    assert read.SLOW_QUERY_MS == 500
    assert "reports" not in read.SQLALCHEMY_BINDS
