"""The OpenAPI 3.1 document, built from the routes and what their views declare.

apispec assembles the document; pydantic writes the JSON Schema of every type the views read
and return. Imported only when a document is built (the first ``GET /openapi.json``, or
``flask openapi``), so neither library slows the app's start-up.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from apispec import APISpec
from flask import Flask
from pydantic import TypeAdapter
from werkzeug.http import HTTP_STATUS_CODES

from ..errors import PROBLEM_TYPE, ProblemJSON, ValidationProblemJSON
from ..inputs import MAX_ID
from .operations import Operation, operation_of

OPENAPI_VERSION = "3.1.0"
# The version of the API's contract (not of the package): raise it when a change breaks clients.
API_VERSION = "1.0.0"
REFERENCE = "#/components/schemas/{model}"
# <converter(args):name> in a Flask rule, and the schema of each converter's values.
RULE_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
ONE_MORE_ARGUMENT = re.compile(r"/\{(\w+)\}")  # an item's path after its collection's
CONVERTERS: dict[str, dict[str, Any]] = {
    "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
    "default": {"type": "string", "pattern": "^[^/]+$"},
}
ANY_TEXT = {"type": "string"}  # what another converter (path, say) takes
DESCRIPTION = (
    "Every error is an RFC 9457 problem (application/problem+json). A page of a collection "
    "links to the page after it with 'next', a keyset cursor."
)


@dataclass(frozen=True)
class Route:
    """One method of one documented rule."""

    path: str  # in OpenAPI's form: /api/users/{user_id}
    method: str  # lower case
    endpoint: str
    view: Callable[..., Any]
    operation: Operation
    converters: dict[str, str]  # argument name -> converter name


def build_document(app: Flask) -> dict[str, Any]:
    """The document of every route whose view is ``@documented``, as a JSON-ready dict."""
    routes = list(documented_routes(app))
    refs, components = schemas(routes)
    spec = APISpec(
        title=app.config["PROJECT_NAME"],
        version=API_VERSION,
        openapi_version=OPENAPI_VERSION,
        info={"description": DESCRIPTION},
    )
    for name in sorted(components):
        spec.components.schema(name, components[name])
    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    parameters: dict[str, list[dict[str, Any]]] = {}
    for route in routes:
        paths[route.path][route.method] = describe(route, refs)
        parameters[route.path] = path_parameters(route.converters)
    for path, operations in paths.items():
        add_links(path, operations, paths)
        spec.path(path=path, operations=operations, parameters=parameters[path])
    return spec.to_dict()


def documented_routes(app: Flask) -> Iterator[Route]:
    """Each method of each rule whose view is documented, in the order of their paths."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        view = app.view_functions[rule.endpoint]
        operation = operation_of(view)
        if operation is None:
            continue
        path = RULE_ARGUMENT.sub(r"{\2}", rule.rule)
        converters = {name: kind or "default" for kind, name in RULE_ARGUMENT.findall(rule.rule)}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield Route(path, method.lower(), rule.endpoint, view, operation, converters)


def schemas(routes: list[Route]) -> tuple[dict[Any, dict[str, Any]], dict[str, Any]]:
    """A reference to each type's schema, and the schemas themselves by component name."""
    types: dict[str, Any] = {name_of(kind): kind for kind in (ProblemJSON, ValidationProblemJSON)}
    for route in routes:
        declared = [*route.operation.responses.values(), route.operation.body]
        types.update((name_of(kind), kind) for kind in declared if kind is not None)
    inputs = [(kind, "validation", TypeAdapter(kind)) for _, kind in sorted(types.items())]
    refs, top = TypeAdapter.json_schemas(inputs, ref_template=REFERENCE)  # type: ignore[arg-type]
    return {kind: ref for (kind, _), ref in refs.items()}, top.get("$defs", {})


def name_of(kind: Any) -> str:
    return str(getattr(kind, "__name__", kind))


def describe(route: Route, refs: dict[Any, Any]) -> dict[str, Any]:
    """One operation: its id, summary, inputs and every response it can give."""
    doc = inspect.getdoc(route.view) or route.endpoint
    operation = route.operation
    described: dict[str, Any] = {
        "operationId": route.endpoint,
        "tags": [route.endpoint.partition(".")[0]],
        "summary": doc.split("\n\n")[0].replace("\n", " ").replace("``", "`"),
        "responses": responses(operation, refs),
    }
    if operation.query is not None:
        described["parameters"] = query_parameters(operation.query)
    if operation.body is not None:
        content = {"application/json": {"schema": refs[operation.body]}}
        described["requestBody"] = {"required": True, "content": content}
    return described


def responses(operation: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    """Each status the view answers with: its body's schema, then each error as a problem."""
    answered: dict[str, Any] = {}
    for status, kind in sorted(operation.responses.items()):
        response: dict[str, Any] = {"description": HTTP_STATUS_CODES[status]}
        if kind is not None:
            response["content"] = {"application/json": {"schema": refs[kind]}}
        headers = operation.headers.get(status, {})
        if headers:
            response["headers"] = {
                name: {"description": text, "schema": {"type": "string"}, "required": True}
                for name, text in headers.items()
            }
        answered[str(status)] = response
    for status, reason in sorted(operation.errors.items()):
        problem = refs[ValidationProblemJSON if status == 422 else ProblemJSON]
        content = {PROBLEM_TYPE: {"schema": problem}}
        answered[str(status)] = {"description": reason, "content": content}
    return answered


def query_parameters(model: Any) -> list[dict[str, Any]]:
    """One query parameter for each field of ``model``."""
    schema = TypeAdapter(model).json_schema()
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema["properties"].items():
        # No title, and no default where the field has none a client could send.
        field = {k: v for k, v in field.items() if k != "title" and (k, v) != ("default", None)}
        description = field.pop("description", "")
        parameter = {"name": name, "in": "query", "required": name in required, "schema": field}
        parameters.append(parameter | ({"description": description} if description else {}))
    return parameters


def path_parameters(converters: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": CONVERTERS.get(kind, ANY_TEXT)}
        for name, kind in converters.items()
    ]


def add_links(path: str, operations: dict[str, Any], paths: dict[str, dict[str, Any]]) -> None:
    """Link a create (POST answering 201) to the operations on the item it made: the item's
    path is the collection's with one more ``{argument}``, filled from the new item's ``id``."""
    created = operations.get("post", {}).get("responses", {}).get("201")
    if created is None:
        return
    for item_path, item_operations in paths.items():
        argument = ONE_MORE_ARGUMENT.fullmatch(item_path.removeprefix(path))
        if not item_path.startswith(path) or argument is None:
            continue
        created["links"] = {
            operation["operationId"]: {
                "operationId": operation["operationId"],
                "parameters": {argument.group(1): "$response.body#/id"},
            }
            for operation in item_operations.values()
        }
