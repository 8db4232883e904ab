"""The benchmark stays runnable: a short run measures both sides and prints their ratio."""

from __future__ import annotations

import re

import pytest

from benchmarks import api

pytestmark = pytest.mark.slow


def test_a_short_benchmark_run_reports_every_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    assert api.main(["--seconds", "1", "--clients", "2", "--rounds", "1"]) == 0
    output = capsys.readouterr().out
    for name in api.ENDPOINTS:
        row = re.search(rf"^{re.escape(name)}\s+(\d+)\s+(\d+)\s+(\d+\.\d\d)", output, re.MULTILINE)
        assert row, output
        floor, app, ratio = int(row[1]), int(row[2]), float(row[3])
        assert floor > 0 and app > 0
        assert ratio == pytest.approx(app / floor, abs=0.02)
    assert "non-200 responses: 0" in output
