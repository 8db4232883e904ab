"""Cross-site request forgery: a form post outside the API must carry the session's token.

Flask-WTF makes and checks the tokens. The JSON family is exempt: it reads no cookie, and a
page on another site cannot send it a JSON body without CORS allowing it, which the app never
does. A page puts the token in its form with the template function ``csrf_token()``.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from .errors import error_response
from .families import serves_json

csrf = CSRFProtect()
REFUSED = (
    "The form was sent without a valid security token (it may have been open too long). "
    "Reload the page and send it again."
)


def protect_pages() -> None:
    """Refuse (400) an unsafe request to a page whose token is missing or wrong.

    Paths that match no route are left to their 404 or 405.
    """
    if (
        current_app.config["WTF_CSRF_ENABLED"]
        and request.endpoint is not None
        and not serves_json(request.path)
    ):
        csrf.protect()


def handle_csrf_error(error: CSRFError) -> Response:
    current_app.logger.info("Form refused: %s", error.description)
    return error_response(400, REFUSED)


def init_app(app: Flask) -> None:
    """Check tokens by family of routes, instead of Flask-WTF's check of every route."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(protect_pages)
    app.register_error_handler(CSRFError, handle_csrf_error)
