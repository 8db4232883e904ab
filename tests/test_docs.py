"""The docs describe what is there: every baked file in the baked README, every option in ours."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .baking import TEMPLATE, bake

ROW = re.compile(r"^\| `([^`]+)` \|", re.MULTILINE)


def table_paths(readme: str, heading: str, until: str) -> set[str]:
    """The first-column paths of the tables between two lines of a README."""
    start = readme.index(heading)
    section = readme[start : readme.index(until, start)]
    return set(ROW.findall(section))


def listed_entries(folder: Path) -> set[str]:
    """A folder's entries as the README names them: folders with a trailing slash."""
    return {path.name + "/" if path.is_dir() else path.name for path in folder.iterdir()}


@pytest.fixture(
    scope="module",
    params=[{}, {"ci": "none", "use_docker": "no"}, {"database": "postgresql"}],
    ids=["defaults", "no-ci-no-docker", "postgresql"],
)
def fresh_project(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A project no test has run in, so it holds only what baking made."""
    return bake(tmp_path_factory.mktemp("docs"), **request.param)


def test_readme_table_lists_exactly_the_top_level_files(fresh_project: Path) -> None:
    readme = (fresh_project / "README.md").read_text(encoding="utf-8")
    documented = table_paths(readme, "## Files", "In the package:")
    assert documented == listed_entries(fresh_project)


def test_readme_table_lists_exactly_the_package_modules(fresh_project: Path) -> None:
    readme = (fresh_project / "README.md").read_text(encoding="utf-8")
    documented = table_paths(readme, "In the package:", "## Updating from the template")
    assert documented == listed_entries(fresh_project / fresh_project.name)


def test_template_readme_has_a_row_for_every_option_and_choice() -> None:
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    rows = {
        option: line
        for line in readme.splitlines()
        for option in re.findall(r"`(\w+)`", line.split("|")[1] if line.startswith("|") else "")
    }
    options = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    for option, default in options.items():
        if option.startswith("_"):
            continue
        assert option in rows, f"no row for {option}"
        for choice in default if isinstance(default, list) else []:
            assert choice in rows[option], f"{option}: {choice} is not described"


def test_template_readme_gives_the_update_and_lock_commands() -> None:
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    assert "cruft create https://github.com/" in readme
    assert "make lock" in readme
