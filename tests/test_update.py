"""A baked project takes in template updates with cruft, as a patch that keeps its own edits.

A throwaway git repository holds a copy of this template at an older and a newer commit; a
project made by ``cruft create`` from the older one, then edited as a user would, is updated
to the newer one by ``cruft update``. The project also keeps its answers in ``.cookiecutter.json``
(a replay file), so a plain ``cookiecutter`` bake can still be linked to the template later.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from .baking import TEMPLATE, bake

ANSWERS_FILE = ".cookiecutter.json"
NON_DEFAULT = {
    "project_name": 'Ledger "Quoted" Zoë',
    "project_slug": "ledger",
    # Given on the command line, so cookiecutter renders it once: it becomes "{{ balanced }}".
    "description": "{% raw %}Books {{ balanced }}, \\ always.{% endraw %}",
    "author_name": "O'Neil",
    "python_version": "3.12",
    "database": "postgresql",
    "commit_mode": "autocommit",
    "use_docker": "no",
    "ci": "none",
}


def contents(project: Path) -> dict[str, bytes]:
    """Every file of a project by relative path, with ``.env``'s secret blanked out."""
    files = {}
    for path in sorted(project.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == ".env":
                data = re.sub(rb"(?m)^SECRET_KEY=.*$", b"SECRET_KEY=", data)
            files[str(path.relative_to(project))] = data
    return files


def rebake(project: Path, output_dir: Path) -> Path:
    """Bake again from the project's stored answers, as its README says."""
    replay = str(project / ANSWERS_FILE)
    return Path(cookiecutter(str(TEMPLATE), replay=replay, output_dir=str(output_dir)))


@pytest.mark.parametrize("answers", [{}, NON_DEFAULT], ids=["defaults", "other-answers"])
def test_rebaking_from_the_stored_answers_reproduces_the_project(
    tmp_path: Path, answers: dict[str, str]
) -> None:
    original = bake(tmp_path / "first", **answers)
    again = rebake(original, tmp_path / "second")
    assert again.name == original.name
    assert contents(again) == contents(original)
    first_secret = (original / ".env").read_text()
    assert first_secret != (again / ".env").read_text()


def test_the_answers_file_holds_the_answers_and_the_template(tmp_path: Path) -> None:
    project = bake(tmp_path, **NON_DEFAULT)
    stored = json.loads((project / ANSWERS_FILE).read_text(encoding="utf-8"))["cookiecutter"]
    expected = {**NON_DEFAULT, "description": "Books {{ balanced }}, \\ always."}
    assert {key: stored[key] for key in NON_DEFAULT} == expected
    assert stored["_template"] == str(TEMPLATE)
    assert not [key for key in stored if key.startswith("_") and key != "_template"]


# -- cruft --------------------------------------------------------------------------------------

CRUFT = str(Path(sys.executable).with_name("cruft"))
PROJECT_TEMPLATE = "{{cookiecutter.project_slug}}"
# The user's edits and the template's changes between the two commits, each a (file, old, new)
# replacement: in the README they touch different places, in the Makefile the same line.
USER_EDITS = [
    ("README.md", "## Install\n", "## Install\n\nOur team installs with `uv sync` only.\n"),
    ("Makefile", "PYTHON ?= python3\n", "PYTHON ?= python3.12\n"),
]
TEMPLATE_CHANGES = [
    ("README.md", "## Run\n", "## Run\n\nEvery command below also runs under `uv run`.\n"),
    ("Makefile", "PYTHON ?= python3\n", "PYTHON ?= python3.13\n"),
]


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - arguments built here
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],  # noqa: S607
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"git {args}: {result.stdout}{result.stderr}"
    return result.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: {old!r} is not there exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def cruft(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run cruft with nothing to read on stdin: a prompt would fail the command, not wait."""
    return subprocess.run(  # noqa: S603 - arguments built here
        [CRUFT, *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A git copy of this template (its working tree), at an older and a newer commit."""
    repo = tmp_path_factory.mktemp("template-repo") / "flask-db-template"
    listed = git(TEMPLATE, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        if (TEMPLATE / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE / name, repo / name)
    git(repo, "init", "--quiet", "--initial-branch", "main")
    older = commit_all(repo, "older")
    for name, old, new in TEMPLATE_CHANGES:
        replace_in(repo / PROJECT_TEMPLATE / name, old, new)
    newer = commit_all(repo, "newer")
    return repo, older, newer


@pytest.fixture
def created(template_repo: tuple[Path, str, str], tmp_path: Path) -> Path:
    """A project made by ``cruft create`` from the older commit, in a git repository."""
    repo, older, _ = template_repo
    result = cruft(tmp_path, "create", str(repo), "--checkout", older, "--no-input")
    assert result.returncode == 0, result.stdout + result.stderr
    project = tmp_path / "flask_db_app"
    git(project, "init", "--quiet")
    commit_all(project, "baked")
    return project


def test_cruft_update_lands_the_template_changes_and_keeps_the_users_edits(
    created: Path, template_repo: tuple[Path, str, str]
) -> None:
    repo, older, newer = template_repo
    state = json.loads((created / ".cruft.json").read_text(encoding="utf-8"))
    assert (state["template"], state["commit"]) == (str(repo), older)
    assert state["context"]["cookiecutter"]["database"] == "sqlite"
    secret = (created / ".env").read_text(encoding="utf-8")
    for name, old, new in USER_EDITS:
        replace_in(created / name, old, new)
    commit_all(created, "our edits")
    checked = cruft(created, "check")
    assert checked.returncode != 0, checked.stdout  # the template has moved on
    assert "out of date" in checked.stdout + checked.stderr

    result = cruft(created, "update", "--skip-apply-ask", "--checkout", newer)
    assert result.returncode == 0, result.stdout + result.stderr

    readme = (created / "README.md").read_text(encoding="utf-8")
    assert "Every command below also runs under `uv run`." in readme  # the template's change
    assert "Our team installs with `uv sync` only." in readme  # the user's edit, elsewhere
    makefile = (created / "Makefile").read_text(encoding="utf-8")
    rejected = created / "Makefile.rej"
    if (
        rejected.exists()
    ):  # git could not merge: the user's line stays, the template's is set aside
        assert "PYTHON ?= python3.12\n" in makefile
        assert "+PYTHON ?= python3.13" in rejected.read_text(encoding="utf-8")
    else:  # merged with conflict markers: both lines, for the user to choose
        assert re.search(
            r"<<<<<<< .*\nPYTHON \?= python3\.12\n=======\nPYTHON \?= python3\.13", makefile
        )
    assert (created / ".env").read_text(encoding="utf-8") == secret  # [tool.cruft] skip
    state = json.loads((created / ".cruft.json").read_text(encoding="utf-8"))
    assert state["commit"] == newer != older
    unmerged = git(created, "diff", "--name-only", "--diff-filter=U")
    assert unmerged.splitlines() == (["Makefile"] if not rejected.exists() else [])


def test_a_plain_cookiecutter_bake_links_as_its_readme_says_and_updates(
    template_repo: tuple[Path, str, str], tmp_path: Path
) -> None:
    repo, older, newer = template_repo
    clone = tmp_path / "template"
    git(tmp_path, "clone", "--quiet", str(repo), str(clone))
    git(clone, "checkout", "--quiet", older)
    project = Path(cookiecutter(str(clone), no_input=True, output_dir=str(tmp_path / "out")))
    assert not (project / ".cruft.json").exists()
    git(project, "init", "--quiet")
    commit_all(project, "baked")
    readme = (project / "README.md").read_text(encoding="utf-8")
    (link,) = [line for line in readme.splitlines() if line.startswith("cruft link ")]
    env = {**os.environ, "PATH": f"{Path(CRUFT).parent}:{os.environ['PATH']}"}
    linked = subprocess.run(  # noqa: S603 - the README's own command
        ["sh", "-c", f"{link} --checkout {older}"],  # noqa: S607
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert linked.returncode == 0, linked.stdout + linked.stderr
    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert state["commit"] == older
    assert state["context"]["cookiecutter"]["project_name"] == "Flask DB App"
    commit_all(project, "linked")

    result = cruft(project, "update", "--skip-apply-ask", "--checkout", newer)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Every command below" in (project / "README.md").read_text(encoding="utf-8")
    assert "PYTHON ?= python3.13\n" in (project / "Makefile").read_text(encoding="utf-8")
