"""``/docs``: Swagger UI from assets the app serves, under a policy that allows just those."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from ..environments import production_app


def test_the_page_loads_only_what_the_app_serves(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "unsafe" not in policy
    assert "http" not in page.text  # no asset from another origin
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(sources) == 3
    for source in sources:
        with client.get(source) as asset:  # a file's response: closed when read
            assert asset.status_code == 200, source
            assert asset.headers["Content-Security-Policy"] == policy
            assert len(asset.data) > 100


def test_only_the_bundled_assets_are_served(client: FlaskClient) -> None:
    assert client.get("/docs/assets/index.html").status_code == 404
    assert client.get("/docs/assets/..%2F__init__.py").status_code == 404


def test_the_api_and_the_pages_keep_their_own_policies(client: FlaskClient) -> None:
    docs = client.get("/docs").headers["Content-Security-Policy"]
    api = client.get("/api/users").headers["Content-Security-Policy"]
    page = client.get("/").headers["Content-Security-Policy"]
    assert api == "default-src 'none'; frame-ancestors 'none'"
    assert page.startswith("default-src 'none'; style-src 'self'; form-action 'self'")
    assert len({docs, api, page}) == 3


def test_production_serves_the_page_only_when_asked() -> None:
    with production_app() as app:
        assert app.test_client().get("/docs").status_code == 404
    with production_app(DOCS_ENABLED="1") as app:
        assert app.test_client().get("/docs").status_code == 200
