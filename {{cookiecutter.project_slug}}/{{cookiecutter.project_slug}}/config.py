"""Settings: one class per environment, chosen by ``APP_ENV``.

Values come from the process environment, then from ``.env`` (loaded by the factory); the
environment wins. Each class reads the environment when it is instantiated, not at import, so
tests can build a config from a plain dict.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .engine import engine_options, normalise_url
from .transactions import parse_commit_mode

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


def pool_settings(env: Mapping[str, str]) -> dict[str, int]:
    """Pool limits from ``DB_POOL_*``; applied only where the pool accepts them."""
    return {
        "pool_size": env_int(env, "DB_POOL_SIZE", 5, minimum=1),
        "max_overflow": env_int(env, "DB_MAX_OVERFLOW", 10),
        "pool_timeout": env_int(env, "DB_POOL_TIMEOUT", 10, minimum=1),
        "pool_recycle": env_int(env, "DB_POOL_RECYCLE", 1800, minimum=1),
    }


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    DEFAULT_DATABASE_URL = "sqlite:///app.db"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        self.DATABASE_COMMIT_MODE = parse_commit_mode(env.get("DATABASE_COMMIT_MODE", "manual"))
        self.MIGRATIONS_DIR = env.get("MIGRATIONS_DIR") or str(PROJECT_ROOT / "migrations")
        url = normalise_url(env.get("DATABASE_URL") or self.DEFAULT_DATABASE_URL)
        pool = pool_settings(env)
        self.SQLALCHEMY_DATABASE_URI = url
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = engine_options(url, pool)

    def as_dict(self) -> dict[str, Any]:
        """The upper-case settings, as ``app.config.from_mapping`` takes them."""
        names = {name for name in dir(self) if name.isupper()}
        return {name: getattr(self, name) for name in names}


class DevelopmentConfig(Config):
    """Local development: debug on, SQLite file in ``instance/`` unless told otherwise."""

    ENV_NAME = "development"
    DEBUG = True


class TestingConfig(Config):
    """The test suite: ``TEST_DATABASE_URL`` or in-memory SQLite, fixed secret."""

    ENV_NAME = "testing"
    TESTING = True
    DEFAULT_DATABASE_URL = "sqlite:///:memory:"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = dict(os.environ if env is None else env)
        env["DATABASE_URL"] = env.get("TEST_DATABASE_URL", "")
        env.setdefault("SECRET_KEY", "testing-secret-key-that-is-long-enough-to-pass")
        super().__init__(env)


class ProductionConfig(Config):
    """Production: settings must come from the environment."""

    ENV_NAME = "production"


CONFIGS: dict[str, type[Config]] = {
    config.ENV_NAME: config for config in (DevelopmentConfig, TestingConfig, ProductionConfig)
}


def config_for(env: Mapping[str, str] | None = None) -> Config:
    """Build the config class that ``APP_ENV`` names (``development`` when unset)."""
    env = os.environ if env is None else env
    name = env.get("APP_ENV", "development").strip().lower()
    try:
        config_class = CONFIGS[name]
    except KeyError:
        valid = ", ".join(sorted(CONFIGS))
        raise ConfigError(f"APP_ENV={name!r} is not one of: {valid}.") from None
    return config_class(env)
