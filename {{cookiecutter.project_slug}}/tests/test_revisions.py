"""A revision that ``flask db migrate`` writes passes the project's lint as it is, and every
revision file is named by the same scheme (``migrations/alembic.ini``)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Column, ForeignKey, Integer, String, Table

from {{ cookiecutter.project_slug }} import db

PROJECT = Path(__file__).resolve().parent.parent
# <date>_<revision>_<message>.py
SCHEME = re.compile(r"\d{8}_[0-9a-z]+_[0-9a-z_]+\.py")


def test_every_revision_is_named_by_one_scheme() -> None:
    names = sorted(path.name for path in (PROJECT / "migrations" / "versions").glob("*.py"))
    assert names
    assert [name for name in names if not SCHEME.fullmatch(name)] == []


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The project's migrations and lint settings, in a folder of their own."""
    ignored = shutil.ignore_patterns("__pycache__")
    shutil.copytree(PROJECT / "migrations", tmp_path / "migrations", ignore=ignored)
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.fixture
def posts_table() -> Iterator[Table]:
    """A new model's table, as a feature adds one; taken out of the metadata afterwards."""
    table = Table(
        "posts",
        db.metadata,
        Column("id", Integer, primary_key=True),
        Column("title", String(200), nullable=False),
        Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    )
    yield table
    db.metadata.remove(table)


def ruff(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a command built here
        [sys.executable, "-m", "ruff", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.usefixtures("posts_table")
def test_a_new_revision_passes_the_lint_as_written(
    build_app: Callable[..., Flask], empty_database_urls: dict[str, str], project_copy: Path
) -> None:
    versions = project_copy / "migrations" / "versions"
    app = build_app(**empty_database_urls, MIGRATIONS_DIR=str(project_copy / "migrations"))
    runner = app.test_cli_runner()
    before = set(versions.glob("*.py"))
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "migrate", "-m", "add posts"])
    assert result.exit_code == 0, result.output
    [written] = set(versions.glob("*.py")) - before
    assert SCHEME.fullmatch(written.name) and written.name.endswith("_add_posts.py")
    assert "create_table" in written.read_text(encoding="utf-8")
    for command in (["check", "."], ["format", "--check", "."]):
        linted = ruff(project_copy, *command)
        assert linted.returncode == 0, linted.stdout + written.read_text(encoding="utf-8")
