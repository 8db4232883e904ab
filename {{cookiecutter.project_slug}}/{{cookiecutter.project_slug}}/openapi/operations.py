"""What a view declares about itself for the API's document: ``@documented(...)``.

The decorator only records the declaration on the view; ``document.py`` reads it when the
document is built. Response types are the types the view returns (``TypedDict``s), request
bodies and query parameters the pydantic models it validates with, so the document is
generated from the code that answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

View = TypeVar("View", bound=Callable[..., Any])
OPERATION = "openapi_operation"  # the attribute of a view that holds its Operation

# Errors that every view reading a JSON body (with parse_body) can answer.
BODY_ERRORS = {
    400: "The body is not JSON, or nests arrays and objects too deep.",
    413: "The body is larger than MAX_CONTENT_LENGTH.",
    415: "The body is not sent as application/json.",
    422: "A field is invalid: 'errors' has one entry for each.",
}
# Errors of every view that reaches the database.
DATABASE_ERRORS = {503: "The database is unavailable, or no connection was free in time."}


@dataclass(frozen=True)
class Operation:
    """A view's responses, errors and inputs, as ``@documented`` was given them."""

    responses: Mapping[int, Any]  # status -> the body's type, or None for no body
    errors: Mapping[int, str] = field(default_factory=dict)  # status -> when it happens
    body: type[BaseModel] | None = None  # the JSON body, as parse_body validates it
    query: type[BaseModel] | None = None  # the query parameters, one per field
    # status -> header name -> what it holds
    headers: Mapping[int, Mapping[str, str]] = field(default_factory=dict)


def documented(
    responses: Mapping[int, Any],
    *,
    errors: Mapping[int, str] | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    headers: Mapping[int, Mapping[str, str]] | None = None,
) -> Callable[[View], View]:
    """Declare what a view answers: ``responses`` with their body types, ``errors`` (answered
    as problem+json) with the reason for each, and the ``body`` and ``query`` it reads.

    Only views declared this way are in the document; place it under the route decorator.
    """
    operation = Operation(responses, errors or {}, body, query, headers or {})

    def declare(view: View) -> View:
        setattr(view, OPERATION, operation)
        return view

    return declare


def operation_of(view: Callable[..., Any]) -> Operation | None:
    """The declaration ``@documented`` attached to ``view``, if any."""
    found = getattr(view, OPERATION, None)
    return found if isinstance(found, Operation) else None
