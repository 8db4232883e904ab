"""The ``db`` object, the model base class, and the app's database wiring."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session

from .engine import configure_engine
from .idle_ping import ping_idle_connections
from .pooler import limit_each_transaction
from .reads import read_outside_transactions

logger = logging.getLogger(__name__)

# Stable constraint names, so migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Typed declarative base shared by every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# A session lives for one request, job or script run, so objects need not be reloaded after a
# commit: keeping their loaded values saves a SELECT for every object the response shows.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(compare_type=True, render_as_batch=True)

# Models subclass ``Model``: at run time it is Flask-SQLAlchemy's class (which knows about
# ``__bind_key__``); type checkers see the plain typed base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def rollback(session: Session | None = None) -> None:
    """Roll back a session's work (``db.session`` by default), even when the server has
    dropped its connection.

    A dropped connection holds no transaction to roll back: the first attempt finds it gone
    and discards it, after which the session is clean.
    """
    try:
        (db.session if session is None else session).rollback()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        logger.warning("The database had closed a connection: %s", type(error.orig).__name__)


PING = text("SELECT 1")


def ping(bind: Engine | Connection) -> None:
    """Ask one database to answer, through the current session."""
    db.session.execute(PING, bind_arguments={"bind": bind})


def ping_databases() -> None:
    """Ask every database to answer, then hand the connections back; the first failure
    propagates."""
    try:
        for bind in db.engines.values():
            ping(bind)
    finally:
        rollback()


def end_session(_error: BaseException | None = None) -> None:
    """Roll back and close the session when an app context ends (a request, say)."""
    if db.session.registry.has():
        rollback()
        db.session.remove()


def init_app(app: Flask) -> None:
    """Create the engines for ``app`` and install the events every connection needs."""
    db.init_app(app)
    # Teardowns run in reverse: this one ends the session before Flask-SQLAlchemy's own, which
    # would raise for a connection the server dropped after the view's last query.
    app.teardown_appcontext(end_session)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])
    settings = app.config["ENGINE_SETTINGS"]
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
            ping_idle_connections(engine, settings.ping_idle_seconds)
            limit_each_transaction(engine, settings.pooler, settings.statement_timeout_ms)
            # Behind a pooler, the statement timeout needs a transaction.
            if settings.reads_without_transaction and settings.pooler == "none":
                read_outside_transactions(engine)
