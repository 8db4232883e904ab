"""Apps built from one config alone, as production builds them, for tests of what only
production does (or of an app on a database of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from flask import Flask

from {{ cookiecutter.project_slug }} import create_app, db
from {{ cookiecutter.project_slug }}.config import Config, ProductionConfig

# Everything production insists on; SQLite in memory stands in for the database server.
PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-secret-that-is-long-enough",
    "DATABASE_URL": "sqlite://",
    "ALLOW_SQLITE_IN_PRODUCTION": "1",
}


@contextmanager
def built_app(config: Config) -> Iterator[Flask]:
    """An app built from ``config`` alone; its connections are closed afterwards."""
    app = create_app(config)
    try:
        yield app
    finally:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


def production_app(**settings: str) -> AbstractContextManager[Flask]:
    """An app on ``ProductionConfig``; ``settings`` override variables of ``PRODUCTION_ENV``."""
    return built_app(ProductionConfig({**PRODUCTION_ENV, **settings}))
