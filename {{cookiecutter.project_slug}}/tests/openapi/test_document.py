"""The OpenAPI document: valid OpenAPI 3.1, every API and health route in it, the committed copy
up to date, and each field's rules stated as the app checks them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskCliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV31SpecValidator

from {{ cookiecutter.project_slug }}.openapi import document_text, documented
from {{ cookiecutter.project_slug }}.pagination import CURSOR_PATTERN, decode_cursor, encode_cursor
from {{ cookiecutter.project_slug }}.users.schemas import (
    EMAIL_PATTERN,
    NAME_PATTERN,
    UserCreate,
    UserJSON,
    UserUpdate,
)

from ..environments import production_app

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"
DOCUMENTED_PATHS = ("/api/", "/healthz", "/readyz")
METHODS = {"get", "put", "post", "patch", "delete"}
CHECKS = settings(max_examples=100, deadline=None, derandomize=True, database=None)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of each operation in ``document``."""
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


@pytest.fixture
def document(app: Flask) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(document_text(app))
    return loaded


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(document).validate()


def test_the_document_lists_every_route_of_the_api_and_the_probes(
    app: Flask, document: dict[str, Any]
) -> None:
    served = {
        (rule.rule.replace("<id:user_id>", "{user_id}"), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(DOCUMENTED_PATHS)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    listed = {(path, method) for path, method, _ in operations(document)}
    assert listed == served
    assert ("/api/users/{user_id}", "patch") in listed


def test_a_documented_view_of_a_new_feature_is_in_the_document(
    make_app: Callable[..., Flask],
) -> None:
    posts = Blueprint("posts", __name__, url_prefix="/api/posts")

    @posts.get("/<id:post_id>")
    @documented({200: UserJSON}, errors={404: "No post has this id."})
    def get_post(post_id: int) -> dict[str, int]:
        """One post."""
        return {"id": post_id}

    app = make_app()
    app.register_blueprint(posts)
    operation = json.loads(document_text(app))["paths"]["/api/posts/{post_id}"]["get"]
    assert operation["summary"] == "One post."
    assert set(operation["responses"]) == {"200", "404"}


def test_the_committed_copy_is_the_generated_document(document: dict[str, Any]) -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == document, "openapi.json is stale: run `flask openapi` and commit it."


def test_every_error_is_a_problem_and_a_422_lists_its_fields(document: dict[str, Any]) -> None:
    for _, _, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/problem+json"]["schema"]["$ref"]
            wanted = "ValidationProblemJSON" if status == "422" else "ProblemJSON"
            assert schema == f"#/components/schemas/{wanted}"
    errors = document["components"]["schemas"]["ValidationProblemJSON"]
    assert "errors" in errors["required"]


def test_a_create_links_to_the_operations_on_what_it_made(document: dict[str, Any]) -> None:
    links = document["paths"]["/api/users"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        "users.get_user", "users.update_user", "users.delete_user"
    }  # fmt: skip
    assert all(link["parameters"] == {"user_id": "$response.body#/id"} for link in links.values())


def test_the_document_is_served_in_production_unless_turned_off() -> None:
    with production_app() as app:
        response = app.test_client().get("/openapi.json")
        assert response.status_code == 200
        assert response.mimetype == "application/json"
        assert response.json["paths"]  # type: ignore[index]
    with production_app(OPENAPI_ENABLED="0") as app:
        assert app.test_client().get("/openapi.json").status_code == 404


def test_flask_openapi_writes_the_document_and_checks_a_copy(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "openapi.json"
    assert runner.invoke(args=["openapi", "--output", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == document_text(app)
    checked = runner.invoke(args=["openapi", "--check", "--output", str(target)])
    assert checked.exit_code == 0, checked.output
    target.write_text(json.dumps({"openapi": "3.1.0"}), encoding="utf-8")
    stale = runner.invoke(args=["openapi", "--check", "--output", str(target)])
    assert stale.exit_code == 1
    assert "differs from the API. Run `flask openapi`" in stale.output
    assert "Traceback" not in stale.output


# The document's patterns are the app's own checks: what matches one is accepted, and what does
# not is refused, so a client validating with the document never meets a surprise.


@CHECKS
@given(
    email=st.from_regex(EMAIL_PATTERN, fullmatch=True),
    name=st.from_regex(NAME_PATTERN, fullmatch=True),
)
def test_text_matching_the_patterns_is_accepted(email: str, name: str) -> None:
    if len(email) <= 254 and len(name) <= 100:
        user = UserCreate.model_validate({"email": email, "name": name})
        assert user.name == name.strip()


@CHECKS
@given(text=st.text(max_size=30))
def test_text_the_patterns_refuse_is_refused(text: str) -> None:
    for field, pattern in (("email", EMAIL_PATTERN), ("name", NAME_PATTERN)):
        accepted = re.fullmatch(pattern, text) is not None
        try:
            UserUpdate.model_validate({field: text})
        except ValueError:
            assert not accepted
        else:
            assert accepted


@CHECKS
@given(cursor=st.from_regex(CURSOR_PATTERN, fullmatch=True))
def test_every_cursor_the_pattern_allows_is_read(cursor: str) -> None:
    decode_cursor(cursor)  # raises APIError (400) for any it refuses


@pytest.mark.parametrize("after", [0, 1, 99, 2_147_483_647])
def test_every_cursor_the_api_makes_matches_the_pattern(after: int) -> None:
    assert re.fullmatch(CURSOR_PATTERN, encode_cursor(after))
