"""Throughput of the baked users API against the raw-driver floor, measured in one run.

    python -m benchmarks.api [--seconds 8] [--clients 8] [--rounds 2]

Bakes a PostgreSQL project, seeds a fresh database, then serves the baked app and the floor
(``benchmarks/floor``: Flask and psycopg, nothing else) in turn under the same gunicorn settings
and sends each the same requests from keep-alive clients. Prints requests per second,
latencies, and the app's throughput as a share of the floor's. The rounds alternate floor and
app, so drift on a noisy machine hits both.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.baking import bake, make_venv, run
from tests.servers import fresh_database, require_server
from tests.serving import migrate, production_env, serve
from tests.traffic import Client

FLOOR = Path(__file__).resolve().parent / "floor"
ENDPOINTS = {
    "list, 20 a page": "/api/users?per_page=20",
    "list, 100 a page": "/api/users?per_page=100&page=3",
    "one user": "/api/users/500",
}
SEED = 1000


@dataclass
class Measure:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0


def hammer(base: str, path: str, clients: int, seconds: float) -> Measure:
    """``clients`` keep-alive clients send GET ``path`` for ``seconds``; count and time them."""
    measure = Measure()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client_loop() -> None:
        client = Client(base)
        latencies, failures = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status = client.send("GET", path).status
            latencies.append(time.perf_counter() - started)
            failures += status != 200
        with lock:
            measure.latencies.extend(latencies)
            measure.failures += failures

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    measure.seconds = time.monotonic() - started
    measure.requests = len(measure.latencies)
    return measure


def measure_app(
    folder: Path, python: Path, url: str, workdir: Path, clients: int, seconds: float
) -> dict[str, Measure]:
    # Steady state: no worker recycling mid-run (both sides share the gunicorn settings).
    with serve(folder, python, url, workdir, GUNICORN_MAX_REQUESTS="0") as served:
        for path in ENDPOINTS.values():
            hammer(served.base, path, clients, min(1.0, seconds))  # warm up: connections, caches
        return {
            name: hammer(served.base, path, clients, seconds) for name, path in ENDPOINTS.items()
        }


def report(results: dict[str, list[dict[str, Measure]]]) -> list[str]:
    lines = [
        f"{'endpoint':<18} {'floor req/s':>11} {'app req/s':>10} {'app/floor':>9} "
        f"{'floor p50/p99 ms':>17} {'app p50/p99 ms':>15}"
    ]
    for name in ENDPOINTS:
        floor = [round_[name] for round_ in results["floor"]]
        app = [round_[name] for round_ in results["app"]]
        floor_rate = statistics.median(m.rate for m in floor)
        app_rate = statistics.median(m.rate for m in app)
        lines.append(
            f"{name:<18} {floor_rate:>11.0f} {app_rate:>10.0f} {app_rate / floor_rate:>9.2f} "
            f"{floor[-1].percentile(0.5):>8.1f}/{floor[-1].percentile(0.99):<8.1f} "
            f"{app[-1].percentile(0.5):>6.1f}/{app[-1].percentile(0.99):<8.1f}"
        )
    failures = sum(m.failures for side in results.values() for r in side for m in r.values())
    lines.append(f"non-200 responses: {failures}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="per endpoint and round")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients")
    parser.add_argument("--rounds", type=int, default=2, help="floor/app alternations")
    args = parser.parse_args(argv)
    require_server("postgresql")
    root = Path(tempfile.mkdtemp(prefix="fdt-bench-"))
    try:
        project = bake(root / "bake", database="postgresql")
        python = make_venv(root / "venv", project)
        floor = root / "floor"
        floor.mkdir()
        shutil.copy(FLOOR / "wsgi.py", floor / "wsgi.py")
        shutil.copy(project / "gunicorn.conf.py", floor / "gunicorn.conf.py")
        with fresh_database("postgresql", "bench") as url:
            migrate(project, python, url)
            seed = [str(python), "manage.py", "seed", "--count", str(SEED)]
            seeded = run(seed, project, production_env(url))
            if seeded.returncode != 0:
                raise SystemExit(f"Seeding failed:\n{seeded.stdout}{seeded.stderr}")
            results: dict[str, list[dict[str, Measure]]] = {"floor": [], "app": []}
            for number in range(args.rounds):
                for side, folder in (("floor", floor), ("app", project)):
                    workdir = root / f"{side}{number}"
                    workdir.mkdir()
                    results[side].append(
                        measure_app(folder, python, url, workdir, args.clients, args.seconds)
                    )
        print("\n".join(report(results)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
