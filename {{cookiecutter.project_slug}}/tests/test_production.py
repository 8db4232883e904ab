"""Production refuses to start with settings that are unsafe to serve traffic with."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest

from {{ cookiecutter.project_slug }}.config import ConfigError, ProductionConfig

from .environments import PRODUCTION_ENV, production_app

SERVER_DATABASE = {"DATABASE_URL": "postgresql://app:pw@db.internal:5432/app"}


def without(*names: str) -> dict[str, str]:
    return {key: value for key, value in PRODUCTION_ENV.items() if key not in names}


def test_a_safe_production_config_starts() -> None:
    with production_app() as app:
        assert app.debug is False
        assert app.test_client().get("/healthz").status_code == 200


def test_refuses_a_missing_secret_key() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        ProductionConfig(without("SECRET_KEY"))


def test_refuses_a_short_secret_key() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY has 31 characters; set one of at least 32"):
        ProductionConfig({**PRODUCTION_ENV, "SECRET_KEY": "k" * 31})


@pytest.mark.parametrize("key", ["change-me", "  change-me  ", "CHANGE-ME" + "x7Qp2Lm9" * 4])
def test_refuses_the_example_secret_key_even_padded(key: str) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is still the example value") as refused:
        ProductionConfig({**PRODUCTION_ENV, "SECRET_KEY": key})
    assert "secrets.token_urlsafe(48)" in str(refused.value)


@pytest.mark.parametrize("key", ["a" * 32, "ab" * 20, "password" * 4, "secret12" * 5])
def test_refuses_a_secret_key_that_is_not_random(key: str) -> None:
    with pytest.raises(ConfigError, match="different characters, so it is not random") as refused:
        ProductionConfig({**PRODUCTION_ENV, "SECRET_KEY": key})
    assert "secrets.token_urlsafe(48)" in str(refused.value)


@pytest.mark.parametrize(
    "make_key", [secrets.token_urlsafe, secrets.token_hex, lambda: secrets.token_hex(16)]
)
def test_accepts_random_keys_as_secrets_makes_them(make_key: Callable[[], str]) -> None:
    """Hex digits have only 16 symbols: a random hex key must pass all the same."""
    for _ in range(200):
        settings = ProductionConfig({**PRODUCTION_ENV, "SECRET_KEY": make_key()})
        assert settings.SECRET_KEY  # built: nothing was refused


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_refuses_debug_mode(value: str) -> None:
    with pytest.raises(ConfigError, match="FLASK_DEBUG is on"):
        ProductionConfig({**PRODUCTION_ENV, "FLASK_DEBUG": value})


@pytest.mark.parametrize("value", ["", "0", "false", "no"])
def test_debug_switched_off_is_fine(value: str) -> None:
    assert ProductionConfig({**PRODUCTION_ENV, "FLASK_DEBUG": value}).DEBUG is False


def test_refuses_sqlite_unless_allowed() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL points at SQLite") as refused:
        ProductionConfig(without("ALLOW_SQLITE_IN_PRODUCTION"))
    assert "ALLOW_SQLITE_IN_PRODUCTION=1" in str(refused.value)


def test_refuses_an_extra_sqlite_database_unless_allowed() -> None:
    env = {**without("ALLOW_SQLITE_IN_PRODUCTION"), **SERVER_DATABASE}
    with pytest.raises(ConfigError, match="DATABASE_URL_REPORTS points at SQLite"):
        ProductionConfig({**env, "DATABASE_URL_REPORTS": "sqlite:////srv/reports.db"})


def test_a_database_server_needs_no_permission() -> None:
    config = ProductionConfig({**without("ALLOW_SQLITE_IN_PRODUCTION"), **SERVER_DATABASE})
    assert config.SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://")


def test_every_problem_is_reported_at_once() -> None:
    env = {**without("SECRET_KEY", "ALLOW_SQLITE_IN_PRODUCTION"), "FLASK_DEBUG": "1"}
    with pytest.raises(ConfigError) as refused:
        ProductionConfig(env)
    message = str(refused.value)
    for variable in ("SECRET_KEY", "FLASK_DEBUG", "DATABASE_URL"):
        assert variable in message
