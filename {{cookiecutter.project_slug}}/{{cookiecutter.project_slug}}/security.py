"""Headers every response carries, and which proxies the app believes.

Errors get the same headers: the hook runs after the error handlers have built their response.
The body limit (``MAX_CONTENT_LENGTH``) is Flask's own; a larger body is a 413 problem.
"""

from __future__ import annotations

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

# A JSON API renders nothing in a browser: forbid framing, sniffing and loading anything.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def add_security_headers(response: Response) -> Response:
    """Set the headers a view has not set itself; HSTS only where ``HSTS_MAX_AGE`` asks."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    max_age = current_app.config["HSTS_MAX_AGE"]
    if max_age:
        hsts = f"max-age={max_age}; includeSubDomains"
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


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
    app.after_request(add_security_headers)
