"""A database that cannot serve a request makes it a 503, never a 500 or a crash."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from {{ cookiecutter.project_slug }} import db


def test_no_connection_to_spare_is_503(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    @app.get("/busy")
    def busy() -> str:
        raise PoolTimeout("QueuePool limit of size 1 overflow 0 reached")

    response = app.test_client().get("/busy")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 503  # type: ignore[index]


def add_dropping_view(app: Flask) -> Flask:
    """``/dropped/<status>``: query, lose the connection, then answer ``status``."""

    @app.get("/dropped/<int:status>")
    def dropped(status: int) -> tuple[dict[str, int], int]:
        value = db.session.execute(text("SELECT 1")).scalar_one()
        # As when the server ends the connection: the transaction is still open, and the
        # rollback at the end of the request is the first to find the connection gone.
        db.session.connection().connection.dbapi_connection.close()  # type: ignore[union-attr]
        return {"value": value}, status

    return app


@pytest.mark.parametrize(
    ("mode", "status"),
    [("manual", 200), ("autocommit", 404), ("autocommit_include_redirect", 404)],
)
def test_a_connection_lost_after_the_last_query_keeps_the_answer(
    make_app: Callable[..., Flask], mode: str, status: int
) -> None:
    app = add_dropping_view(make_app(DATABASE_COMMIT_MODE=mode))
    client = app.test_client()
    response = client.get(f"/dropped/{status}")
    assert response.status_code == status
    assert response.json == {"value": 1}
    # The lost connection was discarded, not handed to the next request.
    assert client.get("/readyz").status_code == 200
