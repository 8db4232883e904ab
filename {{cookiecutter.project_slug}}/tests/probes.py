"""Test-only routes that write a row and then answer with a chosen status.

They let the commit-mode tests see what each mode does with a request's uncommitted work.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Flask, Response, jsonify, redirect, request, stream_with_context
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.project_slug }} import db
from {{ cookiecutter.project_slug }}.errors import APIError, Conflict, NotFound, ValidationFailed
from {{ cookiecutter.project_slug }}.transactions import commit_now, transaction
from {{ cookiecutter.project_slug }}.users import service
from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.schemas import UserCreate

STATUSES = [200, 201, 204, 302, 400, 404, 409, 422, 500]
ERRORS = {400: APIError, 404: NotFound, 409: Conflict, 422: ValidationFailed}

bp = Blueprint("probes", __name__, url_prefix="/api/probe")


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


@bp.post("/audit-then-caught-conflict")
def audit_then_catch_a_conflict() -> Response:
    """Write an audit row, then a duplicate in a block whose IntegrityError the view handles."""
    write("audit@probe.test")
    try:
        with transaction():
            db.session.add(User(email="taken@probe.test", name="Second"))
    except IntegrityError:
        return jsonify(duplicate=True)
    return jsonify(duplicate=False)


@bp.post("/service-then/<int:status>")
def create_through_the_service_then_answer(status: int) -> Response:
    """Create a user as the users API does (a ``transaction()`` block), then answer."""
    service.create_user(UserCreate(email=f"service{status}@example.com", name="Service"))
    return answer(status)


@bp.post("/commit-now-then/<int:status>")
def commit_now_then_answer(status: int) -> Response:
    write(f"now{status}@probe.test")
    commit_now()
    return answer(status)


@bp.post("/commit-now-inside-a-block")
def commit_now_inside_a_block() -> Response:
    with transaction():
        write("inside@probe.test")
        commit_now()
    return jsonify(ok=True)


@bp.post("/engine-write")
def write_through_the_engine() -> Response:
    """Code that uses the engine directly, outside the session."""
    with db.engine.begin() as connection:
        connection.execute(insert(User), {"email": "engine@probe.test", "name": "Engine"})
    with db.engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(User))
    return jsonify(count=count)


@bp.post("/stream/<how>")
def write_while_streaming(how: str) -> Response:
    """Write while the body streams: left to the commit mode, in a block, or committed now."""

    def body() -> Iterator[str]:
        yield "started\n"
        if how == "block":
            with transaction():
                write("streamed@probe.test")
        elif how == "sql":
            insert_sql = text("INSERT INTO users (email, name) VALUES (:email, 'S')")
            db.session.execute(insert_sql, {"email": "streamed@probe.test"})
        else:
            write("streamed@probe.test")
            if how == "commit-now":
                commit_now()
        yield "done\n"

    return Response(stream_with_context(body()), mimetype="text/plain")


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
