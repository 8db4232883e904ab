"""The template's own code (hooks, tests, benchmarks) passes its linter and formatter."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .baking import TEMPLATE, run

RUFF = str(Path(sys.executable).with_name("ruff"))  # installed beside the test runner
OWN_CODE = ["hooks", "tests", "benchmarks"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_passes_on_the_templates_own_code(command: list[str]) -> None:
    result = run([RUFF, *command, *OWN_CODE], TEMPLATE)
    assert result.returncode == 0, result.stdout + result.stderr
