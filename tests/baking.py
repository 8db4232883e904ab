"""Helpers for the template's tests: bake, install into a virtualenv, run commands there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path, PurePath
from typing import Any

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
TEXT_SUFFIXES = {".py", ".toml", ".md", ".txt", ".ini", ".cfg", ".yaml", ".yml", ".json", ".mako"}
# ``cookiecutter.`` not after a dot: ``.cookiecutter.json`` is the baked answers file; ``{{``
# not after ``$``: ``${{ matrix.x }}`` is a GitHub Actions expression, meant to stay.
LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|(?<!\.)cookiecutter\.")


def bake(output_dir: Path, **answers: str) -> Path:
    """Bake the template without prompts; return the project folder."""
    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=answers
        )
    )


def text_files(project: Path) -> list[Path]:
    """Every text file of a baked project (dotfiles and extensionless ones included)."""
    return [
        path
        for path in project.rglob("*")
        if path.is_file()
        and (path.suffix in TEXT_SUFFIXES or path.name.startswith(".") or path.name == "Makefile")
        and ".venv" not in path.parts
    ]


def leftovers(project: Path) -> list[str]:
    """Template syntax that survived baking, as ``file:line: text``."""
    found = []
    for path in text_files(project):
        if path.name == "script.py.mako":
            continue  # Mako, not Jinja: Alembic renders it later
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LEFTOVER.search(line):
                found.append(f"{path.relative_to(project)}:{number}: {line.strip()}")
    return found


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output; print how long it took."""
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - commands built by the tests themselves
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.monotonic() - started
    print(f"[{elapsed:6.1f}s] {' '.join(command[:4])} in {cwd.name}", file=sys.stderr)
    return result


def uv() -> str:
    return str(Path(sys.executable).with_name("uv"))


def make_venv(location: Path, project: Path) -> Path:
    """A virtualenv holding ``project`` with its dependencies and dev tools; returns its python.

    Installed within the project's ``constraints.txt``, as its README says, so the suite runs the
    versions the bake carries.
    """
    result = run([uv(), "venv", "--quiet", "--python", sys.executable, str(location)], project)
    assert result.returncode == 0, result.stderr
    python = location / "bin" / "python"
    result = run([*uv_install(python), *project_install(project)], project)
    assert result.returncode == 0, result.stderr
    return python


def uv_install(python: Path | str, uv_path: str | None = None) -> list[str]:
    """``uv pip install`` into ``python``, bytecode compiled now, so that no command a test runs
    pays for it (under a timeout) later."""
    return [
        uv_path or uv(),
        "pip",
        "install",
        "--quiet",
        "--compile-bytecode",
        "--python",
        str(python),
    ]


def project_install(project: Path | PurePath) -> list[str]:
    """The arguments that install ``project`` with its ``dev`` group, within its constraints."""
    return [
        *("--constraints", str(project / "constraints.txt")),
        *("--group", f"{project / 'pyproject.toml'}:dev"),
        str(project),
    ]


# A baked project's own pytest, run from the project folder so its own package (not an
# installed copy) is imported.
SUITE = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]


def run_suite(python: Path, project: Path, env: dict[str, str] | None = None, *args: str) -> Any:
    """Run a baked project's own pytest with ``python``; fail with its output if it fails."""
    return check_suite(run([str(python), *SUITE, *args], project, env), project.name)


def check_suite(result: subprocess.CompletedProcess[str], name: str) -> Any:
    """Print a baked suite's summary line; fail with its output unless it passed."""
    summary = result.stdout.strip().splitlines()[-1:] or ["no output"]
    print(f"    {name}: {summary[0]}", file=sys.stderr)
    assert result.returncode == 0, f"{name}:\n{result.stdout[-6000:]}{result.stderr[-3000:]}"
    assert re.search(r"\d+ passed", result.stdout), result.stdout[-2000:]
    return result
