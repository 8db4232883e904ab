"""Fixtures shared by the template's tests: baked projects and virtualenvs, made once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .baking import bake, make_venv
from .servers import require_server
from .serving import ServedApp, serve_on_new_database


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project baked with every default answer."""
    return bake(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def default_python(default_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the default project and only its declared dependencies."""
    return make_venv(tmp_path_factory.mktemp("venv") / "default", default_project)


@pytest.fixture(scope="session")
def postgres_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project baked for PostgreSQL; skipped (failed in CI) without a server to run it on."""
    require_server("postgresql")
    return bake(tmp_path_factory.mktemp("postgresql"), database="postgresql")


@pytest.fixture(scope="session")
def postgres_python(postgres_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the PostgreSQL project and only its declared dependencies."""
    return make_venv(tmp_path_factory.mktemp("venv") / "postgresql", postgres_project)


@pytest.fixture(scope="module")
def production_app(
    postgres_project: Path,
    postgres_python: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServedApp]:
    """The PostgreSQL project on a new database, served by gunicorn as in production.

    Two workers of four threads each: more requests at once than a worker's pool has
    connections, so the pool limit is reached, not just configured.
    """
    workdir = tmp_path_factory.mktemp("served")
    with serve_on_new_database(
        postgres_project,
        postgres_python,
        workdir,
        "served",
        gunicorn_args=("--threads", "4"),
        # Recycle workers every few hundred requests, so the load runs through restarts too.
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_MAX_REQUESTS_JITTER="50",
    ) as served:
        yield served
