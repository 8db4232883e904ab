"""The benchmark stays runnable: a short run measures both sides and reports every figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import api

pytestmark = pytest.mark.slow

NUMBER = r"(\d+(?:\.\d+)?)"


def test_a_short_benchmark_run_reports_every_endpoint(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    arguments = ["--databases", "sqlite", "--rows", "300", "--seconds", "1", "--clients", "2",
                 "--rounds", "1", "--scale", "1000", "--startup-runs", "1", "--fixture-tests", "3",
                 "--seed-rows", "200", "--output",
                 str(output)]  # fmt: skip
    assert api.main(arguments) == 0
    report = output.read_text()
    for name in api.ENDPOINTS:
        cells = (
            rf"\| {re.escape(name)} \| (\d+) \| (\d+) \| (\d+\.\d\d) \|.*\| {NUMBER} \| 0/0 "
            rf"\| (\d+) \| (\d+\.\d\d) \| 0 \|$"
        )
        row = re.search(cells, report, re.M)
        assert row, report
        floor, app, ratio, trips = int(row[1]), int(row[2]), float(row[3]), float(row[4])
        core, core_ratio = int(row[5]), float(row[6])
        assert floor > 0 and app > 0 and core > 0
        assert ratio == pytest.approx(app / floor, abs=0.02)
        assert core_ratio == pytest.approx(core / floor, abs=0.02)
        assert 1 <= trips <= 6
    scale = re.search(
        rf"^\| 1,000 \| {NUMBER} \| {NUMBER} \| {NUMBER} \| {NUMBER} \|$", report, re.M
    )
    assert scale, report
    assert re.search(rf"^\| sqlite( \| {NUMBER}){{7}} \|$", report, re.M), report  # fixtures
    seed = re.search(rf"^\| sqlite \| {NUMBER} \| {NUMBER} \| {NUMBER} \|$", report, re.M)
    assert seed, report
    assert float(seed[3]) > 0  # the speed-up
    baseline = rf'^\| `python -c "import [^`]+"` \| {NUMBER} \| {NUMBER} \|$'
    startup = re.findall(baseline, report, re.M)
    assert len(startup) == 2, report  # the libraries alone, and with the driver
    assert all(float(ratio) > 0 for _, ratio in startup)
