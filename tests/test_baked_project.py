"""A baked project works as its README says: its suite passes, its commands and gunicorn run."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .baking import run, run_suite
from .http import call, free_port, wait_until_up

pytestmark = pytest.mark.slow


def test_baked_suite_passes_with_only_declared_dependencies(
    default_project: Path, default_python: Path
) -> None:
    run_suite(default_python, default_project)


# Run outside the project folder, so that the installed package is imported, not the source.
SERVE_FROM_THE_INSTALL = """
import sys
from {slug} import create_app
from {slug}.config import TestingConfig

client = create_app(TestingConfig({{"TEST_DATABASE_URL": "sqlite://"}})).test_client()
for path in ("/", "/no/such/page", "/static/style.css", "/openapi.json", "/docs",
             "/docs/assets/swagger-ui.css"):
    with client.get(path) as response:
        print(path, response.status_code, response.mimetype, len(response.data))
print(sys.modules["{slug}"].__file__)
"""


def test_the_installed_package_carries_its_templates_stylesheet_and_docs(
    default_project: Path, default_python: Path, tmp_path: Path
) -> None:
    script = SERVE_FROM_THE_INSTALL.format(slug=default_project.name)
    result = run([str(default_python), "-c", script], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    *answers, location = result.stdout.splitlines()
    assert str(default_project) not in location
    assert [line.rsplit(" ", 1)[0] for line in answers] == [
        "/ 200 text/html",
        "/no/such/page 404 text/html",
        "/static/style.css 200 text/css",
        "/openapi.json 200 application/json",
        "/docs 200 text/html",
        "/docs/assets/swagger-ui.css 200 text/css",
    ]


@pytest.fixture
def database_env(tmp_path: Path) -> dict[str, str]:
    """Settings for commands run against a fresh SQLite file outside the project."""
    return {"APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}


def test_migrate_seed_and_export_from_the_command_line(
    default_project: Path, default_python: Path, database_env: dict[str, str], tmp_path: Path
) -> None:
    bin_dir = default_python.parent
    steps = [
        [str(bin_dir / "flask"), "db", "upgrade"],
        [str(bin_dir / "flask"), "db", "check"],
        [str(default_python), "manage.py", "seed", "--count", "100"],
        [str(bin_dir / "flask"), "init-db"],
        [str(default_python), "scripts/export_users.py", "--output", str(tmp_path / "u.csv")],
    ]
    for step in steps:
        result = run(step, default_project, database_env)
        assert result.returncode == 0, f"{step}: {result.stdout}{result.stderr}"
    assert "Added 100 users." in run(steps[2], default_project, database_env).stdout
    lines = (tmp_path / "u.csv").read_text().splitlines()
    assert len(lines) == 101


@pytest.fixture
def served(
    default_project: Path, default_python: Path, database_env: dict[str, str]
) -> Iterator[str]:
    """The default project under gunicorn (2 workers) on a loopback port; stopped afterwards."""
    bin_dir = default_python.parent
    assert (
        run([str(bin_dir / "flask"), "db", "upgrade"], default_project, database_env).returncode
        == 0
    )
    port = free_port()
    env = {
        **os.environ,
        **database_env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    process = subprocess.Popen(  # noqa: S603
        [str(bin_dir / "gunicorn"), "wsgi:app"],
        cwd=default_project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
        assert "Traceback" not in errors, errors[-3000:]


def test_gunicorn_serves_the_whole_crud_flow(served: str) -> None:
    status, headers, created = call(served, "POST", "/api/users", {"email": "a@x.io", "name": "A"})
    assert status == 201
    location = headers["Location"]
    assert call(served, "GET", location)[2] == created
    assert call(served, "GET", "/api/users")[2]["total"] == 1
    assert call(served, "PATCH", location, {"name": "B"})[2]["name"] == "B"
    status, headers, problem = call(served, "POST", "/api/users", {"email": "a@x.io", "name": "C"})
    assert (status, headers["Content-Type"], problem["status"]) == (
        409,
        "application/problem+json",
        409,
    )
    assert call(served, "POST", "/api/users", {"email": "bad"})[0] == 422
    assert call(served, "DELETE", location)[0] == 204
    assert call(served, "GET", location)[0] == 404
    assert call(served, "GET", "/readyz")[0] == 200
