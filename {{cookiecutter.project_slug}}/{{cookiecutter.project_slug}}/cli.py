"""Commands offered by both ``flask <cmd>`` and ``python manage.py <cmd>``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from .context import app_context
from .database import Base, db, ping_databases
from .diagnostics import database_status
from .provisioning import DatabaseCreationError, create_missing_database
from .users.sample import sample_users
from .users.service import add_users

SEED_BATCH_SIZE = 1000


def init_db() -> None:
    """Create each database that is missing on its server (saying so), then bring the schemas
    up to the newest migration (a no-op when they are)."""
    for engine in db.engines.values():
        if create_missing_database(engine):
            click.echo(f"Created the database {engine.url.database} on {engine.url.host}.")
    upgrade()


def reason(error: SQLAlchemyError) -> str:
    """What the driver said went wrong, on one line, without SQL or a traceback."""
    return " ".join(str(getattr(error, "orig", None) or error).split())


@contextmanager
def reported() -> Iterator[None]:
    """End a command with one line, not a traceback, when a database fails it."""
    try:
        yield
    except OperationalError as error:
        raise click.ClickException(f"The database did not answer: {reason(error)}") from None
    except DatabaseCreationError as error:
        raise click.ClickException(str(error)) from None


def seed(count: int, batch_size: int = SEED_BATCH_SIZE) -> None:
    """Insert ``count`` sample users, one transaction per batch, with a progress bar."""
    rows = sample_users(count)
    with click.progressbar(length=count, label="Seeding users") as bar:
        while batch := [row for _, row in zip(range(batch_size), rows, strict=False)]:
            with app_context():
                add_users(batch)
            bar.update(len(batch))


def wait_for_database(timeout: float, interval: float = 1.0) -> int:
    """Ping every database until all of them answer; return how many tries that took.

    :raise TimeoutError: one still fails after ``timeout`` seconds; its last error is the cause.
    """
    deadline = time.monotonic() + timeout
    tries = 0
    while True:
        tries += 1
        try:
            ping_databases()
            return tries
        except SQLAlchemyError as error:
            if time.monotonic() + interval > deadline:
                message = f"The database did not answer within {timeout:g}s: {reason(error)}"
                raise TimeoutError(message) from error
        time.sleep(interval)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database if it is missing, then create or upgrade its schema."""
    with reported():
        init_db()
    click.echo("Database is at the newest migration.")


@click.command("wait-db")
@click.option(
    "--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0), help="Seconds."
)
@with_appcontext
def wait_db_command(timeout: float) -> None:
    """Wait until every database answers; fail after TIMEOUT seconds."""
    try:
        tries = wait_for_database(timeout)
    except TimeoutError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Database is ready (tries: {tries}).")


@click.command("seed")
@click.option("--count", default=100, show_default=True, type=click.IntRange(min=1))
@click.option("--batch-size", default=SEED_BATCH_SIZE, show_default=True, type=click.IntRange(1))
@with_appcontext
def seed_command(count: int, batch_size: int) -> None:
    """Add COUNT sample users."""
    with reported():
        seed(count, batch_size)
    click.echo(f"Added {count} users.")


@click.command("db-status")
@with_appcontext
def db_status_command() -> None:
    """Show each database: URL, server, migration revision and pool."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for key, bind in db.engines.items():
        with reported():
            status = database_status(app, key, bind.engine)
        pool = ", ".join(f"{name}={value}" for name, value in status.pop("pool").items())
        warnings = [status.pop("capacity_warning"), status.pop("recycle_warning")]
        for name, value in status.items():
            click.echo(f"{name:>16}: {value}")
        click.echo(f"{'pool':>16}: {pool}")
        for warning in filter(None, warnings):
            click.secho(f"{'warning':>16}: {warning}", fg="yellow")
        if not status["up_to_date"]:
            click.secho(f"{'':>16}  Run `flask db upgrade` to reach the head.", fg="yellow")


def shell_context() -> dict[str, object]:
    """Names ready to use in ``flask shell``: ``db`` and every model, by its class name."""
    models = {mapper.class_.__name__: mapper.class_ for mapper in Base.registry.mappers}
    return {"db": db, **models}


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(wait_db_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(db_status_command)
    app.shell_context_processor(shell_context)
