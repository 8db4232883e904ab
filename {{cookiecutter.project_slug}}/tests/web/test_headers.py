"""Each family of routes has its own security headers: the pages may load their stylesheet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from {{ cookiecutter.project_slug }}.security import HEADERS, PAGE_HEADERS

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def assert_headers(response: Any, expected: dict[str, str]) -> None:
    for name, value in expected.items():
        assert response.headers[name] == value, name


@pytest.mark.parametrize("path", ["/", "/users", "/users?page=0", "/no/such", "/static/style.css"])
def test_pages_allow_their_own_stylesheet_and_nothing_else(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    response.close()  # a static file's body is an open file
    assert PAGE_HEADERS["Content-Security-Policy"] == PAGE_POLICY
    assert_headers(response, PAGE_HEADERS)


@pytest.mark.parametrize("path", ["/api/users", "/api/no/such", "/healthz", "/readyz"])
def test_the_api_keeps_its_stricter_policy(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert HEADERS["Content-Security-Policy"] == API_POLICY
    assert_headers(response, HEADERS)


def test_the_stylesheet_is_served_by_the_app(client: FlaskClient) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert b"font-family" in response.data
    response.close()


@pytest.mark.parametrize("path", ["/", "/users", "/no/such"])
def test_pages_load_nothing_from_elsewhere(client: FlaskClient, path: str) -> None:
    """No CDN: every address a page loads or links to is on the app itself."""
    page = client.get(path).get_data(as_text=True)
    addresses = re.findall(r'(?:href|src|action)="([^"]*)"', page)
    assert addresses
    assert all(address.startswith(("/", "#")) for address in addresses), addresses
    assert "<script" not in page
    assert "style=" not in page  # the policy refuses inline styles
