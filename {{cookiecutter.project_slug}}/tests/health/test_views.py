"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from {{ cookiecutter.project_slug }} import config, create_app

from ..guards import count_queries


def test_healthz_answers_without_touching_the_database(client: FlaskClient) -> None:
    with count_queries() as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert queries.count == 0


def test_readyz_pings_the_database_and_reports_the_pool(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body: Any = response.json
    assert body["status"] == "ok"
    pool = body["databases"]["default"]
    assert pool["pool"] in {"QueuePool", "StaticPool"}
    assert isinstance(pool["checked_out"], int)


def test_readyz_is_503_problem_when_the_database_is_unreachable() -> None:
    app = create_app(
        config.TestingConfig({"TEST_DATABASE_URL": "sqlite:////nonexistent/dir/app.db"})
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json is not None
    assert response.json["status"] == 503
    assert "Traceback" not in response.get_data(as_text=True)


def test_healthz_stays_up_when_the_database_is_unreachable() -> None:
    app = create_app(
        config.TestingConfig({"TEST_DATABASE_URL": "sqlite:////nonexistent/dir/app.db"})
    )
    assert app.test_client().get("/healthz").status_code == 200
