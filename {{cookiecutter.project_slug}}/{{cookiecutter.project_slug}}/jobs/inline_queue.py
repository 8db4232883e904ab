"""Jobs without a queue: each runs at once, inside the transaction of whoever submits it.

In a request, the request's commit rules decide the job's writes and its row together.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..database import db
from ..transactions import transaction
from .models import Job, JobState
from .registry import function_of


def submit(name: str, payload: dict[str, Any]) -> Job:
    """Run the job called ``name`` now, in the current session, and record it as done.

    :raise BadJob: no job has this name; what the job itself raises propagates.
    """
    function = function_of(name)
    with transaction():
        result = function(payload)
        job = Job(name=name, payload=payload, state=JobState.DONE, result=result, attempts=1)
        db.session.add(job)
    return job


def init_app(app: Flask) -> None:
    """Nothing to wire: no broker, no worker."""
