"""The served API keeps every promise of its own OpenAPI document.

schemathesis reads ``/openapi.json`` from the baked app under gunicorn in production mode and
runs every check it has over every operation: status codes, content types, headers and bodies
as documented, schema-valid requests accepted and invalid ones refused, no 5xx, and a stateful
phase that follows the document's links from a create to the get, update and delete of what it
made (and checks that a deleted user is gone). A fixed seed and a bounded number of examples
make a failure come back on every run; ``--max-time`` and the process timeout bound the time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from .baking import bake
from .servers import fresh_database
from .serving import ServedApp, migrate, serve, serve_on_new_database
from .venvs import venv_for

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).with_name("st")
EXAMPLES = 10  # per operation and phase
MAX_SECONDS = 20  # schemathesis's own budget for the whole run
SEED = 13
PHASES = "examples,coverage,fuzzing,stateful"


def run_schemathesis(served: ServedApp, workdir: Path) -> tuple[int, Counter[str], float]:
    """Run every check of schemathesis against ``served``; fail with its report if any fails.

    Returns the requests it made, how many of them each operation's outcome had, and the time.
    """
    har = workdir / "schemathesis.har"
    command = [
        str(SCHEMATHESIS), "--no-color", "run", f"{served.base}/openapi.json",
        "--checks", "all", "--phases", PHASES, "--max-examples", str(EXAMPLES),
        "--max-time", str(MAX_SECONDS), "--seed", str(SEED), "--workers", "1",
        "--report", "har", "--report-har-path", str(har),
    ]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - a command the test builds
        command, cwd=workdir, capture_output=True, text=True, timeout=MAX_SECONDS + 60
    )
    seconds = time.monotonic() - started
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-12000:]
    assert "No issues found" in report, report[-4000:]
    entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    outcomes: Counter[str] = Counter(
        f"{entry['request']['method']} {entry['response']['status']}" for entry in entries
    )
    return len(entries), outcomes, seconds


def check_and_report(served: ServedApp, workdir: Path, database: str) -> None:
    requests, outcomes, seconds = run_schemathesis(served, workdir)
    print(
        f"\n    schemathesis on {database}: {requests} requests in {seconds:.1f}s", file=sys.stderr
    )
    print(f"    {dict(sorted(outcomes.items()))}", file=sys.stderr)
    # The stateful phase reached users it had made: created, read, changed and deleted them.
    for outcome in ("POST 201", "GET 200", "PATCH 200", "DELETE 204"):
        assert outcomes[outcome] > 0, (outcome, outcomes)


def test_schemathesis_finds_nothing_on_sqlite(
    default_project: Path, default_python: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(default_project, default_python, url, ALLOW_SQLITE_IN_PRODUCTION="1")
    with serve(
        default_project, default_python, url, tmp_path, ALLOW_SQLITE_IN_PRODUCTION="1"
    ) as served:
        check_and_report(served, tmp_path, "sqlite")


def test_schemathesis_finds_nothing_on_postgresql(
    postgres_project: Path, postgres_python: Path, tmp_path: Path
) -> None:
    with serve_on_new_database(postgres_project, postgres_python, tmp_path, "oas") as served:
        check_and_report(served, tmp_path, "postgresql")


def test_schemathesis_finds_nothing_on_mariadb(tmp_path: Path) -> None:
    project = bake(tmp_path / "bake", database="mysql")
    python = venv_for("mysql", project)
    with fresh_database("mysql", "oas") as url:
        migrate(project, python, url)
        with serve(project, python, url, tmp_path) as served:
            check_and_report(served, tmp_path, "mariadb")
