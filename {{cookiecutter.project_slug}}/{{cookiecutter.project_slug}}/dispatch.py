"""Views and hooks: whether each is ``async def`` is asked once per function, not per call.

Flask asks ``ensure_sync`` before it calls a view or a hook, which asks
:func:`inspect.iscoroutinefunction` again each time: about ten times a request here, which came
to 3% of a read by id. The answer cannot change for a function, so it is kept, weakly: a
function made for one request (``after_this_request``) is forgotten with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any

import flask

_IS_COROUTINE: weakref.WeakKeyDictionary[Callable[..., Any], bool] = weakref.WeakKeyDictionary()


def is_coroutine_function(func: Callable[..., Any]) -> bool:
    """:func:`inspect.iscoroutinefunction`, asked once per function that can be weakly held."""
    try:
        verdict = _IS_COROUTINE.get(func)
        if verdict is None:
            verdict = _IS_COROUTINE[func] = iscoroutinefunction(func)
    except TypeError:  # not weakly referable (a method descriptor, say): asked every time
        return iscoroutinefunction(func)
    return verdict


class Flask(flask.Flask):
    """Flask, asking once per view or hook whether it must run it as a coroutine."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if is_coroutine_function(func):
            return self.async_to_sync(func)
        return func
