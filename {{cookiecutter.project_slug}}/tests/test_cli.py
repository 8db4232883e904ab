"""Project commands, run through Flask's CLI runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text

from {{ cookiecutter.project_slug }} import db as _db
from {{ cookiecutter.project_slug }}.cli import shell_context
from {{ cookiecutter.project_slug }}.diagnostics import migration_heads
from {{ cookiecutter.project_slug }}.users.models import User


def migration_head(db: Any) -> str | None:
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def count_users(db: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_seed_adds_the_number_asked_for(runner: FlaskCliRunner, db: Any) -> None:
    result = runner.invoke(args=["seed", "--count", "25", "--batch-size", "10"])
    assert result.exit_code == 0, result.output
    assert "Added 25 users." in result.output
    assert count_users(db) == 25
    emails = db.session.scalars(select(User.email)).all()
    assert len(set(emails)) == 25


def test_seed_twice_adds_twice(runner: FlaskCliRunner, db: Any) -> None:
    for _ in range(2):
        assert runner.invoke(args=["seed", "--count", "3"]).exit_code == 0
    assert count_users(db) == 6


def test_seed_refuses_a_bad_count(runner: FlaskCliRunner, db: Any) -> None:
    result = runner.invoke(args=["seed", "--count", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--count'" in result.output
    assert count_users(db) == 0


def test_init_db_migrates_and_is_safe_to_run_twice(migration_app: Flask) -> None:
    runner = migration_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "newest migration" in result.output
    with migration_app.app_context():
        assert count_users(_db) == 0
        assert (migration_head(_db),) == migration_heads(migration_app)


def test_db_commands_come_from_flask_migrate(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["db", "--help"])
    assert result.exit_code == 0
    for command in ("upgrade", "downgrade", "migrate", "check"):
        assert command in result.output


def test_shell_offers_db_and_the_models(app: Flask) -> None:
    with app.app_context():
        context = app.make_shell_context()
    assert context["User"] is User
    assert context == {**context, **shell_context()}


# A feature's new model, defined before the app is built as a feature's models are.
NEW_MODEL = """
from sqlalchemy.orm import Mapped, mapped_column
from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.config import TestingConfig
from {{ cookiecutter.project_slug }}.database import Model

class Note(Model):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)

app = create_app(TestingConfig({"TEST_DATABASE_URL": "sqlite://"}))
with app.app_context():
    print(" ".join(sorted(app.make_shell_context())))
"""


def test_shell_offers_a_new_model_without_being_told() -> None:
    result = subprocess.run(  # noqa: S603 - a command built here
        [sys.executable, "-c", NEW_MODEL],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert {"db", "User", "Note"} <= set(result.stdout.split()), result.stdout
