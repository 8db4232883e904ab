"""The Docker files: an image that runs as a non-root user and checks its own health, and a
compose file per database that starts the database, then migrations, then the web server.

No Docker engine runs here: the files are parsed, what they name is checked to exist, and the
image's dependency step (uv, from the lock or the constraints) runs in a folder of its own.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .baking import LEFTOVER, bake, run, uv
from .http import free_port, wait_until_up
from .locking import pins

DOCKER_FILES = ["Dockerfile", ".dockerignore", "compose.yaml"]
DATABASES = ["sqlite", "postgresql", "mysql"]
DATABASE_IMAGES = {"postgresql": "postgres:15", "mysql": "mariadb:"}
URL_PREFIXES = {
    "sqlite": "sqlite:////app/instance/",
    "postgresql": "postgresql+psycopg://app:",
    "mysql": "mysql+pymysql://app:",
}
MANAGE_COMMAND = re.compile(r"manage\.py\s+([a-z][a-z-]*)")
# ${NAME}, ${NAME:-default} and ${NAME:?error}, as compose fills them in.
VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


@pytest.fixture(scope="module")
def project_for(
    default_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Path]:
    """A project baked for each database (made once per module)."""
    baked = {"sqlite": default_project}

    def get(database: str) -> Path:
        if database not in baked:
            baked[database] = bake(tmp_path_factory.mktemp(database), database=database)
        return baked[database]

    return get


def compose(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))


def instructions(project: Path) -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (project / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def arguments_of(project: Path, keyword: str) -> list[str]:
    return [arguments for found, arguments in instructions(project) if found == keyword]


def env_file(project: Path) -> dict[str, str]:
    lines = (project / ".env").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if "=" in line and not line.startswith("#")]
    return dict(pairs)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Fill in ``${...}`` as compose would; a missing required variable fails the test."""

    def fill(match: re.Match[str]) -> str:
        name, kind, fallback = match.groups()
        if env.get(name):
            return env[name]
        assert kind != "?", f"compose would refuse to start: {name} is unset ({fallback})"
        return fallback or ""

    return VARIABLE.sub(fill, value)


# -- which files are baked --------------------------------------------------------------------


def test_docker_files_are_baked_by_default(default_project: Path) -> None:
    for name in DOCKER_FILES:
        assert (default_project / name).is_file(), name
    assert list(default_project.glob("compose.*.yaml")) == []
    dockerfile = (default_project / "Dockerfile").read_text(encoding="utf-8")
    assert LEFTOVER.search(dockerfile) is None


def test_no_docker_files_without_docker(tmp_path: Path) -> None:
    project = bake(tmp_path, use_docker="no", database="postgresql")
    assert [name for name in DOCKER_FILES if (project / name).exists()] == []
    assert list(project.glob("compose*.yaml")) == []


# -- compose.yaml -----------------------------------------------------------------------------


@pytest.mark.parametrize("database", DATABASES)
def test_compose_runs_the_chosen_database_then_migrations_then_web(
    project_for: Callable[[str], Path], database: str
) -> None:
    services = compose(project_for(database))["services"]
    if database == "sqlite":
        assert set(services) == {"migrate", "web"}
    else:
        assert set(services) == {"db", "migrate", "web"}
        assert services["db"]["image"].startswith(DATABASE_IMAGES[database])
    assert services["web"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    assert services["web"]["ports"] == ["8000:8000"]


@pytest.mark.parametrize("database", ["postgresql", "mysql"])
def test_the_database_has_a_healthcheck_that_the_app_waits_for(
    project_for: Callable[[str], Path], database: str
) -> None:
    services = compose(project_for(database))["services"]
    check = services["db"]["healthcheck"]
    assert check["test"][0] in {"CMD", "CMD-SHELL"}
    assert len(check["test"]) > 1
    assert check["retries"] >= 3
    waiting = {name for name, service in services.items() if "db" in service.get("depends_on", {})}
    assert waiting == {"migrate", "web"}
    for name in waiting:
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("database", DATABASES)
def test_the_app_runs_in_production_against_the_database_service(
    project_for: Callable[[str], Path], database: str
) -> None:
    services = compose(project_for(database))["services"]
    for name in ("migrate", "web"):
        environment = services[name]["environment"]
        assert environment["APP_ENV"] == "production"
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert environment["DATABASE_URL"].startswith(URL_PREFIXES[database])
        assert ("ALLOW_SQLITE_IN_PRODUCTION" in environment) == (database == "sqlite")
        if database != "sqlite":
            assert "@db:" in environment["DATABASE_URL"]


@pytest.mark.parametrize("database", DATABASES)
def test_the_compose_environment_passes_the_production_checks(
    project_for: Callable[[str], Path], default_python: Path, database: str
) -> None:
    project = project_for(database)
    settings = compose(project)["services"]["web"]["environment"]
    filled = {name: interpolate(str(value), env_file(project)) for name, value in settings.items()}
    env = {"PATH": os.environ["PATH"], **filled}
    # ProductionConfig only reads the settings: no database server or driver is needed.
    code = "from {0}.config import config_for; print(type(config_for()).__name__)"
    command = [str(default_python), "-c", code.format(project.name)]
    result = subprocess.run(  # noqa: S603 - arguments built here
        command, cwd=project, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ProductionConfig"


def test_every_command_compose_runs_exists(
    project_for: Callable[[str], Path], default_project: Path, default_python: Path
) -> None:
    named = set()
    for database in DATABASES:
        for service in compose(project_for(database))["services"].values():
            command = " ".join(service.get("command", []))
            named |= set(MANAGE_COMMAND.findall(command))
    assert named == {"wait-db", "init-db"}
    env = {"APP_ENV": "development", "DATABASE_URL": "sqlite://"}
    listing = run([str(default_python), "manage.py", "--help"], default_project, env)
    assert listing.returncode == 0, listing.stderr
    listed = set(re.findall(r"^  ([a-z][a-z-]*)\s", listing.stdout, re.MULTILINE))
    assert named <= listed, listing.stdout
    wait_help = run([str(default_python), "manage.py", "wait-db", "--help"], default_project, env)
    assert "--timeout" in wait_help.stdout


def test_the_metrics_override_runs_prometheus_on_the_apps_metrics(
    default_project: Path, default_python: Path
) -> None:
    override = yaml.safe_load((default_project / "monitoring/compose.yaml").read_text("utf-8"))
    prometheus = override["services"]["prometheus"]
    assert prometheus["ports"] == ["127.0.0.1:9090:9090"]  # loopback only
    mounted = prometheus["volumes"][0].split(":")[0]
    config = yaml.safe_load((default_project / mounted).read_text(encoding="utf-8"))
    assert config["scrape_configs"][0]["static_configs"] == [{"targets": ["web:8000"]}]
    if shutil.which("promtool"):
        checked = run(["promtool", "check", "config", mounted], default_project)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    # The app accepts the allow-list the override gives it, which covers the compose network.
    allow = interpolate(override["services"]["web"]["environment"]["METRICS_ALLOW"], {})
    code = (
        f"from {default_project.name}.config import Config; "
        f"from {default_project.name}.metrics.views import is_allowed; "
        f"print(is_allowed('172.18.0.5', Config({{'METRICS_ALLOW': {allow!r}}}).METRICS_ALLOW))"
    )
    result = run(
        [str(default_python), "-c", code], default_project, {"PROMETHEUS_MULTIPROC_DIR": ""}
    )
    assert result.stdout.strip() == "True", result.stderr[-2000:]


# -- Dockerfile -------------------------------------------------------------------------------


@pytest.mark.parametrize("python_version", ["3.11", "3.13"])
def test_the_image_builds_in_stages_on_slim_python(tmp_path: Path, python_version: str) -> None:
    project = bake(tmp_path, python_version=python_version)
    assert arguments_of(project, "ARG") == [f"PYTHON_VERSION={python_version}"]
    stages = arguments_of(project, "FROM")
    assert len(stages) >= 2
    assert all(stage.startswith("python:${PYTHON_VERSION}-slim AS ") for stage in stages)
    assert any("--from=build" in copy for copy in arguments_of(project, "COPY"))


def test_the_image_runs_gunicorn_as_a_user_without_privileges(default_project: Path) -> None:
    found = instructions(default_project)
    keywords = [keyword for keyword, _ in found]
    users = [arguments for keyword, arguments in found if keyword == "USER"]
    assert users, "no USER instruction"
    assert users[-1] not in {"root", "0"} and not users[-1].startswith(("root:", "0:"))
    assert keywords.index("USER") < keywords.index("CMD")
    assert json.loads(arguments_of(default_project, "CMD")[-1]) == ["gunicorn", "wsgi:app"]
    assert (default_project / "gunicorn.conf.py").is_file()


def test_what_the_image_copies_exists_and_is_not_ignored(default_project: Path) -> None:
    ignored = [
        line.strip()
        for line in (default_project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    ]
    for copy in arguments_of(default_project, "COPY"):
        if copy.startswith("--from="):
            continue
        *sources, _target = copy.split()
        for source in sources:
            # A wildcard may match nothing (uv.lock*: a project may not have locked yet).
            assert "*" in source or (default_project / source).exists(), source
            name = source.rstrip("/")
            assert not [pattern for pattern in ignored if fnmatch.fnmatch(name, pattern)], name


def stages(project: Path) -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions, one list per ``FROM`` (the ``ARG`` before it dropped)."""
    found: list[list[tuple[str, str]]] = []
    for keyword, arguments in instructions(project):
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, arguments))
    return found


def test_dependencies_are_installed_by_uv_in_a_layer_before_the_code(
    default_project: Path,
) -> None:
    build, runtime = stages(default_project)
    copies = [arguments for keyword, arguments in build if keyword == "COPY"]
    assert copies[0].startswith("--from=ghcr.io/astral-sh/uv:")
    assert copies[1:] == ["pyproject.toml constraints.txt uv.lock* ./"]  # no code yet
    (install,) = [arguments for keyword, arguments in build if keyword == "RUN"]
    assert "uv sync --no-dev --no-install-project" in install
    keywords = [f"{keyword} {arguments}" for keyword, arguments in runtime]
    from_build = keywords.index("COPY --from=build /opt/venv /opt/venv")
    code = keywords.index(f"COPY {default_project.name}/ {default_project.name}/")
    assert from_build < code


def build_step(project: Path, workdir: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    """The image's dependency step run here: its ``ENV`` and ``RUN``, in a folder holding only
    what the stage copies, the virtualenv at ``venv`` instead of ``/opt/venv``."""
    build = stages(project)[0]
    env: dict[str, str] = {}
    for arguments in [arguments for keyword, arguments in build if keyword == "ENV"]:
        env.update(pair.split("=", 1) for pair in shlex.split(arguments))
    assert env.pop("UV_PROJECT_ENVIRONMENT") == "/opt/venv"
    (command,) = [arguments for keyword, arguments in build if keyword == "RUN"]
    command = re.sub(r"^--mount=\S+\s+", "", command)
    tools = str(Path(uv()).parent)
    settings = {
        **env,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON": sys.executable,
        "PATH": f"{tools}:{os.environ['PATH']}",
    }
    return run(["sh", "-c", command], workdir, settings, timeout=180)


def test_the_dependency_step_installs_the_lock_or_the_constraints(
    default_project: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "src"
    workdir.mkdir()
    for name in ("pyproject.toml", "constraints.txt"):
        shutil.copy(default_project / name, workdir)
    venv = tmp_path / "venv"
    first = build_step(default_project, workdir, venv)  # no uv.lock: within the constraints
    assert first.returncode == 0, first.stderr
    freeze = run([uv(), "pip", "freeze", "--python", str(venv / "bin" / "python")], tmp_path)
    flask = pins((default_project / "constraints.txt").read_text(encoding="utf-8"))["flask"][0]
    assert f"flask=={flask}" in freeze.stdout.splitlines()
    assert "pytest==" not in freeze.stdout  # no dev tools in the image
    assert (workdir / "uv.lock").is_file()
    again = build_step(default_project, workdir, venv)  # with uv.lock: --locked
    assert again.returncode == 0, again.stderr
    pyproject = workdir / "pyproject.toml"  # a new requirement (pinned already): the lock is stale
    pyproject.write_text(
        pyproject.read_text().replace('"gunicorn>=', '"itsdangerous>=2", "gunicorn>=', 1)
    )
    stale = build_step(default_project, workdir, venv)
    assert stale.returncode != 0
    assert "needs to be updated" in stale.stderr


def test_dockerignore_keeps_secrets_and_local_state_out(default_project: Path) -> None:
    ignored = set((default_project / ".dockerignore").read_text().splitlines())
    assert {".env", ".git", ".venv", "instance", "*.db", "__pycache__"} <= ignored


def healthcheck_command(project: Path) -> list[str]:
    [healthcheck] = arguments_of(project, "HEALTHCHECK")
    options, _, command = healthcheck.partition("CMD ")
    assert "--interval=" in options and "--timeout=" in options
    return list(json.loads(command))


def test_the_healthcheck_asks_healthz_with_python(default_project: Path) -> None:
    command = healthcheck_command(default_project)
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")


@pytest.fixture
def served(default_project: Path, default_python: Path, tmp_path: Path) -> Iterator[int]:
    """The default project under gunicorn on a loopback port; stopped afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    process = subprocess.Popen(  # noqa: S603 - arguments built here
        [str(default_python.with_name("gunicorn")), "wsgi:app"],
        cwd=default_project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}")
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_the_healthcheck_passes_while_the_app_answers(
    default_project: Path, default_python: Path, served: int
) -> None:
    _python, *arguments = healthcheck_command(default_project)
    command = [str(default_python), *arguments]
    assert run(command, default_project, {"PORT": str(served)}, timeout=30).returncode == 0
    closed = str(free_port())
    assert run(command, default_project, {"PORT": closed}, timeout=30).returncode != 0
