"""Views and hooks: whether each is ``async def`` is asked once, and async ones still run."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, after_this_request

from {{ cookiecutter.project_slug }} import dispatch


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[Callable[..., Any]]:
    """Every function whose kind the module asks the standard library about."""
    asked: list[Callable[..., Any]] = []
    ask = dispatch.iscoroutinefunction

    def counting(func: Callable[..., Any]) -> bool:
        asked.append(func)
        return ask(func)

    monkeypatch.setattr(dispatch, "iscoroutinefunction", counting)
    return asked


def test_a_view_is_asked_about_once_however_often_it_runs(
    questions: list[Callable[..., Any]],
) -> None:
    app = dispatch.Flask(__name__)

    @app.get("/")
    def index() -> str:
        return "sync"

    client = app.test_client()
    assert [client.get("/").text for _ in range(3)] == ["sync"] * 3
    assert questions.count(index) == 1


def test_async_views_and_hooks_still_run_as_coroutines() -> None:
    app = dispatch.Flask(__name__)
    seen: list[str] = []

    @app.before_request
    async def before() -> None:
        seen.append("before")

    @app.get("/")
    async def index() -> str:
        return "async"

    client = app.test_client()
    assert [client.get("/").text for _ in range(2)] == ["async"] * 2
    assert seen == ["before", "before"]


def test_a_function_made_for_one_request_is_not_kept() -> None:
    app = dispatch.Flask(__name__)
    made: list[weakref.ref[Callable[..., Any]]] = []

    @app.get("/")
    def index() -> str:
        def stamp(response: Any) -> Any:
            response.headers["X-Stamp"] = "yes"
            return response

        made.append(weakref.ref(after_this_request(stamp)))
        return "stamped"

    assert app.test_client().get("/").headers["X-Stamp"] == "yes"
    gc.collect()
    assert made and made[0]() is None


def test_a_callable_that_cannot_be_weakly_held_is_asked_every_time(
    questions: list[Callable[..., Any]],
) -> None:
    upper = str.upper  # a method descriptor: no weak reference to it can be made
    assert dispatch.is_coroutine_function(upper) is False
    assert dispatch.is_coroutine_function(upper) is False
    assert questions.count(upper) == 2


def test_the_app_is_built_on_it(app: Flask) -> None:
    assert isinstance(app, dispatch.Flask)
