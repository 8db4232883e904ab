"""Which function runs a job of each name. Features register theirs with :func:`job`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
JobFunction = Callable[[Payload], Payload]

JOBS: dict[str, JobFunction] = {}


class BadJob(ValueError):
    """A job that cannot succeed however often it runs (bad data): it is not retried."""


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` as the job called ``name``; it takes and returns JSON objects.

    A job runs in the current session, inside a ``transaction()`` that also records its result,
    so its writes and its state commit together. It may run more than once (delivery is at
    least once): make it idempotent.
    """

    def register(function: JobFunction) -> JobFunction:
        if JOBS.setdefault(name, function) is not function:
            raise RuntimeError(f"Two jobs are called {name!r}.")
        return function

    return register


def function_of(name: str) -> JobFunction:
    """:raise BadJob: no job has this name."""
    try:
        return JOBS[name]
    except KeyError:
        raise BadJob(f"No job is called {name!r}.") from None
