"""Start-up: ``python manage.py --help`` against importing the two libraries it is built on.

The project's own modules are compiled to bytecode first, as its Dockerfile does and as an
installed package is: with ``PYTHONDONTWRITEBYTECODE`` set, a source tree would otherwise be
compiled again on every run, while the libraries (installed compiled) would not. A second
baseline adds the database driver, which any app that creates an engine imports with it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

LIBRARIES = "import flask_sqlalchemy, flask_migrate"
DRIVERS = {"postgresql": "psycopg", "sqlite": "sqlite3", "mysql": "MySQLdb"}


def seconds_to_run(
    commands: dict[str, list[str]], cwd: Path, env: dict[str, str], times: int
) -> dict[str, float]:
    """The median wall time of ``times`` runs of each command, runs interleaved so that the
    machine's load hits each alike (after one round to warm the caches)."""
    durations: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(times + 1):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(  # noqa: S603 - commands the benchmark builds
                command, cwd=cwd, env={**os.environ, **env}, capture_output=True, check=True
            )
            durations[name].append(time.perf_counter() - started)
    return {name: statistics.median(runs[1:]) for name, runs in durations.items()}


def measure_startup(
    project: Path, python: Path, env: dict[str, str], database: str, times: int = 5
) -> list[str]:
    """Lines of the report: each time in ms, and the app's ratio to each baseline."""
    package = next(path.parent.name for path in project.glob("*/factory.py"))
    subprocess.run(  # noqa: S603 - the interpreter the benchmark installed
        [str(python), "-m", "compileall", "-q", package], cwd=project, check=True
    )
    with_driver = f"{LIBRARIES}, {DRIVERS[database]}"
    commands = {
        "cli": [str(python), "manage.py", "--help"],
        "bare": [str(python), "-c", LIBRARIES],
        "driver": [str(python), "-c", with_driver],
    }
    seconds = seconds_to_run(commands, project, env, times)
    cli, bare, driver = seconds["cli"], seconds["bare"], seconds["driver"]
    return [
        f"| command | ms (median of {times}) | `manage.py --help` ÷ this |",
        "|---|---|---|",
        f"| `python manage.py --help` | {cli * 1000:.0f} | |",
        f'| `python -c "{LIBRARIES}"` | {bare * 1000:.0f} | {cli / bare:.2f} |',
        f'| `python -c "{with_driver}"` | {driver * 1000:.0f} | {cli / driver:.2f} |',
    ]
