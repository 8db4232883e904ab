"""Baking with the defaults gives a clean, linted project with its own secret."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from .baking import leftovers, run, uv

EXPECTED_FILES = [
    ".env",
    ".env.example",
    ".flaskenv",
    ".gitignore",
    "Makefile",
    "README.md",
    "gunicorn.conf.py",
    "manage.py",
    "migrations/env.py",
    "pyproject.toml",
    "constraints.txt",
    "scripts/export_users.py",
    "tests/conftest.py",
    "tests/factories.py",
    "wsgi.py",
    "flask_db_app/__init__.py",
    "flask_db_app/users/service.py",
]


def test_default_bake_has_the_expected_layout(default_project: Path) -> None:
    assert default_project.name == "flask_db_app"
    missing = [name for name in EXPECTED_FILES if not (default_project / name).is_file()]
    assert missing == []
    assert list((default_project / "migrations" / "versions").glob("*.py"))


def test_no_template_syntax_is_left(default_project: Path) -> None:
    assert leftovers(default_project) == []


def test_pyproject_parses_and_declares_the_runtime_packages(default_project: Path) -> None:
    pyproject = tomllib.loads((default_project / "pyproject.toml").read_text())
    names = {re.split(r"[<>=\[ ]", d)[0] for d in pyproject["project"]["dependencies"]}
    assert {"flask", "flask-sqlalchemy", "flask-migrate", "python-dotenv", "gunicorn"} <= names
    # The dev tools are a PEP 735 group, not an extra a published wheel would carry.
    assert "optional-dependencies" not in pyproject["project"]
    dev = {re.split(r"[<>=\[ ]", d)[0] for d in pyproject["dependency-groups"]["dev"]}
    assert {"pytest", "factory-boy", "ruff"} <= dev


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff_passes_on_the_baked_project(default_project: Path, command: list[str]) -> None:
    ruff = str(Path(uv()).with_name("ruff"))
    result = run([ruff, *command], default_project)
    assert result.returncode == 0, result.stdout + result.stderr


def env_file(project: Path) -> dict[str, str]:
    lines = (project / ".env").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def test_env_file_has_a_fresh_long_secret(default_project: Path) -> None:
    env = env_file(default_project)
    assert env["SECRET_KEY"] != "change-me"
    assert len(env["SECRET_KEY"]) >= 43  # 32 random bytes or more, base64-encoded
    assert ".env" in (default_project / ".gitignore").read_text().splitlines()
    assert (default_project / ".env").stat().st_mode & 0o077 == 0


def test_two_bakes_get_different_secrets(cookies: Any) -> None:
    first = cookies.bake(extra_context={"project_slug": "first_app"})
    second = cookies.bake(extra_context={"project_slug": "second_app"})
    assert first.exit_code == second.exit_code == 0
    assert (
        env_file(first.project_path)["SECRET_KEY"] != env_file(second.project_path)["SECRET_KEY"]
    )
