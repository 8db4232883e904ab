"""Every database x commit mode bakes and passes its own suite on its real server."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from .baking import bake, make_venv, run, run_suite
from .servers import fresh_database

pytestmark = pytest.mark.slow

DATABASES = ["sqlite", "postgresql", "mysql"]
COMMIT_MODES = ["manual", "autocommit", "autocommit_include_redirect"]

_venvs: dict[str, Path] = {}


@pytest.fixture(scope="session")
def venv_for(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One virtualenv per database choice (their dependencies differ only by driver)."""

    def get(database: str, project: Path) -> Path:
        if database not in _venvs:
            _venvs[database] = make_venv(tmp_path_factory.mktemp("venvs") / database, project)
        return _venvs[database]

    return get


@pytest.mark.parametrize(("database", "commit_mode"), list(itertools.product(DATABASES, COMMIT_MODES)))
def test_baked_suite_passes_on_its_database(
    tmp_path: Path, venv_for, database: str, commit_mode: str  # type: ignore[no-untyped-def]
) -> None:
    project = bake(tmp_path, database=database, commit_mode=commit_mode)
    python = venv_for(database, project)
    with fresh_database(database, commit_mode[:4]) as url:
        run_suite(python, project, {"TEST_DATABASE_URL": url, "DATABASE_COMMIT_MODE": commit_mode})


@pytest.mark.parametrize("database", DATABASES)
def test_migrations_round_trip_from_the_command_line(
    tmp_path: Path, venv_for, database: str  # type: ignore[no-untyped-def]
) -> None:
    project = bake(tmp_path, database=database)
    flask = str(venv_for(database, project).with_name("flask"))
    with fresh_database(database, "mig") as url:
        env = {"DATABASE_URL": url or f"sqlite:///{tmp_path / 'app.db'}"}
        for command in (["upgrade"], ["check"], ["downgrade", "base"], ["upgrade"], ["check"]):
            result = run([flask, "db", *command], project, env)
            assert result.returncode == 0, f"db {command}: {result.stdout}{result.stderr}"
        status = run([flask, "db-status"], project, env)
        assert status.returncode == 0, status.stderr
        assert "up_to_date: True" in status.stdout
