"""Start-up: ``python manage.py --help`` against importing the two libraries it is built on."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

LIBRARIES = "import flask_sqlalchemy, flask_migrate"


def seconds_to_run(command: list[str], cwd: Path, env: dict[str, str], times: int) -> float:
    """The median wall time of ``times`` runs of ``command`` (after one to warm the caches)."""
    durations = []
    for _ in range(times + 1):
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - commands the benchmark builds
            command, cwd=cwd, env={**os.environ, **env}, capture_output=True, check=True
        )
        durations.append(time.perf_counter() - started)
    return statistics.median(durations[1:])


def measure_startup(project: Path, python: Path, env: dict[str, str], times: int = 5) -> list[str]:
    """Lines of the report: both times in ms, and their ratio."""
    cli = seconds_to_run([str(python), "manage.py", "--help"], project, env, times)
    bare = seconds_to_run([str(python), "-c", LIBRARIES], project, env, times)
    return [
        f"| command | ms (median of {times}) |",
        "|---|---|",
        f"| `python manage.py --help` | {cli * 1000:.0f} |",
        f'| `python -c "{LIBRARIES}"` | {bare * 1000:.0f} |',
        f"| ratio | {cli / bare:.2f} |",
    ]
