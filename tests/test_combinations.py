"""Every combination of the template's choices bakes into a clean, parsed, linted, typed project.

All combinations are enumerated from ``cookiecutter.json`` (no sampling), and baked by as many
processes as there are cores (``tests/bakery.py``). Linting runs once
over all bakes (each file under its own project's settings, so its own target version); type
checking runs once per distinct package source, since bakes whose package files are identical
get identical results, with one mypy cache per target version, so the libraries the packages
import are analysed once per version rather than once per package.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values

from .bakery import bake_many
from .baking import TEMPLATE, leftovers, run
from .venvs import venv_for

# One worker bakes them all: under ``pytest -n``, a module fixture is made once per worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("combinations")]

CHOICES = {
    name: values
    for name, values in json.loads((TEMPLATE / "cookiecutter.json").read_text()).items()
    if isinstance(values, list) and not name.startswith("_")
}
COMBINATIONS = [
    dict(zip(CHOICES, values, strict=True)) for values in itertools.product(*CHOICES.values())
]


def label(answers: dict[str, str]) -> str:
    return "-".join(answers.values()).replace(".", "")


@pytest.fixture(scope="module")
def baked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every combination, baked once for the whole module."""
    root = tmp_path_factory.mktemp("combinations")
    projects = bake_many((root / label(answers), answers) for answers in COMBINATIONS)
    return {
        label(answers): project for answers, project in zip(COMBINATIONS, projects, strict=True)
    }


def test_every_combination_is_enumerated() -> None:
    expected = 1
    for values in CHOICES.values():
        expected *= len(values)
    assert len(COMBINATIONS) == expected >= 108
    assert {"python_version", "database", "commit_mode", "use_docker", "ci"} <= set(CHOICES)


@pytest.mark.parametrize("answers", COMBINATIONS, ids=label)
def test_combination_bakes_and_parses(baked: dict[str, Path], answers: dict[str, str]) -> None:
    project = baked[label(answers)]
    assert leftovers(project) == []
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    version = answers["python_version"]
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["mypy"]["python_version"] == version
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{version.replace('.', '')}"
    for path in [*project.rglob("*.yaml"), *project.rglob("*.yml")]:
        assert yaml.safe_load(path.read_text()) is not None, path
    env = dotenv_values(project / ".env")
    assert env["DATABASE_COMMIT_MODE"] == answers["commit_mode"]
    assert (env["DATABASE_URL"] or "").startswith(
        {"sqlite": "sqlite", "postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}[
            answers["database"]
        ]
    )
    assert (project / "Dockerfile").exists() is (answers["use_docker"] == "yes")
    assert (project / ".github").exists() is (answers["ci"] == "github")


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_passes_on_every_combination(baked: dict[str, Path], command: list[str]) -> None:
    ruff = str(Path(sys.executable).with_name("ruff"))  # installed beside the test runner
    projects = [str(path) for path in baked.values()]
    result = run([ruff, *command, *projects], TEMPLATE)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def package_digest(project: Path) -> str:
    """A hash of the package's files and the Python version mypy is told to check for."""
    digest = hashlib.sha256(
        (project / "pyproject.toml").read_text().split("[tool.mypy]")[1].encode()
    )
    for path in sorted((project / project.name).rglob("*.py")):
        digest.update(path.relative_to(project).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_mypy_strict_passes_on_every_combination(baked: dict[str, Path], tmp_path: Path) -> None:
    distinct: dict[str, Path] = {}
    for project in baked.values():
        distinct.setdefault(package_digest(project), project)
    print(f"mypy: {len(distinct)} distinct packages among {len(baked)} bakes")
    any_project = next(iter(baked.values()))
    mypy = str(venv_for("sqlite", any_project).with_name("mypy"))
    for project in distinct.values():
        version = mypy_version(project)
        cache = tmp_path / f"mypy-{version}"
        command = [mypy, "--strict", "--python-version", version, "--cache-dir", str(cache)]
        result = run(command, project)
        assert result.returncode == 0, f"{project} ({version}): {result.stdout}{result.stderr}"


def mypy_version(project: Path) -> str:
    """The Python version a baked project tells mypy to check for."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return str(pyproject["tool"]["mypy"]["python_version"])
