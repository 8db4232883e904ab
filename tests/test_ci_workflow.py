"""The ``ci`` option: a GitHub Actions workflow that runs the Makefile's checks, on the database
the project chose; or no ``.github`` folder at all."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from .baking import TEMPLATE, bake

WORKFLOW = Path(".github/workflows/ci.yml")
POSTGRES_URL = "postgresql+psycopg://postgres:postgres@localhost:5432/app"
MARIADB_URL = "mysql+pymysql://root:root@127.0.0.1:3306/app"


def make_targets(makefile: Path) -> set[str]:
    """The targets a Makefile defines (rules whose name is a plain word)."""
    pattern = re.compile(r"^([A-Za-z][\w-]*)\s*:(?!=)", re.MULTILINE)
    return set(pattern.findall(makefile.read_text(encoding="utf-8")))


def load_workflow(project: Path) -> dict[Any, Any]:
    workflow = yaml.safe_load((project / WORKFLOW).read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    return workflow


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def services(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [
        service
        for job in workflow["jobs"].values()
        for service in (job.get("services") or {}).values()
    ]


def read_answer(project: Path, name: str) -> str:
    """One answer the project was baked with, from its answers file."""
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    return str(answers["cookiecutter"][name])


def job_env(workflow: dict[Any, Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for job in workflow["jobs"].values():
        env.update(job.get("env") or {})
    return env


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mysql"])
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with GitHub Actions, on each database."""
    return bake(tmp_path_factory.mktemp(request.param), database=request.param, ci="github")


def test_workflow_runs_on_pushes_and_pull_requests(baked: Path) -> None:
    workflow = load_workflow(baked)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert {"push", "pull_request"} <= set(triggers)
    assert workflow["permissions"] == {"contents": "read"}


def test_every_run_step_is_a_make_target_of_the_baked_makefile(baked: Path) -> None:
    targets = make_targets(baked / "Makefile")
    commands = [step["run"] for step in steps(load_workflow(baked)) if "run" in step]
    called = [command.removeprefix("make ").strip() for command in commands]
    assert all(command.startswith("make ") for command in commands), commands
    assert called == ["template-check", "lint", "typecheck", "openapi-check", "test", "migrate"]
    assert set(called) <= targets


def test_the_template_check_reports_without_blocking(baked: Path) -> None:
    found = steps(load_workflow(baked))
    (check,) = [step for step in found if step.get("run") == "make template-check"]
    assert check["continue-on-error"] is True
    assert check["if"] == "hashFiles('.cruft.json') != ''"  # a plain cookiecutter bake has none
    others = [step for step in found if "run" in step and step is not check]
    assert not [s for s in others if s.get("continue-on-error")]


def test_uv_is_set_up_for_make_install(baked: Path) -> None:
    uses = [step["uses"] for step in steps(load_workflow(baked)) if "uses" in step]
    assert any(action.startswith("astral-sh/setup-uv@") for action in uses)
    makefile = (baked / "Makefile").read_text(encoding="utf-8")
    assert "$(UV) sync" in makefile


def test_make_targets_are_read_from_the_makefile(tmp_path: Path) -> None:
    """The parser above finds rules, not variables or recipe lines."""
    makefile = tmp_path / "Makefile"
    makefile.write_text("VENV := .venv\nX ?= 1\nlint: install ## Lint\n\techo lint: done\n")
    assert make_targets(makefile) == {"lint"}


def test_the_database_runs_as_a_service_container(baked: Path) -> None:
    workflow = load_workflow(baked)
    database = read_answer(baked, "database")
    found = services(workflow)
    env = job_env(workflow)
    if database == "sqlite":
        assert found == []
        assert "DATABASE_URL" not in env
        return
    (service,) = found
    if database == "postgresql":
        assert service["image"] == "postgres:15"
        assert "--health-cmd pg_isready" in service["options"]
        assert service["ports"] == ["5432:5432"]
        assert service["env"]["POSTGRES_PASSWORD"] == "postgres"
        assert service["env"]["POSTGRES_DB"] == "app"
        url = POSTGRES_URL
    else:
        assert service["image"].startswith("mariadb:")
        assert "--health-cmd" in service["options"]
        assert "healthcheck.sh" in service["options"]
        assert service["ports"] == ["3306:3306"]
        assert service["env"]["MARIADB_ROOT_PASSWORD"] == "root"
        assert service["env"]["MARIADB_DATABASE"] == "app"
        url = MARIADB_URL
    assert env["DATABASE_URL"] == url
    assert env["TEST_DATABASE_URL"] == url


def test_the_driver_for_the_url_is_a_declared_dependency(baked: Path) -> None:
    url = job_env(load_workflow(baked)).get("DATABASE_URL", "")
    pyproject = tomllib.loads((baked / "pyproject.toml").read_text(encoding="utf-8"))
    names = {re.split(r"[<>=\[ ]", d)[0] for d in pyproject["project"]["dependencies"]}
    assert ("psycopg" in names) is ("+psycopg" in url)
    assert ("pymysql" in names) is ("+pymysql" in url)


def test_actions_are_pinned_to_a_version(baked: Path) -> None:
    uses = [step["uses"] for step in steps(load_workflow(baked)) if "uses" in step]
    assert uses
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+(\.\d+)*", action) for action in uses), uses


CHOICES = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
OFFERED = CHOICES["python_version"]


def minor(version: str) -> int:
    return int(version.split(".")[1])


@pytest.mark.parametrize("python_version", OFFERED)
def test_ci_tests_every_offered_python_from_the_lowest_supported(
    tmp_path: Path, python_version: str
) -> None:
    project = bake(tmp_path, python_version=python_version)
    workflow = load_workflow(project)
    (job,) = workflow["jobs"].values()
    expected = [version for version in OFFERED if minor(version) >= minor(python_version)]
    assert job["strategy"]["matrix"]["python-version"] == expected
    assert job["strategy"]["fail-fast"] is False  # one version failing still reports the others
    (setup,) = [s for s in steps(workflow) if "setup-python" in s.get("uses", "")]
    assert setup["with"]["python-version"] == "${{ matrix.python-version }}"


def test_no_ci_means_no_github_folder(tmp_path: Path) -> None:
    project = bake(tmp_path, ci="none")
    assert not (project / ".github").exists()
    assert ".github" not in (project / "README.md").read_text(encoding="utf-8")
