"""``/metrics``: off unless enabled, loopback only by default; its numbers move as they should."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import TimeoutError as PoolTimeout

from {{ cookiecutter.project_slug }} import create_app, db
from {{ cookiecutter.project_slug }}.config import Config, ConfigError, TestingConfig
from {{ cookiecutter.project_slug }}.errors import problem
from {{ cookiecutter.project_slug }}.users.models import User

OUTSIDER = "203.0.113.9"  # a documentation address: never loopback


# The workers' shared directory (conftest.py), set before the library loads.
pytestmark = pytest.mark.usefixtures("metrics_dir")


class Scrape:
    """One ``GET /metrics``, parsed: ``value(name, **labels)`` reads a sample (0 if absent)."""

    def __init__(self, client: FlaskClient) -> None:
        # Imported here, not at the top: the library picks where values live when first
        # imported, which must come after ``metrics_dir`` has set the directory.
        from prometheus_client.parser import text_string_to_metric_families

        response = client.get("/metrics")
        assert response.status_code == 200, response.text
        self.text = response.text
        self.samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(self.text)
            for sample in family.samples
        }

    def value(self, name: str, **labels: str) -> float:
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def since(self, earlier: Scrape, name: str, **labels: str) -> float:
        """How much a sample grew between ``earlier`` and this scrape."""
        return self.value(name, **labels) - earlier.value(name, **labels)


@pytest.fixture
def metrics_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(METRICS_ENABLED="1")


def mode_of(app: Flask) -> str:
    return str(app.config["DATABASE_COMMIT_MODE"].value)


def add_session_routes(app: Flask) -> None:
    """Routes that commit, fail to commit, or give up, whatever the commit mode."""

    @app.post("/api/test/commit/<email>")
    def commit(email: str) -> tuple[str, int]:
        db.session.add(User(email=email, name="Test"))
        db.session.commit()
        return "", 204

    @app.post("/api/test/savepoint-then-commit")
    def savepoint_then_commit() -> tuple[str, int]:
        with db.session.begin_nested():
            db.session.add(User(email="nested@example.com", name="Nested"))
        db.session.commit()
        return "", 204

    @app.post("/api/test/savepoint-then-give-up")
    def savepoint_then_give_up() -> object:
        with db.session.begin_nested():  # released, yet the transaction around it is not kept
            db.session.add(User(email="abandoned@example.com", name="Abandoned"))
        return problem(400, "Changed my mind.")


def test_metrics_are_off_unless_enabled(make_app: Callable[..., Flask]) -> None:
    assert Config({}).METRICS_ENABLED is False
    assert make_app().test_client().get("/metrics").status_code == 404


def test_start_up_fails_without_the_shared_directory(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    with pytest.raises(ConfigError, match="PROMETHEUS_MULTIPROC_DIR is not set"):
        make_app(METRICS_ENABLED="1")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="is not a directory"):
        make_app(METRICS_ENABLED="1")


def test_only_loopback_may_read_metrics_by_default(metrics_app: Flask) -> None:
    client = metrics_app.test_client()
    assert client.get("/metrics").status_code == 200
    refused = client.get("/metrics", environ_base={"REMOTE_ADDR": OUTSIDER})
    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    assert "db_" not in refused.text


def test_the_allow_list_names_who_may_read_metrics(make_app: Callable[..., Flask]) -> None:
    client = make_app(METRICS_ENABLED="1", METRICS_ALLOW="10.0.0.0/8, 2001:db8::1").test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "2001:db8::1"}).status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback is no longer on the list
    with pytest.raises(ConfigError, match="METRICS_ALLOW"):
        make_app(METRICS_ENABLED="1", METRICS_ALLOW="10.0.0.0/8, intranet")


def test_requests_are_counted_by_endpoint_name_and_status_class(metrics_app: Flask) -> None:
    client = metrics_app.test_client()
    before = Scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/api/users/987654")
    client.get("/nowhere/987654")
    after = Scrape(client)
    healthz = {"endpoint": "health.healthz", "status": "2xx"}
    assert after.since(before, "http_requests_total", **healthz) == 3
    assert after.since(before, "http_request_duration_seconds_count", **healthz) == 3
    missing_user = {"endpoint": "users.get_user", "status": "4xx"}
    assert after.since(before, "http_requests_total", **missing_user) == 1
    assert after.since(before, "http_requests_total", endpoint="unmatched", status="4xx") == 1
    # Labels name endpoints, never paths or ids.
    assert "987654" not in after.text
    assert "nowhere" not in after.text


def test_a_committing_request_raises_the_commit_counter(metrics_app: Flask) -> None:
    client = metrics_app.test_client()
    mode = mode_of(metrics_app)
    before = Scrape(client)
    response = client.post("/api/users", json={"email": "counted@example.com", "name": "Counted"})
    assert response.status_code == 201
    after = Scrape(client)
    assert after.since(before, "db_commits_total", mode=mode) >= 1
    assert after.since(before, "db_commit_failures_total", mode=mode) == 0


def test_a_failed_commit_raises_the_failure_counter(metrics_app: Flask) -> None:
    add_session_routes(metrics_app)
    client = metrics_app.test_client()
    mode = mode_of(metrics_app)
    assert client.post("/api/test/commit/twice@example.com").status_code == 204
    before = Scrape(client)
    assert client.post("/api/test/commit/twice@example.com").status_code == 409
    after = Scrape(client)
    assert after.since(before, "db_commit_failures_total", mode=mode) == 1
    assert after.since(before, "db_commits_total", mode=mode) == 0


def test_a_savepoint_is_not_a_commit(metrics_app: Flask) -> None:
    add_session_routes(metrics_app)
    client = metrics_app.test_client()
    mode = mode_of(metrics_app)
    before = Scrape(client)
    assert client.post("/api/test/savepoint-then-commit").status_code == 204
    after = Scrape(client)
    assert after.since(before, "db_commits_total", mode=mode) == 1


def test_work_given_up_after_a_savepoint_is_a_rollback_not_a_commit(metrics_app: Flask) -> None:
    add_session_routes(metrics_app)
    client = metrics_app.test_client()
    mode = mode_of(metrics_app)
    before = Scrape(client)
    assert client.post("/api/test/savepoint-then-give-up").status_code == 400
    after = Scrape(client)
    assert after.since(before, "db_rollbacks_total", mode=mode) == 1
    assert after.since(before, "db_commits_total", mode=mode) == 0


def test_statements_are_timed_and_slow_ones_counted(make_app: Callable[..., Flask]) -> None:
    client = make_app(METRICS_ENABLED="1", SLOW_QUERY_MS="0").test_client()
    before = Scrape(client)
    assert client.get("/api/users").status_code == 200
    after = Scrape(client)
    ran = after.since(before, "db_query_duration_seconds_count", database="default")
    slow = after.since(before, "db_slow_queries_total", database="default")
    assert ran >= 1
    assert slow == ran  # every statement takes at least 0 ms


@pytest.fixture
def small_pool_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a real pool of one connection plus one overflow, waiting 1 s for more."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'pool.db'}"
    settings = {"DB_POOL_SIZE": "1", "DB_MAX_OVERFLOW": "1", "DB_POOL_TIMEOUT": "1"}
    env = {**os.environ, **settings, "TEST_DATABASE_URL": url, "METRICS_ENABLED": "1"}
    app = create_app(TestingConfig(env))
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def test_a_pool_at_its_limit_shows_in_checked_out_and_overflow(small_pool_app: Flask) -> None:
    client = small_pool_app.test_client()
    with small_pool_app.app_context():
        engine = db.engine
        before = Scrape(client)
        with engine.connect(), engine.connect():
            full = Scrape(client)
            with pytest.raises(PoolTimeout), engine.connect():
                pass
            timed_out = Scrape(client)
        after = Scrape(client)

    def pool(scrape: Scrape, name: str) -> float:
        return scrape.value(f"db_pool_{name}", database="default")

    assert (pool(full, "size"), pool(full, "max_overflow")) == (1, 1)
    assert pool(full, "checked_out_connections") == 2
    assert pool(full, "overflow_connections") == 1
    assert pool(full, "idle_connections") == 0
    assert timed_out.since(before, "db_pool_timeouts_total", database="default") == 1
    assert timed_out.since(before, "db_pool_checkout_seconds_count", database="default") == 3
    # The third waited DB_POOL_TIMEOUT (1 s) for a connection before giving up.
    assert timed_out.since(before, "db_pool_checkout_seconds_sum", database="default") >= 1
    assert pool(after, "checked_out_connections") == 0
    assert pool(after, "overflow_connections") == 0  # the overflow connection was closed
    assert pool(after, "idle_connections") == 1
