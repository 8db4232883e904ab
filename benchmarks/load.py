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


def threads_for(clients: int) -> int:
    """wrk's threads for ``clients`` connections: each thread keeps an equal share of them."""
    return THREADS if clients % THREADS == 0 else 1


@dataclass(frozen=True)
class Endpoint:
    """One kind of request: GET ``path``, or POST a new user to it when ``creates``."""

    path: str
    expected: int = 200
    creates: bool = False


@dataclass(frozen=True)
class Measure:
    """What one run of wrk measured. Answers with another status than the endpoint's expected
    one, and failed connections, count as errors, not as requests."""

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


def hammer(base: str, endpoint: Endpoint, clients: int, seconds: int, label: str) -> Measure:
    """``clients`` keep-alive connections send ``endpoint`` for ``seconds``; count and time them.

    Creates use emails unique to ``label``, the wrk thread and the request: none is a duplicate.
    """
    command = [wrk(), f"--threads={threads_for(clients)}", f"--connections={clients}",
               f"--duration={seconds}s", "--timeout=10s", f"--script={SCRIPT}",
               base + endpoint.path, "--", str(endpoint.expected)]  # fmt: skip
    if endpoint.creates:
        command += ["create", label]
    result = subprocess.run(  # noqa: S603 - a command built here
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"wrk failed:\n{result.stdout}{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return Measure(
        requests=figures["requests"] - figures["unexpected"],
        seconds=figures["microseconds"] / 1e6,
        p50_ms=figures["p50"] / 1000,
        p99_ms=figures["p99"] / 1000,
        errors=figures["unexpected"] + figures["socket_errors"],
    )
