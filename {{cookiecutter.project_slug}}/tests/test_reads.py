"""On PostgreSQL, a plain SELECT that finds no transaction open runs alone (``reads.py``): no
BEGIN, no ROLLBACK. Everything else still opens a transaction, so a view that writes keeps
what the commit mode decides, and the statement timeout still bounds every read."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy import (
    String,
    TypeDecorator,
    bindparam,
    column,
    func,
    insert,
    literal,
    literal_column,
    select,
    table,
    text,
    true,
    type_coerce,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from {{ cookiecutter.project_slug }} import db, reads
from {{ cookiecutter.project_slug }}.users.models import User

from .factories import UserFactory
from .guards import listening
from .probes import answer, count_emails

bp = Blueprint("read_probes", __name__, url_prefix="/api/read-probe")
USERS = User.__table__


@bp.get("/read-then-write/<int:status>")
def read_then_write(status: int) -> Response:
    db.session.scalar(select(func.count()).select_from(User))
    db.session.add(User(email=f"{status}@read.test", name="Reader"))
    db.session.flush()
    return answer(status)


@bp.get("/cte-write/<int:status>")
def write_in_a_cte(status: int) -> Response:
    added = insert(USERS).values(email=f"{status}@cte.test", name="CTE").returning(USERS.c.id)
    db.session.execute(select(added.cte("added").c.id))
    return answer(status)


@bp.get("/cursor-write/<int:status>")
def write_with_the_drivers_cursor(status: int) -> Response:
    with db.session.connection().connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO users (email, name) VALUES (%s, 'Cursor')", (f"{status}@cursor.test",)
        )
    return answer(status)


class ReadThroughAudit(TypeDecorator[str]):
    """A type whose reads pass through a function that writes (added as the SQL compiles)."""

    impl = String
    cache_ok = True

    def column_expression(self, column: ColumnElement[str]) -> ColumnElement[str]:
        return func.audited(column)


class BindThroughAudit(TypeDecorator[str]):
    """A type whose bound values pass through a function that writes."""

    impl = String
    cache_ok = True

    def bind_expression(self, value: Any) -> ColumnElement[str]:
        return func.audited(value)


@bp.get("/column-write/<int:status>")
def write_through_a_column_expression(status: int) -> Response:
    email = literal(f"{status}@column.test", String)
    db.session.scalar(select(type_coerce(func.lower(email), ReadThroughAudit())))
    return answer(status)


@bp.get("/bind-write/<int:status>")
def write_through_a_bind_expression(status: int) -> Response:
    email = bindparam("email", f"{status}@bind.test", type_=BindThroughAudit())
    db.session.scalar(select(func.length(email)))
    return answer(status)


@bp.get("/operator-write/<int:status>")
def write_through_an_operator(status: int) -> Response:
    email = literal(f"{status}@operator.test", String)
    db.session.scalar(select(func.count()).where(literal("a", String).op("@@@")(email)))
    return answer(status)


WRITING_SQL = {  # what the three routes above call, by the name that drops it: it inserts
    "FUNCTION audited(text)": "CREATE FUNCTION audited(text) RETURNS text LANGUAGE sql AS $$"
    " INSERT INTO users (email, name) VALUES ($1, 'Audit'); SELECT $1 $$",
    "FUNCTION audited_match(text, text)": "CREATE FUNCTION audited_match(text, text)"
    " RETURNS boolean LANGUAGE sql AS $$"
    " INSERT INTO users (email, name) VALUES ($2, 'Audit'); SELECT true $$",
    "OPERATOR @@@ (text, text)": "CREATE OPERATOR @@@"
    " (FUNCTION = audited_match, LEFTARG = text, RIGHTARG = text)",
}


@bp.get("/lock/<int:user_id>")
def lock(user_id: int) -> Response:
    db.session.scalar(select(User.id).where(User.id == user_id).with_for_update())
    return jsonify(in_transaction=in_transaction(db.session.connection()))


@bp.get("/stream")
def stream() -> Response:
    rows = db.session.execute(select(User.id).execution_options(yield_per=2))
    return jsonify(ids=[row.id for row in rows])


@bp.get("/function")
def call_a_function() -> Response:
    db.session.scalar(select(func.txid_current()))
    return jsonify(in_transaction=in_transaction(db.session.connection()))


@bp.get("/repeatable")
def read_repeatably() -> Response:
    connection = db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    db.session.scalar(select(func.count()).select_from(User))
    return jsonify(in_transaction=in_transaction(connection))


@bp.get("/slow")
def slow_count() -> Response:
    """A plain SELECT (no function that could write) that takes seconds: a cross join."""
    a, b, c = aliased(User), aliased(User), aliased(User)
    joined = select(func.count()).select_from(a).join(b, true()).join(c, true())
    return jsonify(count=db.session.scalar(joined))


def in_transaction(connection: Any) -> bool:
    """Whether the driver has a transaction open on this connection (psycopg)."""
    return connection.connection.dbapi_connection.info.transaction_status != 0  # 0: IDLE


@contextmanager
def transaction_states(engine: Engine) -> Iterator[list[bool]]:
    """Whether a transaction was open after each statement ``engine`` ran (or failed) in the
    block."""
    states: list[bool] = []

    def after(connection: Any, *_: Any) -> None:
        states.append(in_transaction(connection))

    def failed(context: Any) -> None:
        states.append(in_transaction(context.connection))

    with listening(engine, after_cursor_execute=after, handle_error=failed):
        yield states


@pytest.fixture
def read_app(make_app: Callable[..., Flask]) -> Callable[..., tuple[Flask, Engine]]:
    """An app with the routes above, on PostgreSQL (elsewhere reads keep their transaction)."""

    def make(**settings: str) -> tuple[Flask, Engine]:
        app = make_app(**settings)
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                pytest.skip("PostgreSQL only: elsewhere reads keep their transactions")
            engine = db.engine
        app.register_blueprint(bp)
        return app, engine

    return make


@pytest.fixture
def writing_sql(read_app: Callable[..., Any]) -> Iterator[None]:
    """The function and the operator that the ``*-write`` routes call, for one test."""
    _, engine = read_app()
    with engine.begin() as connection:
        for create in WRITING_SQL.values():
            connection.execute(text(create))
    yield
    with engine.begin() as connection:
        for name in reversed(WRITING_SQL):
            connection.execute(text(f"DROP {name}"))


def test_a_read_by_id_runs_its_select_alone(read_app: Callable[..., Any], db: Any) -> None:
    app, engine = read_app()
    user = UserFactory()
    db.session.commit()
    with transaction_states(engine) as states:
        assert app.test_client().get(f"/api/users/{user.id}").status_code == 200
    assert states == [False]  # one SELECT, no BEGIN before it, no ROLLBACK after


def test_reads_keep_their_transaction_when_the_setting_says_so(
    read_app: Callable[..., Any], db: Any
) -> None:
    app, engine = read_app(DB_READS_WITHOUT_TRANSACTION="0")
    user = UserFactory()
    db.session.commit()
    with transaction_states(engine) as states:
        assert app.test_client().get(f"/api/users/{user.id}").status_code == 200
    assert states == [True]  # BEGIN, the SELECT, and the ROLLBACK


def test_a_list_page_runs_its_page_and_its_count_alone(read_app: Callable[..., Any]) -> None:
    app, engine = read_app()
    with transaction_states(engine) as states:
        assert app.test_client().get("/api/users").status_code == 200
    assert states == [False, False]


@pytest.mark.parametrize(
    ("mode", "status", "kept"),
    [("autocommit", 200, 1), ("autocommit", 404, 0), ("autocommit", 500, 0), ("manual", 200, 0)],
)
@pytest.mark.parametrize(
    "how", ["read", "cte", "cursor", "column", "bind", "operator"], ids=lambda how: f"{how}-write"
)
def test_a_get_that_writes_keeps_what_the_commit_mode_decides(
    read_app: Callable[..., Any], writing_sql: None, how: str, mode: str, status: int, kept: int
) -> None:
    app, _ = read_app(DATABASE_COMMIT_MODE=mode)
    route = "read-then-write" if how == "read" else f"{how}-write"
    assert app.test_client().get(f"/api/read-probe/{route}/{status}").status_code == status
    assert count_emails(app, f"{status}@{how}.test") == kept


@pytest.mark.parametrize("route", ["lock/1", "function", "repeatable"])
def test_a_select_that_may_lock_write_or_share_a_snapshot_runs_in_a_transaction(
    read_app: Callable[..., Any], db: Any, route: str
) -> None:
    app, _ = read_app()
    UserFactory()
    db.session.commit()
    assert app.test_client().get(f"/api/read-probe/{route}").json == {"in_transaction": True}


def test_a_streamed_read_gets_the_transaction_its_cursor_needs(
    read_app: Callable[..., Any], db: Any
) -> None:
    app, _ = read_app()
    UserFactory.create_batch(5)
    db.session.commit()
    assert app.test_client().get("/api/read-probe/stream").json == {"ids": [1, 2, 3, 4, 5]}


def test_writes_on_an_autocommit_connection_stay_committed(
    read_app: Callable[..., Any], db: Any
) -> None:
    app, engine = read_app()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.scalar(select(func.count()).select_from(User))
        connection.execute(insert(USERS).values(email="kept@autocommit.test", name="Kept"))
        connection.rollback()  # nothing to roll back: each statement committed on its own
    assert count_emails(app, "kept@autocommit.test") == 1


def test_the_statement_timeout_bounds_a_read_that_runs_alone(
    read_app: Callable[..., Any], db: Any
) -> None:
    app, engine = read_app(DB_STATEMENT_TIMEOUT_MS="200")
    rows = [{"email": f"u{n}@slow.test", "name": "Slow"} for n in range(400)]
    db.session.execute(insert(USERS), rows)
    db.session.commit()
    started = time.monotonic()
    with transaction_states(engine) as states:
        response = app.test_client().get("/api/read-probe/slow")
    assert response.status_code == 503  # cancelled by the timeout, long before 64M rows
    assert time.monotonic() - started < 1.5
    assert states == [False]  # it ran alone, and the timeout applied all the same


def test_sql_text_opens_a_transaction(read_app: Callable[..., Any]) -> None:
    app, engine = read_app()
    with app.app_context(), transaction_states(engine) as states:
        db.session.execute(text("SELECT 1"))
        db.session.execute(select(func.count()).select_from(User))
        db.session.rollback()
    assert states == [True, True]  # the text opened it; the count ran inside it


AUDITED = table("users", column("email", BindThroughAudit()))
PLAIN = {  # statements that read, and what the server is sent for them
    "by id": select(User).where(User.id == 5),
    "in a list": select(User.id).where(User.id.in_([1, 2])),
    "a count": select(func.count()).select_from(User),
    "a LIKE with literals": select(User.id).where(User.email.contains("a")),
    "a subquery": select(User.id).where(User.id.in_(select(func.max(User.id)))),
    "a quoted name": select(literal_column("1").label("for update")),
}
NOT_PLAIN = {
    "a call in a literal": select(literal_column("nextval('users_id_seq')")),
    "a second statement": select(literal_column("1; DELETE FROM users")),
    "a comment": select(literal_column("1 -- x")),
    "a dollar quote": select(literal_column("$$x$$")),
    "an escape in a literal": select(literal_column("'\\\\'")),
    "a schema's count": select(func.public.count()),
    "a quoted function": select(literal_column('"count"(1)')),
    "an unlisted function": select(func.now()),
    "an unlisted operator": select(User.id).where(User.email.op("@@@")("a")),
    "FOR UPDATE in a subquery": select(User.id).where(
        User.id.in_(select(User.id).with_for_update().scalar_subquery())
    ),
    "SELECT INTO": select(User.id).prefix_with("INTO TEMP copied").limit(0),
    "a nested CTE": select(select(User.id).cte("ids", nesting=True).c.id),
    "a window (OVER may name a function)": select(func.count().over(order_by=User.id)),
    "a function named as a keyword": select(func.FILTER(User.id)),
    "an IN list through a writing type": select(AUDITED.c.email).where(
        AUDITED.c.email.in_(["a", "b"])
    ),
    "a word glued to a literal": select(User.id).where(text("email = E'x'FOR UPDATE")),
    "a quote inside a fake placeholder": select(literal_column("('%(')s, nextval(1) --'")),
    "a name PostgreSQL reads in non-ASCII": select(literal_column("\u00e9audit(1)")),
    "a keyword glued to a number": select(User.id).where(text("users.id = 1FOR UPDATE")),
}


@pytest.mark.parametrize(
    ("statement", "plain"),
    [*((s, True) for s in PLAIN.values()), *((s, False) for s in NOT_PLAIN.values())],
    ids=[*PLAIN, *NOT_PLAIN],
)
def test_only_sql_that_surely_cannot_write_or_lock_counts_as_a_plain_select(
    read_app: Callable[..., Any], statement: Any, plain: bool
) -> None:
    _, engine = read_app()
    assert reads.is_plain_select(statement.compile(engine)) is plain
