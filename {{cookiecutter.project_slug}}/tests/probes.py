"""Test-only routes that write a row and then answer with a chosen status.

They let the commit-mode tests see what each mode does with a request's uncommitted work.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, redirect, request
from sqlalchemy import func, select, text

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.errors import APIError, Conflict, NotFound, ValidationFailed
from {{ cookiecutter.project_slug }}.transactions import transaction
from {{ cookiecutter.project_slug }}.users.models import User

STATUSES = [200, 201, 204, 302, 400, 404, 409, 422, 500]
ERRORS = {400: APIError, 404: NotFound, 409: Conflict, 422: ValidationFailed}

bp = Blueprint("probes", __name__, url_prefix="/probe")


def write(email: str) -> None:
    """Leave a new user in the session, uncommitted."""
    db.session.add(User(email=email, name="Probe"))
    db.session.flush()


def answer(status: int) -> Response:
    if status in ERRORS:
        raise ERRORS[status]("probe")
    if status == 500:
        raise RuntimeError("probe")
    if status == 302:
        return redirect("/healthz")
    response = jsonify(ok=True) if status != 204 else Response(status=204)
    response.status_code = status
    return response


@bp.post("/write/<int:status>")
def write_then_answer(status: int) -> Response:
    write(f"{status}@probe.test")
    return answer(status)


@bp.post("/async/<int:status>")
async def write_then_answer_async(status: int) -> Response:
    write(f"{status}@probe.test")
    return answer(status)


@bp.post("/duplicate")
def write_a_duplicate() -> Response:
    """Add a taken email without flushing: only the commit can find out."""
    db.session.add(User(email="taken@probe.test", name="Second"))
    return jsonify(ok=True)


@bp.post("/duplicate-in-transaction")
def write_a_duplicate_in_a_transaction() -> Response:
    with transaction():
        db.session.add(User(email="taken@probe.test", name="Second"))
    return jsonify(ok=True)


@bp.post("/lose-connection")
def lose_the_connection() -> Response:
    """Write, then have the server drop this session's connection before the commit.

    With ``?commit=1`` the view commits itself (as code does in ``manual`` mode).
    """
    write("lost@probe.test")
    connection = db.session.connection()
    dialect = connection.dialect.name
    own_id = connection.execute(text(OWN_CONNECTION_ID[dialect])).scalar_one()
    with db.engine.connect() as other:
        other.execute(text(KILL_CONNECTION[dialect]), {"id": own_id})
    if request.args.get("commit"):
        db.session.commit()
    return jsonify(ok=True)


OWN_CONNECTION_ID = {"postgresql": "SELECT pg_backend_pid()", "mysql": "SELECT CONNECTION_ID()"}
KILL_CONNECTION = {
    "postgresql": "SELECT pg_terminate_backend(:id)",
    "mysql": "KILL CONNECTION :id",
}


def add_probes(app: Flask) -> Flask:
    app.register_blueprint(bp)
    return app


def count_emails(app: Flask, email: str) -> int:
    """How many users have ``email``, read in a context of its own."""
    with app.app_context():
        count = db.session.scalar(select(func.count()).where(User.email == email))
        db.session.remove()
    return count or 0
