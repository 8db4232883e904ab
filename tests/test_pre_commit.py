"""The baked project's pre-commit configuration: pinned ruff and hygiene hooks it passes."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from .baking import bake, run

# Hook id: the command it runs, and the file suffixes it looks at (None: every file).
HYGIENE: dict[str, tuple[list[str], set[str] | None]] = {
    "trailing-whitespace": (["trailing-whitespace-fixer"], None),
    "end-of-file-fixer": (["end-of-file-fixer"], None),
    "check-yaml": (["check-yaml"], {".yaml", ".yml"}),
    "check-toml": (["check-toml"], {".toml"}),
    "check-added-large-files": (["check-added-large-files"], None),
    "check-merge-conflict": (["check-merge-conflict", "--assume-in-merge"], None),
}


def hooks(project: Path) -> dict[str, dict[str, Any]]:
    """Every hook of ``.pre-commit-config.yaml`` by id, with its repository's ``rev``."""
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {
        hook["id"]: {**hook, "repo": repo["repo"], "rev": repo["rev"]}
        for repo in config["repos"]
        for hook in repo["hooks"]
    }


def test_ruff_lints_with_fixes_then_formats(default_project: Path) -> None:
    found = hooks(default_project)
    assert "--fix" in found["ruff-check"]["args"]
    assert "ruff-format" in found
    assert list(found).index("ruff-check") < list(found).index("ruff-format")


def test_hygiene_hooks_are_present(default_project: Path) -> None:
    assert set(HYGIENE) <= set(hooks(default_project))


def test_every_repository_is_pinned_to_a_release(default_project: Path) -> None:
    for hook in hooks(default_project).values():
        assert re.fullmatch(r"v\d+\.\d+\.\d+", hook["rev"]), hook


def test_pre_commit_is_a_dev_dependency(default_project: Path) -> None:
    pyproject = tomllib.loads((default_project / "pyproject.toml").read_text(encoding="utf-8"))
    dev = pyproject["dependency-groups"]["dev"]
    assert any(re.match(r"pre-commit\b", requirement) for requirement in dev)


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A fresh default bake in a new git repository with every file staged, as at a first
    commit; returns the folder and the staged paths (what git does not ignore)."""
    project = bake(tmp_path_factory.mktemp("precommit"))
    for command in (["git", "init", "--quiet"], ["git", "add", "--all"]):
        result = run(command, project)
        assert result.returncode == 0, result.stderr
    listed = run(["git", "ls-files"], project)
    return project, listed.stdout.splitlines()


@pytest.mark.parametrize("hook", sorted(HYGIENE))
def test_baked_files_already_pass_the_hygiene_hook(
    staged: tuple[Path, list[str]], hook: str
) -> None:
    project, paths = staged
    command, suffixes = HYGIENE[hook]
    files = [path for path in paths if suffixes is None or Path(path).suffix in suffixes]
    assert files
    executable = str(Path(sys.executable).with_name(command[0]))
    result = run([executable, *command[1:], *files], project)
    assert result.returncode == 0, result.stdout + result.stderr
