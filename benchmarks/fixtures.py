"""Per-test cost of the baked ``db``/``client`` fixtures against create_all/drop_all per test.

Runs ``fixture_tests.py`` (600 tests: 200 of each kind) inside a baked project's own suite,
in one pytest run, and reads each test's time (setup, call and teardown) from its JUnit report.
"""

from __future__ import annotations

import shutil
import statistics
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from tests.baking import run
from tests.servers import SERVERS

HERE = Path(__file__).resolve().parent


def test_times(report: Path) -> dict[str, list[float]]:
    """Each kind's test times in ms, from a JUnit XML report."""
    times: dict[str, list[float]] = defaultdict(list)
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - our own report
        times[case.get("name", "").split("[")[0]].append(float(case.get("time", 0)) * 1000)
    return times


def measure_fixtures(database: str, project: Path, python: Path, tests: int = 200) -> str:
    """One row of the report: ms per test of each kind, and the create/drop-to-baked ratio."""
    test_file = project / "tests" / "test_fixture_benchmark.py"
    shutil.copy(HERE / "fixture_tests.py", test_file)
    report = project / "fixtures.xml"
    env = {"FIXTURE_TESTS": str(tests)}
    if database != "sqlite":  # the suite makes this database and drops it at the end
        server = SERVERS[database].rsplit("/", 1)[0]
        env["TEST_DATABASE_URL"] = f"{server}/fdt_fixtures_{uuid.uuid4().hex[:8]}"
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               str(test_file), f"--junitxml={report}"]  # fmt: skip
    result = run(command, project, env)
    test_file.unlink()
    if result.returncode != 0:
        raise SystemExit(f"The fixture benchmark failed:\n{result.stdout[-3000:]}")
    medians = {kind: statistics.median(times) for kind, times in test_times(report).items()}
    baked, create_drop = medians["test_baked"], medians["test_create_drop"]
    return (
        f"| {database} | {baked:.1f} | {create_drop:.1f} | {medians['test_bare']:.1f} "
        f"| {create_drop / baked:.1f} |"
    )


HEADER = [
    "| database | baked db/client ms/test | create_all/drop_all ms/test | no fixture ms/test "
    "| create-drop / baked |",
    "|---|---|---|---|---|",
]
