"""A baked project keeps its answers; re-baking from them is how it takes in template updates."""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from .baking import TEMPLATE, bake
from .prompting import run_with_input

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


def readme_update_command(project: Path) -> list[str]:
    """The update command the baked README gives, split as a shell would."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    (line,) = [line for line in readme.splitlines() if line.startswith("cookiecutter --replay")]
    return shlex.split(line)


def test_the_readme_update_command_updates_in_place_and_keeps_local_files(
    tmp_path: Path,
) -> None:
    project = bake(tmp_path, **NON_DEFAULT)
    command = readme_update_command(project)
    assert command[-1] == str(TEMPLATE)
    env_before = (project / ".env").read_text()
    template_made = contents(project)
    (project / "wsgi.py").write_text("# changed locally\n")
    (project / "notes.txt").write_text("mine\n")
    (project / ".env").write_text(env_before + "EXTRA=1\n")

    executable = str(Path(sys.executable).with_name("cookiecutter"))
    result = run_with_input([executable, *command[1:]], project, "")  # nothing may be asked

    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "wsgi.py").read_bytes() == template_made["wsgi.py"]
    assert (project / "notes.txt").read_text() == "mine\n"
    assert (project / ".env").read_text() == env_before + "EXTRA=1\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [project.name]


def test_an_option_added_since_is_asked_and_the_rest_replayed(tmp_path: Path) -> None:
    project = bake(tmp_path, **NON_DEFAULT)
    stored = json.loads((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    del stored["cookiecutter"]["ci"]  # as if the project predates the option
    (project / ANSWERS_FILE).write_text(json.dumps(stored), encoding="utf-8")

    command = readme_update_command(project)
    executable = str(Path(sys.executable).with_name("cookiecutter"))
    result = run_with_input([executable, *command[1:]], project, "1\n")  # 1: GitHub Actions

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Which CI should run its checks?" in result.stdout
    assert (project / ".github" / "workflows" / "ci.yml").is_file()
    updated = json.loads((project / ANSWERS_FILE).read_text(encoding="utf-8"))["cookiecutter"]
    assert updated["ci"] == "github"
    assert updated["project_name"] == NON_DEFAULT["project_name"]
