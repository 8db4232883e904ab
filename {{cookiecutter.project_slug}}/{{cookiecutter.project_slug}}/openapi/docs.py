"""``/docs``: Swagger UI rendering ``/openapi.json``, from assets the app serves itself.

The assets come from the ``swagger-ui-bundle-v2`` package, so the page works offline and loads
nothing from elsewhere. Its Content-Security-Policy allows exactly those assets: the app's own
scripts and stylesheet, the images Swagger UI's stylesheet embeds (``data:``), and requests
to the app itself (the document, and the calls "Try it out" makes).
"""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory, url_for
from werkzeug.exceptions import NotFound

bp = Blueprint("docs", __name__)

ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})
ASSET_MAX_AGE = 3600  # seconds; the assets change only with the package
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
# Swagger UI's own start-up, served as a script of the app's (the policy allows no inline one).
INITIALIZER = """window.onload = function () {
  window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true});
};
"""
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API documentation</title>
  <link rel="stylesheet" href="{css}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{bundle}"></script>
  <script src="{initializer}"></script>
</body>
</html>
"""


def with_policy(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    return response


@bp.get("/docs")
def docs_page() -> Response:
    """The documentation page."""
    body = PAGE.format(
        css=url_for("docs.docs_asset", name="swagger-ui.css"),
        bundle=url_for("docs.docs_asset", name="swagger-ui-bundle.js"),
        initializer=url_for("docs.docs_initializer"),
    )
    return with_policy(Response(body, mimetype="text/html"))


@bp.get("/docs/initializer.js")
def docs_initializer() -> Response:
    """The script that starts Swagger UI on the page."""
    return with_policy(Response(INITIALIZER, mimetype="text/javascript"))


@bp.get("/docs/assets/<name>")
def docs_asset(name: str) -> Response:
    """One of Swagger UI's files, from the package that bundles them."""
    if name not in ASSETS:
        raise NotFound()
    from swagger_ui_bundle import swagger_ui_path  # loaded on the first asset asked for

    response = send_from_directory(str(swagger_ui_path), name, max_age=ASSET_MAX_AGE)
    return with_policy(response)
