"""Throughput of the baked users API against the raw-driver floor, measured in one run.

    python -m benchmarks.api [--databases postgresql,sqlite] [--rows 10000] [--seconds 4]
        [--clients 8] [--rounds 2] [--scale 1000,100000,1000000] [--startup-runs 9]
        [--seed-rows 100000] [--output FILE]

For each database (PostgreSQL, and SQLite as a file in WAL mode): bakes a project, seeds
``--rows`` users, then serves the baked app and the floor (``benchmarks/floor``: Flask and the
raw driver, nothing else) and a second floor (``benchmarks/core``: the same through SQLAlchemy
Core, nothing else) in turn under the same gunicorn settings (2 sync workers, workers
not recycled, no access log on either side) and sends each the same requests from wrk
(``benchmarks/load.py``: 2 threads, ``--clients`` connections). Rounds alternate the three,
so drift on a noisy machine hits each; requests created in a round are deleted before the
next side runs. Prints, per endpoint, requests per
second (answers with the expected status only), p50/p99 latency, the app/floor ratio, the
database round trips the app makes per request, the errors of each side, and the Core
floor's rate and share of the floor's: what SQLAlchemy itself costs.

Then, in-process (``benchmarks/probe.py``): list pages at each ``--scale`` size; the per-test
cost of the baked test fixtures (``benchmarks/fixtures.py``); ``seed`` against one ORM object
per row (``benchmarks/seed.py``); and start-up.
The report is printed and written to ``--output``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.baking import bake, make_venv, run
from tests.servers import fresh_database
from tests.serving import migrate, production_env, serve

from .fixtures import HEADER as FIXTURES_HEADER
from .fixtures import measure_fixtures
from .load import Endpoint, Measure, hammer, threads_for
from .startup import measure_startup

HERE = Path(__file__).resolve().parent
PACKAGE = "flask_db_app"  # the default project slug
DEFAULT_OUTPUT = HERE / "results.md"
# Each endpoint's name in the report, and in the probe's count of round trips.
ENDPOINTS = {"list (page 5 of 20, with total)": "list", "get by id": "get", "create": "create"}
SIDES = ("floor", "core", "app")


def endpoints(rows: int) -> dict[str, Endpoint]:
    """The requests measured, on a table of ``rows`` users."""
    return {
        "list (page 5 of 20, with total)": Endpoint("/api/users?page=5&per_page=20"),
        "get by id": Endpoint(f"/api/users/{max(1, rows // 2)}"),
        "create": Endpoint("/api/users", expected=201, creates=True),
    }


@dataclass(frozen=True)
class Target:
    """A baked project on one database, and the floor beside it."""

    database: str
    project: Path
    python: Path
    floor: Path
    core: Path
    url: str
    settings: dict[str, str]


@contextmanager
def database_url(database: str, folder: Path, label: str) -> Iterator[str]:
    """A new, empty database of this kind: a file for SQLite, a database on the server."""
    if database == "sqlite":
        yield f"sqlite:///{folder / f'{label}.db'}"
    else:
        with fresh_database(database, label) as url:
            yield url


def prepare(database: str, root: Path, url: str, rows: int) -> Target:
    """Bake, install, migrate and seed; put each floor in a folder beside the project."""
    project = bake(root / f"bake-{database}", database=database)
    python = make_venv(root / f"venv-{database}", project)
    floor, core = root / f"floor-{database}", root / f"core-{database}"
    for folder, source in ((floor, "floor"), (core, "core")):
        folder.mkdir()
        shutil.copy(HERE / source / "wsgi.py", folder / "wsgi.py")
        shutil.copy(HERE / "floor" / "bodies.py", folder / "bodies.py")  # shared by both
        shutil.copy(project / "gunicorn.conf.py", folder / "gunicorn.conf.py")
    settings = {"ALLOW_SQLITE_IN_PRODUCTION": "1"} if database == "sqlite" else {}
    migrate(project, python, url, **settings)
    seed = [str(python), "manage.py", "seed", "--count", str(rows)]
    seeded = run(seed, project, production_env(url, **settings))
    if seeded.returncode != 0:
        raise SystemExit(f"Seeding failed:\n{seeded.stdout}{seeded.stderr}")
    return Target(database, project, python, floor, core, url, settings)


def delete_created(url: str, rows: int) -> None:
    """Remove the users the creates added, so every side lists the same table."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM users WHERE id > :rows"), {"rows": rows})
    engine.dispose()


def measure_side(
    target: Target, side: str, label: str, args: argparse.Namespace
) -> dict[str, Measure]:
    folder = {"floor": target.floor, "core": target.core}.get(side, target.project)
    workdir = target.floor.parent / f"{target.database}-{label}"
    workdir.mkdir()
    # Steady state: no worker recycling mid-run (every side shares the gunicorn settings).
    with serve(
        folder, target.python, target.url, workdir, GUNICORN_MAX_REQUESTS="0", **target.settings
    ) as served:
        for endpoint in endpoints(args.rows).values():  # warm up: connections, caches
            hammer(served.base, endpoint, args.clients, min(1, args.seconds), f"{label}w")
        measures = {
            name: hammer(served.base, endpoint, args.clients, args.seconds, label)
            for name, endpoint in endpoints(args.rows).items()
        }
    delete_created(target.url, args.rows)
    return measures


def throughput(target: Target, args: argparse.Namespace) -> dict[str, list[dict[str, Measure]]]:
    results: dict[str, list[dict[str, Measure]]] = {side: [] for side in SIDES}
    for number in range(args.rounds):
        for side in SIDES:
            label = f"{side}{number}"
            results[side].append(measure_side(target, side, label, args))
    return results


def probe(target: Target, root: Path, sizes: str) -> dict[str, dict[str, object]]:
    """Run ``probe.py`` in the project's virtualenv, on a database of its own."""
    with database_url(target.database, root, f"scale{target.database[:2]}") as url:
        command = [str(target.python), str(HERE / "probe.py"), PACKAGE, url, sizes, "20"]
        result = run(command, target.project, {"PYTHONPATH": str(target.project)})
    if result.returncode != 0:
        raise SystemExit(f"The probe failed:\n{result.stdout}{result.stderr}")
    parsed: dict[str, dict[str, object]] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def seed_line(target: Target, root: Path, rows: int) -> str:
    """Run ``seed.py`` in the project's virtualenv, on a database of its own: one report row."""
    with database_url(target.database, root, f"seed{target.database[:2]}") as url:
        command = [str(target.python), str(HERE / "seed.py"), PACKAGE, url, str(rows)]
        result = run(command, target.project, {"PYTHONPATH": str(target.project)})
    if result.returncode != 0:
        raise SystemExit(f"The seed benchmark failed:\n{result.stdout}{result.stderr}")
    seconds = json.loads(result.stdout.strip().splitlines()[-1])["seconds"]
    seed, objects = seconds["seed"], seconds["one ORM object per row"]
    return f"| {target.database} | {seed:.2f} | {objects:.2f} | {objects / seed:.1f} |"


SEED_HEADER = [
    "| database | `seed` s | one ORM object per row s | speed-up |",
    "|---|---|---|---|",
]


def share(rate: float, floor_rate: float) -> float:
    return rate / floor_rate if floor_rate else 0.0


def errors_of(runs: list[Measure]) -> int:
    return sum(m.errors for m in runs)


def throughput_table(
    results: dict[str, list[dict[str, Measure]]], trips: dict[str, object]
) -> list[str]:
    lines = [
        "| endpoint | floor req/s | app req/s | app/floor | floor p50/p99 ms | app p50/p99 ms "
        "| app round trips | errors floor/app | Core req/s | Core/floor | Core errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, key in ENDPOINTS.items():
        floor, core, app = ([round_[name] for round_ in results[side]] for side in SIDES)
        floor_rate, core_rate, app_rate = (
            statistics.median(m.rate for m in runs) for runs in (floor, core, app)
        )
        lines.append(
            f"| {name} | {floor_rate:.0f} | {app_rate:.0f} | {share(app_rate, floor_rate):.2f} "
            f"| {floor[-1].p50_ms:.1f}/{floor[-1].p99_ms:.1f} "
            f"| {app[-1].p50_ms:.1f}/{app[-1].p99_ms:.1f} "
            f"| {trips[key]:g} | {errors_of(floor)}/{errors_of(app)} "
            f"| {core_rate:.0f} | {share(core_rate, floor_rate):.2f} | {errors_of(core)} |"
        )
    return lines


def scale_table(scale: dict[str, dict[str, float]]) -> list[str]:
    cases = list(next(iter(scale.values())))
    lines = ["| rows | " + " | ".join(f"{case} ms" for case in cases) + " |"]
    lines.append("|---" * (len(cases) + 1) + "|")
    for size, times in scale.items():
        lines.append(f"| {int(size):,} | " + " | ".join(f"{times[c]:.1f}" for c in cases) + " |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--rows", type=int, default=10_000, help="users seeded for throughput")
    parser.add_argument("--seconds", type=int, default=4, help="per endpoint and round")
    parser.add_argument("--clients", type=int, default=8, help="wrk connections")
    parser.add_argument("--rounds", type=int, default=2, help="floor/Core/app alternations")
    parser.add_argument("--scale", default="1000,100000,1000000", help="list pages by rows")
    parser.add_argument("--fixture-tests", type=int, default=200, help="tests of each kind")
    parser.add_argument("--startup-runs", type=int, default=9, help="runs of each command")
    parser.add_argument("--seed-rows", type=int, default=100_000, help="users seeded each way")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    command = "python -m benchmarks.api " + " ".join(argv if argv is not None else sys.argv[1:])
    report = [
        f"# Benchmark results ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
        f"`{command.strip()}` on {os.cpu_count()} CPUs; gunicorn 2 sync workers, no access "
        f"log on either side; wrk, {threads_for(args.clients)} thread(s) and {args.clients} "
        f"connections, {args.seconds} s "
        f"per endpoint, medians of {args.rounds} interleaved rounds; {args.rows:,} users.",
    ]  # fmt: skip
    started_load = os.getloadavg()[0]
    startup: list[str] = []
    fixtures: list[str] = []
    seeds: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="fdt-bench-"))
    try:
        for database in args.databases.split(","):
            with database_url(database, root, "bench") as url:
                target = prepare(database, root, url, args.rows)
                results = throughput(target, args)
                if database == args.databases.split(",")[0]:
                    env = production_env(url, **target.settings)
                    startup = measure_startup(
                        target.project, target.python, env, database, args.startup_runs
                    )
            probed = probe(target, root, args.scale)
            section = ["", f"## {database}: the app against the floor", ""]
            section += throughput_table(results, probed["round_trips"])
            section += ["", f"## {database}: list pages by table size (in-process, median)", ""]
            section += scale_table(probed["scale"])  # type: ignore[arg-type]
            print("\n".join(section), flush=True)
            report += section
            fixtures.append(
                measure_fixtures(database, target.project, target.python, args.fixture_tests)
            )
            seeds.append(seed_line(target, root, args.seed_rows))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report += [
        "",
        f"## Test fixtures: per test, median of {args.fixture_tests} tests of each kind",
        "",
    ]
    report += [*FIXTURES_HEADER, *fixtures]
    report += ["", f"## Seed: {args.seed_rows:,} users, batches of 1,000", ""]
    report += [*SEED_HEADER, *seeds]
    report += ["", "## Start-up", "", *startup]
    loads = f"{started_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    report[2] += f" Load average (1 min): {loads}."
    text_ = "\n".join(report) + "\n"
    print(text_)
    args.output.write_text(text_)
    return 0


if __name__ == "__main__":
    sys.exit(main())
