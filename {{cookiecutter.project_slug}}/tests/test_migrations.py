"""Migrations build the schema the models describe, and undo it."""

from __future__ import annotations

from flask import Flask
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect

from {{ cookiecutter.project_slug }} import db


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(migration_app: Flask) -> None:
    with migration_app.app_context():
        upgrade()
        assert table_names() == set(db.metadata.tables)
        downgrade(revision="base")
        assert table_names() == set()
        upgrade()
        assert table_names() == set(db.metadata.tables)


def test_migrations_match_the_models(migration_app: Flask) -> None:
    with migration_app.app_context():
        upgrade()
        check()  # exits with status 1 when the models and the migrations disagree


def test_db_upgrade_command(migration_app: Flask) -> None:
    result = migration_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with migration_app.app_context():
        assert table_names() == set(db.metadata.tables)
