"""Start-up: ``python manage.py --help`` against importing the two libraries it is built on."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

LIBRARIES = "import flask_sqlalchemy, flask_migrate"


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


def measure_startup(project: Path, python: Path, env: dict[str, str], times: int = 5) -> list[str]:
    """Lines of the report: both times in ms, and their ratio."""
    commands = {
        "cli": [str(python), "manage.py", "--help"],
        "bare": [str(python), "-c", LIBRARIES],
    }
    seconds = seconds_to_run(commands, project, env, times)
    cli, bare = seconds["cli"], seconds["bare"]
    return [
        f"| command | ms (median of {times}) |",
        "|---|---|",
        f"| `python manage.py --help` | {cli * 1000:.0f} |",
        f'| `python -c "{LIBRARIES}"` | {bare * 1000:.0f} |',
        f"| ratio | {cli / bare:.2f} |",
    ]
