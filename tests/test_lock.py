"""Every bake carries the versions this suite tests (``constraints.txt``, see tests/locking.py).

The file must be current against the template's ``pyproject.toml`` (checked offline, from the
template alone), every bake must carry it for pip and for uv, the suite's own installs must be
exactly its pins, and ``uv lock`` of a bake must stay within it.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name
from packaging.version import Version

from . import locking
from .baking import run, uv

REGENERATE = "run `make lock` (tests/locking.py) and commit constraints.txt"


@pytest.fixture(scope="module")
def requirements() -> list[str]:
    return locking.union()[0]


def test_the_constraints_are_current_against_every_rendered_pyproject(
    requirements: list[str],
) -> None:
    problems = locking.stale(locking.CONSTRAINTS.read_text(encoding="utf-8"), requirements)
    assert problems == [], f"constraints.txt is stale: {REGENERATE}\n" + "\n".join(problems)


def test_every_choice_is_rendered(requirements: list[str]) -> None:
    names = {canonicalize_name(line.split("[")[0].split(">")[0]) for line in requirements}
    assert {"psycopg", "pymysql", "pytest", "mypy"} <= names  # a database and the dev group
    pyprojects = locking.rendered_pyprojects()
    pythons = {str(p["project"]["requires-python"]) for p in pyprojects}  # type: ignore[index]
    assert pythons == {">=3.11", ">=3.12", ">=3.13", ">=3.14"}


def without(text: str, name: str) -> str:
    """``text`` without the pin of ``name`` (and its comments)."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if not line.startswith(" "):
            skipping = line.startswith(f"{name}==")
        if not skipping:
            kept.append(line)
    return "".join(kept)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda text: without(text, "flask-wtf"), "flask-wtf<2,>=1.2: no pin"),
        (
            lambda text: text.replace("\nflask==", "\nflask==4.0.0\n#", 1),
            "flask[async]<4,>=3.1: pinned at 4.0.0, outside the range",
        ),
        (
            lambda text: text + "left-over==1.0\n    # via -r template.in\n",
            "left-over: pinned, but nothing requires it",
        ),
    ],
    ids=["unpinned", "out-of-range", "unrequired"],
)
def test_a_stale_constraints_file_is_caught(
    requirements: list[str], edit: object, expected: str
) -> None:
    assert callable(edit)
    problems = locking.stale(edit(locking.CONSTRAINTS.read_text(encoding="utf-8")), requirements)
    assert [problem for problem in problems if problem.startswith(expected)], problems


def test_an_orphaned_dependency_is_caught() -> None:
    text = "flask==3.1.0\n    # via -r template.in\nblinker==1.9.0\n    # via flask\n"
    assert locking.stale(text, ["flask>=3"]) == []
    assert locking.stale(text, ["blinker>=1"]) == [
        "flask: pinned, but nothing requires it",
    ]
    assert locking.stale(text.replace("# via flask", "# via werkzeug"), ["flask>=3"]) == [
        "blinker: pinned, but nothing requires it"
    ]


def pin_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]


def test_the_bake_carries_the_constraints_for_pip_and_for_uv(default_project: Path) -> None:
    carried = (default_project / "constraints.txt").read_text(encoding="utf-8")
    assert carried == locking.CONSTRAINTS.read_text(encoding="utf-8")
    pyproject = tomllib.loads((default_project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["uv"]["constraint-dependencies"] == pin_lines(carried)
    assert len(pin_lines(carried)) > 40


def installed(python: Path) -> dict[str, str]:
    result = run([uv(), "pip", "freeze", "--python", str(python)], python.parent)
    assert result.returncode == 0, result.stderr
    pairs = [line.split("==") for line in result.stdout.splitlines() if "==" in line]
    return {str(canonicalize_name(name)): version for name, version in pairs}


def test_the_suite_installs_exactly_the_pinned_versions(default_python: Path) -> None:
    pinned = {
        name: str(version)
        for name, (version, marker, _) in locking.pins(locking.CONSTRAINTS.read_text()).items()
        if marker is None or Marker(marker).evaluate()
    }
    versions = installed(default_python)
    assert {name: pinned.get(name) for name in versions} == versions
    assert {"flask", "sqlalchemy", "pytest", "mypy"} <= set(versions)  # runtime and dev group


def test_uv_locks_syncs_and_runs_a_bake_within_the_constraints(
    default_project: Path, tmp_path: Path
) -> None:
    project = Path(shutil.copytree(default_project, tmp_path / default_project.name))
    # The pins bind even where the newest release would do: one moved back is what uv takes.
    pyproject = project / "pyproject.toml"
    pinned = locking.pins(locking.CONSTRAINTS.read_text())
    current = f'"iniconfig=={pinned["iniconfig"][0]}"'
    assert current in pyproject.read_text()
    pyproject.write_text(pyproject.read_text().replace(current, '"iniconfig==2.0.0"'))
    pinned["iniconfig"] = (Version("2.0.0"), None, set())
    locked = run([uv(), "lock", "--quiet"], project, timeout=120)
    assert locked.returncode == 0, locked.stderr
    lock = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    versions = {
        str(canonicalize_name(package["name"])): package["version"]
        for package in lock["package"]
        if package["name"] != project.name.replace("_", "-")
    }
    assert {name: str(pinned[name][0]) for name in versions} == versions
    assert versions["iniconfig"] == "2.0.0"
    synced = run([uv(), "sync", "--locked", "--quiet"], project, timeout=180)
    assert synced.returncode == 0, synced.stderr
    env = {"APP_ENV": "development", "DATABASE_URL": "sqlite://", "VIRTUAL_ENV": ""}
    ran = run([uv(), "run", "--locked", "flask", "routes"], project, env, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert "/api/users" in ran.stdout
    assert (project / ".venv" / "bin" / "pytest").exists()  # the dev group, by default
