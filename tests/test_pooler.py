"""Behind PgBouncer in transaction pooling mode, the PostgreSQL bake migrates, serves the API
under concurrent load and still cuts long queries, once ``DB_POOLER=transaction`` says so."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .baking import run
from .pooler import Pooler, transaction_pooler
from .servers import fresh_database
from .serving import migrate, production_env, serve
from .traffic import drive

pytestmark = pytest.mark.slow

BEHIND_THE_POOLER = {"DB_POOLER": "transaction"}
CLIENTS = 8
SECONDS = 5
# Runs two reads that would take 3 s each, in two transactions; prints how each one ended.
LONG_READS = """\
import time
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from {package} import create_app, db

with create_app().app_context():
    for _ in range(2):
        started = time.monotonic()
        try:
            db.session.execute(text("SELECT pg_sleep(3)"))
            print("finished", round(time.monotonic() - started, 2))
        except OperationalError as error:
            print(type(error.orig).__name__, round(time.monotonic() - started, 2))
        db.session.rollback()
"""

# One app connection runs a query often enough for the driver to prepare it, and commits; while
# another holds the server connection it used, it runs the query again on a different one.
REPEATED_QUERY = """\
from sqlalchemy import text
from {package} import create_app, db

QUERY = text("SELECT CAST(:number AS integer) + 1")
with create_app().app_context(), db.engine.connect() as first, db.engine.connect() as second:
    for _ in range(10):
        first.execute(QUERY, {{"number": 1}})
    first.commit()
    second.execute(text("SELECT 1"))
    print(first.execute(QUERY, {{"number": 1}}).scalar_one())
    first.commit()
    second.commit()
"""


def run_in_app(project: Path, python: Path, script: str, env: dict[str, str]) -> str:
    """Run ``script`` (with ``{package}`` filled in) in the project's venv; return its output."""
    code = script.format(package=project.name)
    result = run([str(python), "-c", code], project, env, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def pooler() -> Iterator[Pooler]:
    with transaction_pooler() as running:
        yield running


@pytest.fixture(scope="module")
def database_url(postgres_project: Path) -> Iterator[str]:
    """A new database on the PostgreSQL server, addressed directly."""
    with fresh_database("postgresql", "pooler") as url:
        yield url


def test_without_the_setting_the_pooler_refuses_the_app(
    postgres_project: Path, postgres_python: Path, pooler: Pooler, database_url: str
) -> None:
    flask = str(postgres_python.with_name("flask"))
    env = production_env(pooler.url(database_url))
    result = run([flask, "db", "upgrade"], postgres_project, env, timeout=60)
    assert result.returncode != 0
    assert "unsupported startup parameter: options" in result.stderr


def test_migrations_and_the_api_under_load_work_through_the_pooler(
    postgres_project: Path,
    postgres_python: Path,
    pooler: Pooler,
    database_url: str,
    tmp_path: Path,
) -> None:
    pooled_url = pooler.url(database_url)
    migrate(postgres_project, postgres_python, pooled_url, **BEHIND_THE_POOLER)
    with serve(
        postgres_project,
        postgres_python,
        database_url,
        tmp_path,
        app_database_url=pooled_url,
        # 2 workers x 4 threads may hold 6 app connections: 3 times the pooler's server ones.
        gunicorn_args=("--threads", "4"),
        **BEHIND_THE_POOLER,
    ) as served:
        tally = drive(served.base, CLIENTS, SECONDS, label="pooled")
    print(
        f"\npooled: {tally.requests} requests from {CLIENTS} clients in {tally.seconds:.1f}s, "
        f"{dict(sorted(tally.statuses.items()))}",
        file=sys.stderr,
    )
    assert tally.server_errors() == 0
    assert tally.unexpected() == 0, tally.statuses
    assert tally.requests >= CLIENTS * 20  # the run did real work, not a few requests


def test_the_statement_timeout_cuts_long_reads_through_the_pooler(
    postgres_project: Path, postgres_python: Path, pooler: Pooler, database_url: str
) -> None:
    env = production_env(
        pooler.url(database_url), DB_STATEMENT_TIMEOUT_MS="300", **BEHIND_THE_POOLER
    )
    output = run_in_app(postgres_project, postgres_python, LONG_READS, env)
    outcomes = [line.split() for line in output.splitlines()]
    assert [name for name, _ in outcomes] == ["QueryCanceled", "QueryCanceled"], output
    assert all(float(seconds) < 2 for _, seconds in outcomes), output


def test_statements_are_never_prepared_behind_the_pooler(
    postgres_project: Path, postgres_python: Path, pooler: Pooler, database_url: str
) -> None:
    env = production_env(pooler.url(database_url), **BEHIND_THE_POOLER)
    assert run_in_app(postgres_project, postgres_python, REPEATED_QUERY, env).split() == ["2"]
