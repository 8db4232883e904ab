"""Per-test cost of the baked ``db``/``client`` fixtures against create_all/drop_all per test.

Runs ``fixture_tests.py`` (600 tests: 200 of each kind) inside a baked project's own suite,
in one pytest run, and reads each test's setup, call and teardown times from the plugin
``fixture_phases.py``.
"""

from __future__ import annotations

import json
import shutil
import statistics
import uuid
from pathlib import Path

from tests.baking import run
from tests.servers import SERVERS

HERE = Path(__file__).resolve().parent


def measure_fixtures(database: str, project: Path, python: Path, tests: int = 200) -> str:
    """One row of the report: per test, the fixtures' own time (setup and teardown) and the
    whole test's, of each kind; and the create/drop-to-baked ratios of both.

    Every kind runs under the suite's settings: the after-test emptying (a test of the other
    kinds finds nothing to empty) and test databases that skip disk syncs."""
    test_file = project / "tests" / "test_fixture_benchmark.py"
    shutil.copy(HERE / "fixture_tests.py", test_file)
    phases = project / "fixture-phases.json"
    env = {"FIXTURE_TESTS": str(tests), "FIXTURE_PHASES": str(phases), "PYTHONPATH": str(HERE)}
    if database != "sqlite":  # the suite makes this database and drops it at the end
        server = SERVERS[database].rsplit("/", 1)[0]
        env["TEST_DATABASE_URL"] = f"{server}/fdt_fixtures_{uuid.uuid4().hex[:8]}"
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               "-p", "fixture_phases", str(test_file)]  # fmt: skip
    result = run(command, project, env)
    test_file.unlink()
    if result.returncode != 0:
        raise SystemExit(f"The fixture benchmark failed:\n{result.stdout[-3000:]}")
    times = json.loads(phases.read_text())
    phases.unlink()
    baked, create_drop = times["test_baked"], times["test_create_drop"]
    return (
        f"| {database} | {fixtures_only(baked):.2f} | {whole(baked):.2f} "
        f"| {fixtures_only(create_drop):.2f} | {whole(create_drop):.2f} "
        f"| {whole(times['test_bare']):.2f} "
        f"| {fixtures_only(create_drop) / fixtures_only(baked):.1f} "
        f"| {whole(create_drop) / whole(baked):.1f} |"
    )


def whole(phases: dict[str, list[float]]) -> float:
    """The median time of a whole test: setup, call and teardown."""
    return statistics.median(map(sum, zip(*phases.values(), strict=True)))


def fixtures_only(phases: dict[str, list[float]]) -> float:
    """The median time of a test's setup and teardown."""
    return statistics.median(map(sum, zip(phases["setup"], phases["teardown"], strict=True)))


HEADER = [
    "| database | baked: setup+teardown ms | baked: whole test ms "
    "| create/drop: setup+teardown ms | create/drop: whole test ms | no fixture: whole test ms "
    "| create/drop ÷ baked: fixtures | create/drop ÷ baked: whole test |",
    "|---|---|---|---|---|---|---|---|",
]
