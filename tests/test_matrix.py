"""Every database x commit mode bakes and passes its own suite (or its mode-dependent part) on its
real server."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from .baking import bake, run, run_suite
from .http import free_port
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
    # The whole suite once per database, in the first mode. In the others, the tests whose
    # requests run in the baked default mode (the tests of the modes themselves cover each one
    # in every bake).
    scope = [] if commit_mode == COMMIT_MODES[0] else ["tests/users", "tests/web"]
    with fresh_database(database, commit_mode[:4]) as url:
        # The baked default commit mode is in force: no DATABASE_COMMIT_MODE is set here. Two
        # workers, as users run it: each makes test databases of its own on the server.
        run_suite(python, project, {"TEST_DATABASE_URL": url}, "-n", "2", *scope)


# Each queue once on a database other than PostgreSQL (tests/test_jobs.py runs both on it).
QUEUE_BAKES = [("celery", "mysql"), ("rq", "sqlite")]


@pytest.mark.parametrize(("job_queue", "database"), QUEUE_BAKES)
def test_a_queue_bakes_job_tests_pass_on_its_database(
    tmp_path: Path, job_queue: str, database: str
) -> None:
    project = bake(tmp_path, database=database, job_queue=job_queue)
    # SQLite needs no driver: the queue's PostgreSQL virtualenv (test_jobs.py's) serves it.
    key = f"{'postgresql' if database == 'sqlite' else database}-{job_queue}"
    python = venv_for(key, project)
    scope = ["tests/jobs", "tests/users/test_imports.py", "tests/health"]
    with fresh_database(database, job_queue[:4]) as url:
        env = {"TEST_DATABASE_URL": url} if url else {}
        run_suite(python, project, env, "-n", "2", *scope)


@pytest.mark.parametrize("database", ["postgresql", "mysql"])
def test_a_suite_whose_server_does_not_answer_stops_with_one_line(
    tmp_path: Path, database: str
) -> None:
    project = bake(tmp_path, database=database)
    python = venv_for(database, project)
    # Nothing listens on the port: the baked default URL, with another port.
    url = {
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:{}/x",
        "mysql": "mysql+pymysql://root@127.0.0.1:{}/x",
    }[database]
    env = {"TEST_DATABASE_URL": url.format(free_port())}
    result = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert result.returncode != 0
    assert "does not answer. Start it" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert len((result.stdout + result.stderr).strip().splitlines()) <= 3, result.stdout


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
