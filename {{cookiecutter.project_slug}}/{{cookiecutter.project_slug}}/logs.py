"""One logging setup: text lines in development, JSON lines in production (``LOG_FORMAT``).

Every line written while a request is handled carries its request id, which is taken from the
``X-Request-ID`` header when it looks safe (otherwise made up) and sent back in the response.
Statements slower than ``SLOW_QUERY_MS`` are logged with their duration.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import TextIO, cast
from uuid import uuid4

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler, wsgi_errors_stream
from pythonjsonlogger.json import JsonFormatter

from .database import db
from .queries import QueryObserver, observe_queries

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from a proxy or client are echoed into logs and headers: short, and no spaces or quotes.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
HANDLER_NAME = __name__  # names the root handler installed here, replaced on each new setup
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# JSON lines: these record attributes first, under these names; then what was passed as
# ``extra`` (the request id among them), then the traceback.
JSON_FIELDS = {"asctime": "time", "levelname": "level", "name": "logger", "exc_info": "exception"}
STATEMENT_CHARS = 500

logger = logging.getLogger(__name__)


class RequestIdFilter(logging.Filter):
    """Tag each record with the id of the request being handled, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = current_request_id()
        return True


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line (python-json-logger), its time in UTC to the millisecond."""

    def __init__(self) -> None:
        super().__init__(["asctime", "levelname", "name", "message"], rename_fields=JSON_FIELDS)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def configure_logging(log_format: str, level: str) -> None:
    """Send every logger's records to stderr in ``log_format``, replacing an earlier setup."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(handler)
    # The stream is looked up per record: the WSGI server's error stream during a request.
    handler = logging.StreamHandler(cast(TextIO, wsgi_errors_stream))
    handler.name = HANDLER_NAME
    if log_format == "json":
        handler.setFormatter(JsonLineFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"}))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)


def accepted_request_id(incoming: str | None) -> str:
    """The caller's id when it is safe to repeat, else a new random one."""
    if incoming and SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid4().hex


def current_request_id() -> str:
    """The id of the request being handled (assigned on first use)."""
    if "request_id" not in g:
        g.request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
    return cast(str, g.request_id)


def start_request() -> None:
    """Give the request its id before anything logs."""
    g.request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))


def echo_request_id(response: Response) -> Response:
    """Send the request id back, so a client can quote it."""
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    return response


def slow_query_logger(threshold_ms: int) -> QueryObserver:
    """An observer that logs each statement taking ``threshold_ms`` or longer."""
    threshold = threshold_ms / 1000

    def log_if_slow(elapsed: float, statement: str) -> None:
        if elapsed >= threshold:
            duration_ms = round(elapsed * 1000, 1)
            sql = " ".join(statement.split())[:STATEMENT_CHARS]
            logger.warning(
                "Slow query (%.1f ms): %s", duration_ms, sql, extra={"duration_ms": duration_ms}
            )

    return log_if_slow


def init_app(app: Flask) -> None:
    """Set up logging, request ids, and slow-query logging on each of the app's engines."""
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)  # the root handler above writes its lines
    app.before_request(start_request)
    app.after_request(echo_request_id)
    with app.app_context():
        for engine in db.engines.values():
            observe_queries(engine, slow_query_logger(app.config["SLOW_QUERY_MS"]))
