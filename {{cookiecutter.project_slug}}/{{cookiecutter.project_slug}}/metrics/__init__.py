"""Prometheus metrics at ``/metrics``, summed over every gunicorn worker.

Imported by the factory only when ``METRICS_ENABLED`` is on. Each worker writes its numbers to
files in ``PROMETHEUS_MULTIPROC_DIR`` (``gunicorn.conf.py`` prepares it); ``/metrics`` adds up
the files of every worker. What is measured: requests (:mod:`.requests`), commits and rollbacks
(:mod:`.sessions`), pools (:mod:`.pools`), statements (:mod:`.statements`) and, with a job
queue, jobs (:mod:`.jobs`).
"""

from __future__ import annotations

import os

from flask import Flask
from prometheus_client import values

from ..config import ConfigError
from ..database import db
from . import pools, requests, sessions, statements
{%- if cookiecutter.job_queue != "none" %}
from .jobs import watch as watch_jobs
{%- endif %}
from .views import EXTENSION, bp, exposition

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def check_directory() -> None:
    """Fail unless the workers' shared directory is set and the library writes to it."""
    directory = os.environ.get(DIRECTORY_VARIABLE, "")
    if not directory:
        raise ConfigError(
            f"METRICS_ENABLED is on but {DIRECTORY_VARIABLE} is not set. Serve with "
            f"gunicorn (gunicorn.conf.py sets it up), set {DIRECTORY_VARIABLE} to an empty "
            "directory every worker can write to, or set METRICS_ENABLED=0."
        )
    if not os.path.isdir(directory):
        raise ConfigError(
            f"{DIRECTORY_VARIABLE}={directory!r} is not a directory. Create it (empty, "
            "writable by every worker) or point the variable at one."
        )
    if values.ValueClass is values.MutexValue:
        raise ConfigError(
            f"{DIRECTORY_VARIABLE} was set after prometheus_client was imported, so each "
            "worker would count only for itself. Set it before the app starts."
        )


def init_app(app: Flask) -> None:
    """Measure requests, sessions, pools and statements of ``app``; serve ``/metrics``."""
    check_directory()
    app.extensions[EXTENSION] = exposition(app.config["METRICS_ALLOW"])
    requests.init_app(app)
    sessions.watch(db.session.session_factory)
    with app.app_context():
        for key, engine in db.engines.items():
            database = key or "default"
            pools.watch(engine, database, app.config["ENGINE_SETTINGS"].max_overflow)
            statements.watch(engine, database, app.config["SLOW_QUERY_MS"])
{%- if cookiecutter.job_queue != "none" %}
    watch_jobs(app, app.extensions[EXTENSION].registry)
{%- endif %}
    app.register_blueprint(bp)
