"""Run code outside a request: scripts, CLI commands, background jobs and threads.

``app_context()`` pushes a fresh application context (so the code gets a session of its own)
and, whatever happens, removes that session and returns its connection to the pool.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, has_app_context

from .database import db

P = ParamSpec("P")
R = TypeVar("R")
AppSource = Flask | Callable[[], Flask] | None


def resolve_app(source: AppSource = None) -> Flask:
    """An app from ``source``: the app itself, a factory to call, or the current app."""
    if isinstance(source, Flask):
        return source
    if source is not None:
        return source()
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]
    raise RuntimeError(
        "No app to run with: pass the app or its factory, e.g. app_context(create_app)."
    )


@contextmanager
def app_context(source: AppSource = None) -> Iterator[Flask]:
    """Push an app context with its own session; always release the session afterwards.

    ``source`` is an app, a factory such as ``create_app``, or nothing to reuse the app of
    the current context (inside a CLI command, for example).
    """
    app = resolve_app(source)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()


def with_app_context(source: AppSource = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form of :func:`app_context` for jobs and script entry points."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with app_context(source):
                return function(*args, **kwargs)

        return wrapper

    return decorate
