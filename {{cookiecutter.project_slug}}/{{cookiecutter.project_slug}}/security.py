"""Headers every response carries, and which proxies the app believes.

Errors get the same headers: the hook runs after the error handlers have built their response.
The body limit (``MAX_CONTENT_LENGTH``) is Flask's own; a larger body is a 413 problem.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

# A JSON API renders nothing in a browser: forbid framing, sniffing and loading anything.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def response_headers(hsts_max_age: int) -> dict[str, str]:
    """The headers for every response; HSTS only where ``HSTS_MAX_AGE`` asks for it."""
    headers = dict(HEADERS)
    if hsts_max_age:
        headers["Strict-Transport-Security"] = f"max-age={hsts_max_age}; includeSubDomains"
    return headers


def header_adder(headers: dict[str, str]) -> Callable[[Response], Response]:
    """An after-request hook setting ``headers`` where a view has not set them itself."""

    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    return add_security_headers


def trust_proxies(app: Flask, count: int) -> None:
    """Take client address, scheme, host and prefix from ``count`` proxies' X-Forwarded-*.

    Each proxy appends to these headers, so only the last ``count`` values can be trusted;
    anything before them may have been sent by the client itself.
    """
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count
    )


def init_app(app: Flask) -> None:
    """Trust ``TRUSTED_PROXIES`` proxies (none by default) and add the headers."""
    if app.config["TRUSTED_PROXIES"]:
        trust_proxies(app, app.config["TRUSTED_PROXIES"])
    # Built once: the headers depend only on settings.
    app.after_request(header_adder(response_headers(app.config["HSTS_MAX_AGE"])))
