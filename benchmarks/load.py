"""Load from wrk: keep-alive connections that send one kind of request for a while.

wrk is a C program, so the load costs the machine little of what the servers need: a client
in Python spent a core of these two-core machines and capped the floor's rate (3,460 req/s
under wrk, 2,331 under a Python client on the same floor and machine).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().with_name("load.lua")
THREADS = 2  # one per core of these machines


@dataclass(frozen=True)
class Endpoint:
    """One kind of request: GET ``path``, or POST a new user to it when ``creates``."""

    path: str
    expected: int = 200
    creates: bool = False


@dataclass(frozen=True)
class Measure:
    """What one run of wrk measured. Answers with an error status (400 and up, and so any
    answer but the 2xx each endpoint expects) and failed connections count as errors, not
    as requests."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("The benchmark drives its load with wrk: apt-get install wrk.")
    return found


def hammer(base: str, endpoint: Endpoint, clients: int, seconds: float, label: str) -> Measure:
    """``clients`` keep-alive connections send ``endpoint`` for ``seconds``; count and time them.

    Creates use emails unique to ``label``, the wrk thread and the request: none is a duplicate.
    """
    command = [wrk(), f"--threads={min(THREADS, clients)}", f"--connections={clients}",
               f"--duration={max(1, round(seconds))}s", "--timeout=10s", f"--script={SCRIPT}",
               base + endpoint.path]  # fmt: skip
    if endpoint.creates:
        command += ["--", "create", label]
    result = subprocess.run(  # noqa: S603 - a command built here
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"wrk failed:\n{result.stdout}{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    errors = figures["status_errors"] + figures["socket_errors"]
    return Measure(
        requests=figures["requests"] - figures["status_errors"],
        seconds=figures["microseconds"] / 1e6,
        p50_ms=figures["p50"] / 1000,
        p99_ms=figures["p99"] / 1000,
        errors=errors,
    )
