"""``db-status`` and the start-up check that pools fit the server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from uuid import uuid4

import pytest
from flask import Flask

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.diagnostics import (
    check_pools,
    migration_heads,
    pool_capacity_problem,
    pool_recycle_problem,
)


def test_db_status_reports_url_dialect_revisions_and_pool(migration_app: Flask) -> None:
    runner = migration_app.test_cli_runner()
    before = runner.invoke(args=["db-status"])
    assert before.exit_code == 0, before.output
    assert "revision: none" in before.output
    assert "Run `flask db upgrade`" in before.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    after = runner.invoke(args=["db-status"])
    for line in ("bind: default", "dialect: ", "server_version: ", "pool: "):
        assert line in after.output
    heads = ", ".join(migration_heads(migration_app))
    with migration_app.app_context():
        binds = len(db.engines)
    assert after.output.count(f"revision: {heads}\n") == binds
    assert after.output.count("up_to_date: True") == binds


def test_db_status_masks_the_password(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "sqlite":
        pytest.skip("SQLite URLs carry no password")
    with user_with_password(app, "s3cret-pass") as username:
        with_password = url.set(username=username, password="s3cret-pass")
        app = make_app(TEST_DATABASE_URL=with_password.render_as_string(hide_password=False))
        result = app.test_cli_runner().invoke(args=["db-status"])
    assert result.exit_code == 0, result.output
    assert "s3cret-pass" not in result.output
    assert ":***@" in result.output


@contextmanager
def user_with_password(app: Flask, password: str) -> Iterator[str]:
    """A database user that logs in with ``password`` (PostgreSQL's test server trusts all)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "mysql":
        yield str(engine.url.username)
        return
    # Users belong to the whole server: a name of its own, so that runs beside this one (another
    # project's suite, pytest -n) do not create the same user.
    username = f"masked_{uuid4().hex[:10]}"
    with engine.connect() as connection:
        database = connection.exec_driver_sql("SELECT DATABASE()").scalar_one()
        # %% is a literal % here: the driver formats SQL even when there are no parameters.
        connection.exec_driver_sql(f"CREATE USER '{username}'@'%%' IDENTIFIED BY '{password}'")
        connection.exec_driver_sql(f"GRANT ALL ON `{database}`.* TO '{username}'@'%%'")
    try:
        yield username
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP USER '{username}'@'%%'")


def test_capacity_problem_names_the_numbers_and_the_fix(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(WEB_CONCURRENCY="4", DB_POOL_SIZE="5", DB_MAX_OVERFLOW="10")
    with app.app_context():
        problem = pool_capacity_problem(app, db.engine, server_limit=50)
        fits = pool_capacity_problem(app, db.engine, server_limit=60)
    assert problem is not None
    assert "4 workers x (DB_POOL_SIZE 5 + DB_MAX_OVERFLOW 10) = 60" in problem
    assert "accepts 50" in problem
    assert "Lower WEB_CONCURRENCY" in problem
    assert fits is None


def test_start_up_check_against_the_real_server(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(WEB_CONCURRENCY="1000")
    with app.app_context():
        # SQLite has no connection limit to exceed; every server database gets a warning.
        on_servers = [e for e in db.engines.values() if e.dialect.name != "sqlite"]
    problems = check_pools(app)
    assert len(problems) == len(on_servers)
    assert all("1000 workers" in problem for problem in problems)
    assert caplog.text.count("Pool settings for") == len(on_servers)


def test_recycle_problem_names_the_server_limit(make_app: Callable[..., Flask]) -> None:
    app = make_app(DB_POOL_RECYCLE="600")
    assert pool_recycle_problem(app, server_idle_limit=601) is None
    assert pool_recycle_problem(app, server_idle_limit=None) is None
    problem = pool_recycle_problem(app, server_idle_limit=600)
    assert problem == (
        "DB_POOL_RECYCLE is 600 s, but the server closes connections idle for 600 s "
        "(wait_timeout). Set DB_POOL_RECYCLE below 600."
    )


def test_start_up_check_reads_the_servers_idle_limit(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(DB_POOL_RECYCLE="10000000")
    with app.app_context():
        mysql = [e for e in db.engines.values() if e.dialect.name == "mysql"]
    problems = [problem for problem in check_pools(app) if "wait_timeout" in problem]
    assert len(problems) == len(mysql)  # only MySQL/MariaDB closes idle connections itself
