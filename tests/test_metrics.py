"""Served by gunicorn with two workers, ``/metrics`` adds up both, and a real Prometheus reads it.

The PostgreSQL bake runs as production does (metrics on by default there); a bounded load of
users API calls is sent while Prometheus scrapes every second, and workers are replaced
during it: the requests of a worker that has ended still count, its pool no longer does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .monitoring import SCRAPE_SECONDS, Samples, parse, query, scraping, wait_for
from .serving import WORKERS, ServedApp, serve_on_new_database
from .traffic import Client, drive

pytestmark = pytest.mark.slow

CLIENTS = 16
SECONDS = 6
REQUEST_LIMIT = 200  # per client: the load is bounded in count as well as time
USERS_ENDPOINTS = 'endpoint=~"users\\\\..*"'


@pytest.fixture(scope="module")
def metrics_app(
    postgres_project: Path, postgres_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedApp]:
    workdir = tmp_path_factory.mktemp("metrics")
    with serve_on_new_database(
        postgres_project,
        postgres_python,
        workdir,
        "metrics",
        gunicorn_args=("--threads", "4"),
        # Workers are replaced mid-load: their counts must stay, their gauges must go.
        GUNICORN_MAX_REQUESTS="300",
        GUNICORN_MAX_REQUESTS_JITTER="50",
    ) as served:
        yield served


def scrape(base: str) -> tuple[str, Samples]:
    client = Client(base)
    try:
        reply = client.send("GET", "/metrics")
    finally:
        client.close()
    assert reply.status == 200, reply.body[:500]
    text = reply.body.decode()
    return text, parse(text)


def total(samples: Samples, name: str, prefix: str = "") -> float:
    """The sum of ``name`` over every label set whose endpoint starts with ``prefix``."""
    return sum(
        value
        for sample, labels, value in samples
        if sample == name and labels.get("endpoint", "").startswith(prefix)
    )


def pool(samples: Samples, name: str) -> float:
    return total(samples, f"db_pool_{name}")


def test_metrics_add_up_every_worker_and_prometheus_reads_them(
    metrics_app: ServedApp, tmp_path: Path
) -> None:
    target = metrics_app.base.removeprefix("http://")
    with scraping(target, tmp_path) as prometheus:
        during: list[str] = []

        def scrape_mid_load() -> None:
            time.sleep(SECONDS / 2)
            during.append(scrape(metrics_app.base)[0])

        tally = drive(
            metrics_app.base,
            CLIENTS,
            SECONDS,
            label="metrics",
            limit=REQUEST_LIMIT,
            during=scrape_mid_load,
        )
        time.sleep(3 * SCRAPE_SECONDS)  # let Prometheus take the last numbers in
        text, samples = scrape(metrics_app.base)
        pool_size = wait_for(prometheus, 'sum(db_pool_size{database="default"})')
        in_use = query(prometheus, 'sum(db_pool_checked_out_connections{database="default"})')
        rate = wait_for(prometheus, f"sum(rate(http_requests_total{{{USERS_ENDPOINTS}}}[30s]))")
        peak = query(
            prometheus,
            'max_over_time(sum(db_pool_checked_out_connections{database="default"})[30s:1s])',
        )

    mid_load = "\n".join(
        line for line in during[0].splitlines() if line.startswith(("db_pool", "http_requests"))
    )
    print(
        f"\nmetrics: {tally.requests} requests in {tally.seconds:.1f}s; a scrape mid-load:\n"
        f"{mid_load}\nPrometheus: pool size {pool_size[0]['value'][1]}, in use now "
        f"{in_use[0]['value'][1]}, peak {peak[0]['value'][1]}, users API rate "
        f"{float(rate[0]['value'][1]):.0f}/s",
        file=sys.stderr,
    )
    per_worker = int(metrics_app.settings["DB_POOL_SIZE"])
    assert tally.requests > CLIENTS
    # Every request the clients sent was counted, whichever worker answered it.
    assert total(samples, "http_requests_total", "users.") == tally.requests
    assert total(samples, "http_request_duration_seconds_count", "users.") == tally.requests
    counter_files = {path.name for path in metrics_dir(metrics_app).glob("counter_*.db")}
    assert len(counter_files - {f"counter_{metrics_app.process.pid}.db"}) > WORKERS  # replaced
    # The gauges are the sum over the living workers: each has a pool of its own.
    assert pool(samples, "size") == WORKERS * per_worker
    assert pool(samples, "checked_out_connections") == 0  # idle after the load
    assert total(samples, "db_commits_total") >= tally.count(
        lambda kind, status: kind == "create" and status == 201
    )
    assert "@example.com" not in text  # no parameters
    assert "SELECT" not in text  # no SQL
    # Prometheus has them too.
    assert float(pool_size[0]["value"][1]) == WORKERS * per_worker
    assert float(in_use[0]["value"][1]) == 0
    assert float(peak[0]["value"][1]) >= 1
    assert float(rate[0]["value"][1]) > 0


def metrics_dir(served: ServedApp) -> Path:
    """The workers' shared directory that gunicorn.conf.py made under XDG_RUNTIME_DIR."""
    runtime = Path(served.log).parent
    found = list(runtime.glob("*.metrics"))
    assert len(found) == 1, found
    return found[0]
