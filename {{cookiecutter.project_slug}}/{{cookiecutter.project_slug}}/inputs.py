"""Reading what a request carries, for every feature: row ids in URLs, JSON bodies, and the
pattern check a schema's text fields share with the API's document (:func:`matching`).

``<id:name>`` in a route matches any run of ASCII digits, so every method finds its route; an
id no row can have is a 404 there, before the view or the database is reached.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flask import Flask, request
from pydantic import AfterValidator, BaseModel, ValidationError
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from .errors import APIError, ValidationFailed

# Ids are INTEGER columns: nothing past a 32-bit integer can exist.
MAX_ID = 2_147_483_647
# Arrays and objects nested deeper than this are refused as malformed. Before Python 3.14 the
# parser itself gives up near the recursion limit (about 1000 levels); 3.14 parses any depth.
MAX_JSON_DEPTH = 100
TOO_DEEP = f"The JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep."
Schema = TypeVar("Schema", bound=BaseModel)


def matching(pattern: str, message: str) -> Any:
    """Metadata for a string field: ``pattern`` in the document, and the same check in the app,
    with ``message`` as its error instead of the pattern itself."""
    compiled = re.compile(pattern)

    def check(text: str) -> str:
        if not compiled.fullmatch(text):
            raise ValueError(message)
        return text

    return AfterValidator(check)


class IdConverter(BaseConverter):
    """``<id:name>``: a row id from 1 to ``MAX_ID``; any other run of digits is a 404.

    The built-in ``int(min=..., max=...)`` makes an out-of-range id match no route, so a PATCH
    or DELETE to it answered 405 (another method's route matched the path) instead of 404.
    """

    regex = "[0-9]+"  # not \d, which also matches the digits of other scripts
    weight = 50  # as the built-in int converter: static path parts win over it

    def to_python(self, value: str) -> int:
        digits = value.lstrip("0")
        if not digits or len(digits) > len(str(MAX_ID)) or int(digits) > MAX_ID:
            raise NotFound()
        return int(digits)

    def to_url(self, value: Any) -> str:
        return str(int(value))


def parse_body(schema: type[Schema]) -> Schema:
    """Validate the JSON body: malformed JSON is a 400, too large a 413, invalid fields a 422."""
    read_body()
    try:
        payload = request.get_json()
    except RecursionError:
        raise APIError(TOO_DEEP) from None
    if json_depth(payload) > MAX_JSON_DEPTH:
        raise APIError(TOO_DEEP)
    try:
        return schema.model_validate(payload)
    except ValidationError as error:
        raise ValidationFailed(
            "The request body has invalid fields.", errors=field_errors(error)
        ) from None


def json_depth(value: Any) -> int:
    """How many levels of arrays and objects a parsed JSON value has, counted level by level
    (no recursion), and no further than one level past ``MAX_JSON_DEPTH``."""
    depth, level = 0, [value]
    while depth <= MAX_JSON_DEPTH:
        containers = [item for item in level if isinstance(item, list | dict)]
        if not containers:
            break
        depth += 1
        level = [
            child
            for item in containers
            for child in (item.values() if isinstance(item, dict) else item)
        ]
    return depth


def read_body() -> bytes:
    """The body (cached for ``get_json``); a streamed one over ``MAX_CONTENT_LENGTH`` is a 413.

    A chunked body has no Content-Length to refuse up front, and reading it stops silently at
    the limit, which would hand the truncated rest to the JSON parser as a 400. So when the
    limit was reached, one more byte from the server's stream tells whether there was more.
    """
    data = request.get_data()
    limit = request.max_content_length
    streamed = request.content_length is None
    if streamed and limit is not None and len(data) >= limit and request.input_stream.read(1):
        raise RequestEntityTooLarge()
    return data


def field_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Per-field messages, without echoing the (possibly huge) input back."""
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or None, "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]


def init_app(app: Flask) -> None:
    """Make ``<id:name>`` available to every blueprint's routes."""
    app.url_map.converters["id"] = IdConverter
