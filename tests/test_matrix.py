"""Every database x commit mode bakes and passes its own suite on its real server."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from .baking import bake, run, run_suite
from .servers import fresh_database
from .venvs import venv_for

pytestmark = pytest.mark.slow

DATABASES = ["sqlite", "postgresql", "mysql"]
COMMIT_MODES = ["manual", "autocommit", "autocommit_include_redirect"]


@pytest.mark.parametrize(
    ("database", "commit_mode"), list(itertools.product(DATABASES, COMMIT_MODES))
)
def test_baked_suite_passes_on_its_database(
    tmp_path: Path, database: str, commit_mode: str
) -> None:
    project = bake(tmp_path, database=database, commit_mode=commit_mode)
    python = venv_for(database, project)
    with fresh_database(database, commit_mode[:4]) as url:
        # The baked default commit mode is in force: no DATABASE_COMMIT_MODE is set here.
        run_suite(python, project, {"TEST_DATABASE_URL": url})


@pytest.mark.parametrize("database", DATABASES)
def test_migrations_round_trip_from_the_command_line(tmp_path: Path, database: str) -> None:
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
