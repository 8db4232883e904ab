"""Headers every response carries, and which proxies the app believes.

Errors get the same headers: the hook runs after the error handlers have built their response.
The JSON API and the pages (``families.py``) each get their own set, built once at start-up.
The body limit (``MAX_CONTENT_LENGTH``) is Flask's own; a larger body is a 413.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .families import serves_json

# A JSON API renders nothing in a browser: forbid framing, sniffing and loading anything.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}
# How many proxies are believed, in the order trust_proxies takes them.
PROXY_SETTINGS = ("TRUSTED_PROXIES", "TRUSTED_PROXY_HOST", "TRUSTED_PROXY_PREFIX")
# Pages load the app's own stylesheet and post forms to the app; nothing else. The referrer
# goes to the app itself, whose CSRF check over HTTPS compares it with the host.
PAGE_HEADERS = HEADERS | {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
}


def response_headers(hsts_max_age: int, base: dict[str, str] = HEADERS) -> dict[str, str]:
    """The headers for every response of a family; HSTS only where ``HSTS_MAX_AGE`` asks."""
    headers = dict(base)
    if hsts_max_age:
        headers["Strict-Transport-Security"] = f"max-age={hsts_max_age}; includeSubDomains"
    return headers


def header_adder(
    headers: dict[str, str], page_headers: dict[str, str]
) -> Callable[[Response], Response]:
    """An after-request hook setting the family's headers where a view has not set them."""

    api, pages = list(headers.items()), list(page_headers.items())

    def add_security_headers(response: Response) -> Response:
        chosen = api if serves_json(request.path) else pages
        present = {name.lower() for name, _ in response.headers}  # what the view set itself
        response.headers.extend([item for item in chosen if item[0].lower() not in present])
        return response

    return add_security_headers


def trust_proxies(app: Flask, proxies: int, host: int = 0, prefix: int = 0) -> None:
    """Believe the X-Forwarded-* values that the last proxies appended, each header by its own
    count: ``proxies`` for the client's address, scheme and port, ``host`` for the host and
    ``prefix`` for the path prefix.

    Each proxy appends to these headers, so only the last values can be trusted; anything
    before them may have been sent by the client itself. Host and prefix change the URLs the
    app builds (``Location``), so they are believed only from proxies known to set them.
    """
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=proxies, x_proto=proxies, x_port=proxies, x_host=host, x_prefix=prefix
    )


def init_app(app: Flask) -> None:
    """Trust the proxies ``TRUSTED_PROXIES*`` count (none by default) and add the headers."""
    counts = [app.config[name] for name in PROXY_SETTINGS]
    if any(counts):
        trust_proxies(app, *counts)
    # Built once: the headers depend only on settings.
    hsts = app.config["HSTS_MAX_AGE"]
    app.after_request(header_adder(response_headers(hsts), response_headers(hsts, PAGE_HEADERS)))
