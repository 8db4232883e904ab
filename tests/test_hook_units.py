"""The hooks, rendered with a context as cookiecutter renders them, then imported and called.

Rendering is where an answer could turn into code; importing the result proves it did not.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from .baking import TEMPLATE
from .hostile import TEXT_ANSWERS, hostile_answers

PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"


def default_answers() -> dict[str, Any]:
    """The answers cookiecutter makes from ``cookiecutter.json`` with no input, plus its extras."""
    context = generate_context(context_file=str(TEMPLATE / "cookiecutter.json"))
    answers = dict(prompt_for_config(context, no_input=True))
    extras = {"_template": "gh:org/flask-db-template", "_output_dir": "/tmp/out"}
    return {**answers, **extras, "_repo_dir": str(TEMPLATE), "_checkout": None}


def render_hook(name: str, answers: dict[str, Any], folder: Path) -> ModuleType:
    """Render ``hooks/<name>.py`` with ``answers`` the way cookiecutter does, and import it."""
    source = (TEMPLATE / "hooks" / f"{name}.py").read_text(encoding="utf-8")
    context = {"cookiecutter": answers}
    environment = StrictEnvironment(context=context, keep_trailing_newline=True)
    rendered = folder / f"{name}.py"
    rendered.write_text(environment.from_string(source).render(**context), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"rendered_{name}_{id(folder)}", rendered)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HookLoader = Callable[..., ModuleType]


@pytest.fixture
def load_hook(tmp_path: Path) -> HookLoader:
    """``load_hook(name, **overrides)``: the hook rendered with the defaults plus overrides."""

    def load(name: str, **overrides: Any) -> ModuleType:
        folder = tmp_path / f"hook{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        return render_hook(name, {**default_answers(), **overrides}, folder)

    return load


@pytest.fixture
def pre(load_hook: HookLoader) -> ModuleType:
    return load_hook("pre_gen_project")


@pytest.fixture
def post(load_hook: HookLoader) -> ModuleType:
    return load_hook("post_gen_project")


# Rendering


HOSTILE_VALUES = [
    *[
        value
        for case in hostile_answers(Path("/tmp/hook-unit-marker")).values()
        for value in case.values()
    ],
    'a"""b',
    "a'''b",
    "ends with a backslash \\",
    "\\",
    '"',
    "line one\nline two\r\n",
    '}""")\nimport os\nos.system(\'touch /tmp/hook-unit-marker\')\n#',
    "\x00\x7f\u2028",
    "",
]


@pytest.mark.parametrize("hook", ["pre_gen_project", "post_gen_project"])
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_rendered_hooks_read_hostile_answers_exactly(
    load_hook: HookLoader, hook: str, value: str
) -> None:
    answers = {name: value for name in TEXT_ANSWERS}
    module = load_hook(hook, **answers)
    for name in TEXT_ANSWERS:
        assert module.ANSWERS[name] == value
    assert module.ANSWERS["project_slug"] == default_answers()["project_slug"]
    assert not Path("/tmp/hook-unit-marker").exists()


# pre_gen_project


@pytest.mark.parametrize("slug", ["app_one", "billing", "flask_db_app", "a", "x2_y3", "json_api"])
def test_slug_problem_accepts_lowercase_identifiers_that_shadow_nothing(
    pre: ModuleType, slug: str
) -> None:
    assert pre.slug_problem(slug) is None


@pytest.mark.parametrize(
    ("slug", "message", "suggestion"),
    [
        ("My App", "not a lowercase Python identifier", "my_app"),
        ("2fast", "not a lowercase Python identifier", "app_2fast"),
        ("café", "not a lowercase Python identifier", "cafe"),
        ("", "not a lowercase Python identifier", "my_project"),
        ("_app", "not a lowercase Python identifier", "app_app"),
        ("'; rm -rf / #", "not a lowercase Python identifier", "rm_rf"),
        ("class", "is a Python keyword", "class_app"),
        ("match", "is a Python keyword", "match_app"),
        ("flask", "would shadow", "flask_app"),
        ("json", "would shadow", "json_app"),
    ],
)
def test_slug_problem_says_what_is_wrong_and_suggests_a_slug(
    pre: ModuleType, slug: str, message: str, suggestion: str
) -> None:
    problem = pre.slug_problem(slug)
    assert message in problem
    assert problem.endswith(f"Try {suggestion!r}.")


@pytest.mark.parametrize(
    "text",
    ["", "_", "__init__", "2", "9 lives", "日本語", "Ünïcödé", "app", "tests", "class", "-"],
)
def test_every_suggested_slug_is_accepted(pre: ModuleType, text: str) -> None:
    assert pre.slug_problem(pre.suggest_slug(text)) is None


def test_problems_accepts_the_defaults(pre: ModuleType) -> None:
    assert pre.problems(default_answers()) == []


@pytest.mark.parametrize(
    ("overrides", "starts"),
    [
        ({"project_slug": "Bad"}, "project_slug 'Bad'"),
        ({"project_name": "  "}, "project_name is empty"),
        ({"author_email": "nobody"}, "author_email 'nobody'"),
        ({"version": "v1"}, "version 'v1'"),
        ({"description": "two\nlines"}, "description 'two\\nlines' holds a line break"),
        ({"author_name": "a\x7f"}, "author_name 'a\\x7f' holds a line break"),
    ],
)
def test_problems_names_each_bad_answer(
    pre: ModuleType, overrides: dict[str, str], starts: str
) -> None:
    found = pre.problems({**default_answers(), **overrides})
    assert len(found) == 1
    assert found[0].startswith(starts)


def test_problems_lists_every_bad_answer_at_once(pre: ModuleType) -> None:
    bad = {"project_slug": "1x", "author_email": "x", "version": "y", "author_name": "a\nb"}
    found = pre.problems({**default_answers(), **bad})
    assert [message.split()[0] for message in found] == [
        "project_slug",
        "author_name",
        "author_email",
        "version",
    ]


@pytest.mark.parametrize(
    "value", ["José Nuñez", "🚀🧪", "👩\u200d💻", "עברית", "'\"\\ {{ }}", "\u00a0non-breaking"]
)
def test_line_problem_accepts_one_line_text(pre: ModuleType, value: str) -> None:
    assert pre.line_problem("description", value) is None


@pytest.mark.parametrize(
    "value", ["a\nb", "a\rb", "a\tb", "\x00", "\x1b[31m", "a\u2028b", "\u2029"]
)
def test_line_problem_refuses_line_breaks_and_control_characters(
    pre: ModuleType, value: str
) -> None:
    assert pre.line_problem("author_name", value).startswith(f"author_name {value!r} holds")


def test_pre_gen_main_prints_errors_and_fails_on_bad_answers(
    load_hook: HookLoader, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_hook("pre_gen_project").main() == 0
    assert capsys.readouterr().err == ""
    assert load_hook("pre_gen_project", version="latest").main() == 1
    assert capsys.readouterr().err.startswith("ERROR: version 'latest' is not a release number.")


# post_gen_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small stand-in for a baked project, with every option-specific file in place."""
    folder = tmp_path / "project"
    (folder / ".github" / "workflows").mkdir(parents=True)
    (folder / ".github" / "workflows" / "ci.yml").write_text("name: CI\n")
    (folder / ".env.example").write_text("APP_ENV=development\nSECRET_KEY=change-me\nX=1\n")
    return folder


def test_option_files_name_files_the_template_makes(post: ModuleType) -> None:
    answers = default_answers()
    package = f"{answers['project_slug']}/"
    for (option, keep_for), paths in [*post.OPTION_FILES.items(), *post.ABSENT_FILES.items()]:
        assert keep_for in json.loads((TEMPLATE / "cookiecutter.json").read_text())[option]
        assert option in answers
        for relative in paths:
            in_template = relative.replace(package, "{{cookiecutter.project_slug}}/", 1)
            assert (PROJECT_TEMPLATE / in_template).exists(), relative


def test_prune_keeps_the_files_of_the_chosen_answer(post: ModuleType, project: Path) -> None:
    post.prune(project, {**default_answers(), "ci": "github"})
    assert (project / ".github" / "workflows" / "ci.yml").is_file()


def test_prune_removes_other_answers_files_and_the_folders_they_leave_empty(
    post: ModuleType, project: Path
) -> None:
    post.prune(project, {**default_answers(), "ci": "none"})
    assert not (project / ".github").exists()
    assert (project / ".env.example").is_file()


def test_prune_leaves_files_of_the_users_own_alone(post: ModuleType, project: Path) -> None:
    (project / ".github" / "workflows" / "release.yml").write_text("name: Release\n")
    (project / ".github" / "CODEOWNERS").write_text("* @me\n")
    post.prune(project, {**default_answers(), "ci": "none"})
    assert not (project / ".github" / "workflows" / "ci.yml").exists()
    assert (project / ".github" / "workflows" / "release.yml").is_file()
    assert (project / ".github" / "CODEOWNERS").is_file()


def test_write_env_file_fills_in_a_fresh_secret(post: ModuleType, project: Path) -> None:
    post.write_env_file(project)
    env = (project / ".env").read_text()
    secret = re.search(r"^SECRET_KEY=(.+)$", env, re.MULTILINE)
    assert secret and len(secret.group(1)) >= 64
    assert env.replace(secret.group(1), "change-me") == (project / ".env.example").read_text()
    assert (project / ".env").stat().st_mode & 0o777 == 0o600


def test_write_env_file_keeps_an_existing_env(post: ModuleType, project: Path) -> None:
    (project / ".env").write_text("SECRET_KEY=mine\n")
    post.write_env_file(project)
    assert (project / ".env").read_text() == "SECRET_KEY=mine\n"


def test_write_env_file_refuses_an_example_without_a_secret_line(
    post: ModuleType, project: Path
) -> None:
    (project / ".env.example").write_text("APP_ENV=development\n")
    with pytest.raises(SystemExit, match="no SECRET_KEY line"):
        post.write_env_file(project)
    assert not (project / ".env").exists()


def test_kept_answers_are_the_public_ones_and_the_template(post: ModuleType) -> None:
    kept = post.kept_answers({**default_answers(), "_copy_without_render": ["x"]})
    public = {key for key in default_answers() if not key.startswith("_")}
    assert set(kept) == public | {"_template"}
    assert kept["_template"] == "gh:org/flask-db-template"


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_write_answers_writes_a_replay_file_that_keeps_them_exactly(
    post: ModuleType, project: Path, value: str
) -> None:
    answers = {**default_answers(), "description": value, "author_name": value}
    post.write_answers(project, answers)
    text = (project / ".cookiecutter.json").read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert json.loads(text) == {"cookiecutter": post.kept_answers(answers)}


def test_write_answers_keeps_letters_readable(post: ModuleType, project: Path) -> None:
    post.write_answers(project, {**default_answers(), "author_name": "Zoë Ødegård"})
    assert '"author_name": "Zoë Ødegård"' in (project / ".cookiecutter.json").read_text()


def test_post_gen_main_finishes_the_project_in_the_current_folder(
    load_hook: HookLoader, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = load_hook("post_gen_project", ci="none", author_name='O\'Neil """')
    monkeypatch.chdir(project)
    post.main()
    assert not (project / ".github").exists()
    assert (project / ".env").is_file()
    stored = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    assert stored["ci"] == "none"
    assert stored["author_name"] == 'O\'Neil """'
