"""Apps built as production builds them, for tests of what only production does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.config import Config, ProductionConfig

from .guards import dispose

# Everything production insists on; SQLite in memory stands in for the database server.
PRODUCTION_ENV = {
    "SECRET_KEY": "a-production-secret-that-is-long-enough",
    "DATABASE_URL": "sqlite://",
    "ALLOW_SQLITE_IN_PRODUCTION": "1",
}


@contextmanager
def app_on(settings: Config) -> Iterator[Flask]:
    """An app built from ``settings`` whose connections are all closed when the block ends.

    A connection left for the garbage collector warns (``ResourceWarning``, SQLite's since
    Python 3.13), and the suite turns warnings into errors.
    """
    app = create_app(settings)
    try:
        yield app
    finally:
        dispose(app)


@contextmanager
def production_app(**settings: str) -> Iterator[Flask]:
    """An app on ``ProductionConfig``; ``settings`` override variables of ``PRODUCTION_ENV``."""
    with app_on(ProductionConfig({**PRODUCTION_ENV, **settings})) as app:
        yield app
