"""``flask worker`` and ``python manage.py worker``: a worker for the chosen queue."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .broker import broker_of


@click.command("worker")
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Jobs run at once (Celery: child processes; RQ: 1, start more workers instead).",
)
@with_appcontext
def worker_command(concurrency: int) -> None:
    """Run jobs from the queue until stopped (SIGTERM or Ctrl+C)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    broker_of(app).queue.run_worker(concurrency)
