"""Commands offered by both ``flask <cmd>`` and ``python manage.py <cmd>``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .context import app_context
from .database import db
from .diagnostics import database_status
from .users.models import User
from .users.sample import sample_users
from .users.service import add_users

SEED_BATCH_SIZE = 1000


def init_db() -> None:
    """Bring the database schema up to the newest migration (a no-op when it is)."""
    upgrade()


def seed(count: int, batch_size: int = SEED_BATCH_SIZE) -> None:
    """Insert ``count`` sample users, one transaction per batch, with a progress bar."""
    rows = sample_users(count)
    with click.progressbar(length=count, label="Seeding users") as bar:
        while batch := [row for _, row in zip(range(batch_size), rows, strict=False)]:
            with app_context():
                add_users(batch)
            bar.update(len(batch))


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema to the newest migration."""
    init_db()
    click.echo("Database is at the newest migration.")


@click.command("seed")
@click.option("--count", default=100, show_default=True, type=click.IntRange(min=1))
@click.option("--batch-size", default=SEED_BATCH_SIZE, show_default=True, type=click.IntRange(1))
@with_appcontext
def seed_command(count: int, batch_size: int) -> None:
    """Add COUNT sample users."""
    seed(count, batch_size)
    click.echo(f"Added {count} users.")


@click.command("db-status")
@with_appcontext
def db_status_command() -> None:
    """Show each database: URL, server, migration revision and pool."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for key, engine in db.engines.items():
        status = database_status(app, key, engine)
        pool = ", ".join(f"{name}={value}" for name, value in status.pop("pool").items())
        warning = status.pop("capacity_warning")
        for name, value in status.items():
            click.echo(f"{name:>16}: {value}")
        click.echo(f"{'pool':>16}: {pool}")
        if warning:
            click.secho(f"{'warning':>16}: {warning}", fg="yellow")
        if not status["up_to_date"]:
            click.secho(f"{'':>16}  Run `flask db upgrade` to reach the head.", fg="yellow")


def shell_context() -> dict[str, object]:
    """Names ready to use in ``flask shell``."""
    return {"db": db, "User": User}


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(db_status_command)
    app.shell_context_processor(shell_context)
