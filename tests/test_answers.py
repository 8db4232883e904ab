"""Any answer a person can type bakes a working project that holds the answer exactly as typed.

Quotes, backslashes, non-ASCII letters, template syntax and Python code in the name, the
description and the author are data: they land escaped where the format needs it, and nothing
ever runs or renders them. One-line answers with a line break are refused with a message.
"""

from __future__ import annotations

import email.utils
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from cookiecutter.exceptions import FailedHookException

from .baking import LEFTOVER, bake, run, text_files, uv
from .hostile import TEXT_ANSWERS, hostile_answers, renderings
from .prompting import bake_typed
from .venvs import venv_for

CASES = list(hostile_answers(Path("marker")))


@pytest.fixture(scope="module")
def marker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file any hostile answer would create if it were run."""
    return tmp_path_factory.mktemp("marker") / "pwned"


@pytest.fixture(scope="module", params=CASES)
def case(
    request: pytest.FixtureRequest, marker: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], Path]:
    """The case's answers, typed at the prompts, and the project they baked."""
    answers = hostile_answers(marker)[request.param]
    output = tmp_path_factory.mktemp(request.param)
    result = bake_typed(output, **answers)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (project,) = output.iterdir()
    return answers, project


def test_pyproject_parses_and_keeps_the_answers_exactly(case: tuple[dict[str, str], Path]) -> None:
    answers, project = case
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["description"] == answers["description"]
    assert metadata["authors"] == [{"name": answers["author_name"], "email": "you@example.com"}]
    assert metadata["name"] == project.name


def test_every_python_file_compiles(case: tuple[dict[str, str], Path]) -> None:
    _, project = case
    sources = list(project.rglob("*.py"))
    assert len(sources) > 20
    for source in sources:
        compile(source.read_text(encoding="utf-8"), str(source), "exec")


def test_the_package_imports_and_no_answer_ever_runs(
    case: tuple[dict[str, str], Path], marker: Path
) -> None:
    _, project = case
    slug = project.name
    assert slug.isidentifier()
    # A virtualenv with the dependencies every bake declares (the package itself is imported
    # from the project folder).
    python = venv_for("sqlite", project)
    result = run([str(python), "-c", f"import {slug}; {slug}.create_app"], project)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not marker.exists()


def test_readme_shows_the_name_and_description_as_typed(
    case: tuple[dict[str, str], Path],
) -> None:
    answers, project = case
    lines = (project / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# {answers['project_name']}"
    assert lines[2] == answers["description"]


def test_answers_file_keeps_the_answers_exactly(case: tuple[dict[str, str], Path]) -> None:
    answers, project = case
    stored = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    for name in TEXT_ANSWERS:
        assert stored["cookiecutter"][name] == answers[name]


def test_structured_files_still_parse(case: tuple[dict[str, str], Path]) -> None:
    _, project = case
    for path in project.rglob("*.y*ml"):
        assert yaml.safe_load(path.read_text(encoding="utf-8")) is not None, path
    for path in project.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    for path in project.rglob("*.toml"):
        tomllib.loads(path.read_text(encoding="utf-8"))


def test_the_api_document_is_titled_with_the_name_as_typed(
    case: tuple[dict[str, str], Path],
) -> None:
    answers, project = case
    document = json.loads((project / "openapi.json").read_text(encoding="utf-8"))
    assert document["info"]["title"] == answers["project_name"]


def unexplained_syntax(project: Path, answers: dict[str, str]) -> list[str]:
    """Template syntax left in a baked file that is not part of an answer, in any of its forms."""
    forms = {form for name in TEXT_ANSWERS for form in renderings(answers[name])}
    found = []
    for path in text_files(project):
        if path.name == "script.py.mako":
            continue  # Mako, not Jinja: Alembic renders it later
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for form in sorted(forms, key=len, reverse=True):
                line = line.replace(form, "<answer>")
            if LEFTOVER.search(line):
                found.append(f"{path.relative_to(project)}:{number}: {line.strip()}")
    return found


def test_only_the_answers_carry_template_syntax(case: tuple[dict[str, str], Path]) -> None:
    answers, project = case
    assert unexplained_syntax(project, answers) == []


def test_syntax_that_no_answer_explains_is_reported(tmp_path: Path) -> None:
    answers = {name: "{{ typed }}" for name in TEXT_ANSWERS}
    (tmp_path / "README.md").write_text("# {{ typed }}\n\n{{ cookiecutter.x }}\n")
    (tmp_path / "pyproject.toml").write_text('description = "{{ typed }} {% if %}"\n')
    assert sorted(unexplained_syntax(tmp_path, answers)) == [
        "README.md:3: {{ cookiecutter.x }}",
        'pyproject.toml:1: description = "<answer> {% if %}"',
    ]


def test_typed_answers_are_not_rendered_but_command_line_ones_are(tmp_path: Path) -> None:
    """Cookiecutter renders ``key=value`` answers once; ``{% raw %}`` keeps one literal."""
    project = bake(
        tmp_path,
        project_slug="raw_app",
        project_name="{% raw %}{{ literal }}{% endraw %}",
        description="{{ 6 * 7 }}",
    )
    lines = (project / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# {{ literal }}"
    assert lines[2] == "42"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "2fast"}, "project_slug '2fast' is not a lowercase Python identifier"),
        ({"project_name": "42 Things"}, "project_slug '42_things' is not a lowercase Python"),
        ({"project_name": "JSON"}, "project_slug 'json' would shadow"),
        ({"project_name": "Flask"}, "project_slug 'flask' would shadow"),
        ({"project_name": "Class"}, "project_slug 'class' is a Python keyword"),
    ],
)
def test_a_name_whose_slug_is_unusable_is_refused_with_a_suggestion(
    tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    result = bake_typed(tmp_path, **answers)
    assert result.returncode != 0
    assert message in result.stderr
    suggestion = re.search(r"Try '([a-z0-9_]+)'", result.stderr)
    assert suggestion, result.stderr
    assert list(tmp_path.iterdir()) == []
    retried = bake_typed(tmp_path, **answers, project_slug=suggestion.group(1))
    assert retried.returncode == 0, retried.stderr[-3000:]
    assert (tmp_path / suggestion.group(1) / suggestion.group(1) / "__init__.py").is_file()


def test_a_name_with_accents_derives_an_ascii_slug(tmp_path: Path) -> None:
    result = bake_typed(tmp_path, project_name="Ünïcödé Café 2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert [path.name for path in tmp_path.iterdir()] == ["unicode_cafe_2"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("project_name", "Two\nlines"),
        ("description", "Form\x0cfeed"),
        ("author_name", "Tab\tseparated"),
        ("author_email", "nul\x00@example.com"),
        ("description", "Unicode line\u2028separator"),
    ],
)
def test_a_line_break_in_a_one_line_answer_is_refused(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    with pytest.raises(FailedHookException):
        bake(tmp_path, **{name: value})
    error = capfd.readouterr().err
    assert f"ERROR: {name} {value!r} holds a line break or control character" in error
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def install_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty virtualenv to install the hostile projects into (without dependencies)."""
    location = tmp_path_factory.mktemp("venv") / "answers"
    result = run([uv(), "venv", "--quiet", "--python", sys.executable, str(location)], Path.cwd())
    assert result.returncode == 0, result.stderr
    return location / "bin" / "python"


@pytest.mark.slow
def test_the_package_builds_with_the_answers_in_its_metadata(
    case: tuple[dict[str, str], Path], install_venv: Path
) -> None:
    answers, project = case
    install = [uv(), "pip", "install", "--quiet", "--no-deps", "--python", str(install_venv)]
    result = run([*install, str(project)], project)
    assert result.returncode == 0, result.stderr[-3000:]
    read = (
        "import importlib.metadata as m, json, sys;"
        "print(json.dumps(dict(m.metadata(sys.argv[1]))))"
    )
    shown = run([str(install_venv), "-c", read, project.name], project)
    metadata = json.loads(shown.stdout)
    assert metadata["Summary"] == answers["description"]
    assert email.utils.parseaddr(metadata["Author-email"]) == (
        answers["author_name"],
        "you@example.com",
    )
