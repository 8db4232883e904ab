"""Error responses: RFC 9457 problem details in the API, HTML pages everywhere else.

The request's family of routes (``families.py``) picks the form: ``application/problem+json``
for the API and the probes, a page in the site's layout for the rest. No stack trace or SQL
reaches a client. Database errors roll the session back before the response is built.
"""

from __future__ import annotations

from typing import Any, NotRequired

from flask import Flask, Response, current_app, has_request_context, json, render_template, request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from typing_extensions import TypedDict
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from .database import rollback
from .families import serves_json

PROBLEM_TYPE = "application/problem+json"


class ProblemJSON(TypedDict):
    """An RFC 9457 problem: the body of every error the API answers."""

    type: str
    title: str
    status: int
    detail: NotRequired[str]


class FieldError(TypedDict):
    field: str | None  # the field's name (dotted when nested); null for the body as a whole
    message: str


class ValidationProblemJSON(ProblemJSON):
    """A 422 problem: one entry in ``errors`` for each field that failed its checks."""

    errors: list[FieldError]


class APIError(Exception):
    """An error a view or service raises on purpose; it becomes a problem response."""

    status = 400
    title: str | None = None

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(APIError):
    status = 404


class Conflict(APIError):
    status = 409


class ValidationFailed(APIError):
    status = 422
    title = "Validation failed"


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.update(headers or {})
    return response


def error_page(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An HTML page in the site's layout (``templates/error.html``) that says what went wrong."""
    title = title or HTTP_STATUS_CODES.get(status, "Error")
    body = render_template("error.html", status=status, title=title, detail=detail)
    response = Response(body, status=status, mimetype="text/html")
    response.headers.update(headers or {})
    return response


def error_response(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error in the form of the request's family: problem+json, or an HTML page."""
    if not has_request_context() or serves_json(request.path):
        return problem(status, detail, title=title, errors=errors, headers=headers)
    return error_page(status, detail, title=title, headers=headers)


def database_problem(error: SQLAlchemyError) -> Response:
    """Roll the session back and answer for a database error: 409, 503 or 500.

    503 covers a server that cannot be reached and a pool with no connection to spare.
    """
    rollback()
    if isinstance(error, IntegrityError):
        return error_response(409, "The change conflicts with data that already exists.")
    if isinstance(error, OperationalError | PoolTimeout) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        cause = error.orig if isinstance(error, DBAPIError) else error
        current_app.logger.warning("Database unavailable: %s", type(cause).__name__)
        return error_response(503, "The database is unavailable. Try again shortly.")
    current_app.logger.exception("Database error")
    return error_response(500, "An unexpected error occurred.")


def handle_api_error(error: APIError) -> Response:
    return error_response(error.status, error.detail, title=error.title, errors=error.errors)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    # Keep headers such as Allow (405) or Retry-After; the body is ours.
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    detail = None if status >= 500 else error.description
    return error_response(status, detail, headers=headers)


def handle_database_error(error: SQLAlchemyError) -> Response:
    return database_problem(error)


def handle_unexpected(error: Exception) -> Response:
    """Any other exception: roll back, log with the traceback, answer a bare 500."""
    rollback()
    current_app.logger.exception("Unhandled exception", exc_info=error)
    return error_response(500, "An unexpected error occurred.")


def init_app(app: Flask) -> None:
    app.register_error_handler(APIError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
