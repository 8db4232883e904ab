"""A pytest plugin for ``benchmarks/fixtures.py``: each test's setup, call and teardown times.

Loaded with ``-p fixture_phases`` (this folder on ``PYTHONPATH``); writes, per kind of test
(its name before ``[``) and phase, the list of times in ms to ``$FIXTURE_PHASES`` as JSON.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest

TIMES: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))


def _timed(phase: str) -> Callable[..., Iterator[None]]:
    @pytest.hookimpl(wrapper=True)
    def hook(item: pytest.Item, *_: Any) -> Iterator[None]:
        started = time.perf_counter()
        try:
            return (yield)
        finally:
            kind = item.name.split("[")[0]
            TIMES[kind][phase].append((time.perf_counter() - started) * 1000)

    return hook


pytest_runtest_setup = _timed("setup")
pytest_runtest_call = _timed("call")
pytest_runtest_teardown = _timed("teardown")


def pytest_sessionfinish() -> None:
    with open(os.environ["FIXTURE_PHASES"], "w", encoding="utf-8") as out:
        json.dump(TIMES, out)
