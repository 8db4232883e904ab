"""The API's OpenAPI document at ``/openapi.json``, a page rendering it at ``/docs``, and
``flask openapi``, which writes the document to a file.

This module stays light: the libraries that build the document and the page's assets are
imported when first used (see ``document.py`` and ``docs.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import Blueprint, Flask, Response, current_app
from flask.cli import with_appcontext

from .docs import bp as docs_bp
from .operations import BODY_ERRORS, DATABASE_ERRORS, documented

__all__ = ["BODY_ERRORS", "DATABASE_ERRORS", "documented", "init_app"]

bp = Blueprint("openapi", __name__)
DOCUMENT = "openapi.document"  # where app.extensions keeps the rendered document


def document_text(app: Flask) -> str:
    """The document as the file ``flask openapi`` writes, built once per app."""
    if DOCUMENT not in app.extensions:
        from .document import build_document  # the libraries load on first use

        document = build_document(app)
        app.extensions[DOCUMENT] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    text: str = app.extensions[DOCUMENT]
    return text


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI document of the API."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return Response(document_text(app), mimetype="application/json")


def differences(written: str, generated: str) -> bool:
    """Whether two documents differ as JSON (not by formatting)."""
    loaded: Any = json.loads(written)
    return bool(loaded != json.loads(generated))


@click.command("openapi")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("openapi.json"),
    show_default=True,
    help="The file to write ('-' for standard output).",
)
@click.option("--check", is_flag=True, help="Only compare: fail when the file differs.")
@with_appcontext
def openapi_command(output: Path, check: bool) -> None:
    """Write the API's OpenAPI document to a file (or check the committed one)."""
    text = document_text(current_app._get_current_object())  # type: ignore[attr-defined]
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    if check:
        if not output.is_file():
            raise click.ClickException(
                f"{output} does not exist. Run `flask openapi` to write it."
            )
        try:
            stale = differences(output.read_text(encoding="utf-8"), text)
        except ValueError as error:
            raise click.ClickException(f"{output} is not JSON: {error}") from None
        if stale:
            raise click.ClickException(
                f"{output} differs from the API. Run `flask openapi` and commit the result."
            )
        click.echo(f"{output} matches the API.")
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output}.")


def init_app(app: Flask) -> None:
    """Serve the document (unless ``OPENAPI_ENABLED`` is off) and the docs page (when
    ``DOCS_ENABLED`` is on); offer ``flask openapi`` in every case."""
    app.cli.add_command(openapi_command)
    if app.config["OPENAPI_ENABLED"]:
        app.register_blueprint(bp)
    if app.config["DOCS_ENABLED"]:
        app.register_blueprint(docs_bp)
