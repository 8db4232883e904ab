"""The application factory. It only wires: settings, infrastructure, then features."""

from __future__ import annotations

import atexit
import gc
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import (
    cli,
    cookies,
    csrf,
    database,
    errors,
    inputs,
    jobs,
    logs,
    openapi,
    request_commit,
    security,
)
from .config import Config, ConfigError, config_for
from .engine import close_pooled_connections
from .health import bp as health_bp
from .users import bp as users_bp
from .web import bp as web_bp


def create_app(
    config: Config | Mapping[str, Any] | None = None, default_env: str = "development"
) -> Flask:
    """Build the app. ``config`` is a config object, a mapping of overrides, or None.

    With None (as ``flask``, ``manage.py`` and ``wsgi.py`` call it), the environment and
    ``.env`` are read and ``APP_ENV`` picks the config class, ``default_env`` when it is unset
    (``wsgi.py`` passes ``production``). A bad setting read there ends the process with its
    message alone.
    """
    app = request_commit.App(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(config, default_env))
    try:
        wire(app)
    except ConfigError as error:  # the environment lacks what an optional part needs
        if config is not None:
            raise
        raise SystemExit(f"Error: {error}") from None
    return app


def wire(app: Flask) -> None:
    """Install the infrastructure, then register the features."""
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep fields in schema order
    database.init_app(app)
    request_commit.init_app(app)
    logs.init_app(app)
    errors.init_app(app)
    inputs.init_app(app)
    security.init_app(app)
    cookies.init_app(app)
    csrf.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    if app.config["METRICS_ENABLED"]:
        # Imported only when on: the library needs PROMETHEUS_MULTIPROC_DIR set beforehand.
        from . import metrics

        metrics.init_app(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(web_bp)
    openapi.init_app(app)


def load_config(
    config: Config | Mapping[str, Any] | None, default_env: str = "development"
) -> dict[str, Any]:
    """The settings ``create_app`` applies: ``config``'s own, or the environment's.

    :raise SystemExit: a setting in the environment is missing or malformed. Commands and
        servers can do nothing useful then: the message says what to set, with no traceback.
    """
    if isinstance(config, Config):
        return config.as_dict()
    try:
        settings = config_for(default=default_env).as_dict()
    except ValueError as error:  # a ConfigError, or a database URL that does not parse
        raise SystemExit(f"Error: {error}") from None
    # `flask run` picks its reloader and debugger from FLASK_DEBUG once it has built the app:
    # written back as `flask --debug` writes it, so the server does what the settings say.
    os.environ["FLASK_DEBUG"] = "1" if settings["DEBUG"] else "0"
    settings.update(config or {})
    return settings


def freeze_start_up() -> None:
    """Set aside what start-up built (modules, the app, its engines) for the life of the
    process: entry points call this once the app is built.

    The garbage collector then skips it, in every full collection and at exit, where tearing
    it down took a quarter of ``manage.py --help``. Left to the operating system at exit, the
    pools would not close their connections, so they are closed then by hand: the server sees
    each one end, and SQLite checkpoints its WAL.
    """
    gc.freeze()
    atexit.register(close_pooled_connections)
