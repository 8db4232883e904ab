"""RQ's own command line, from the project folder:

    rq worker --worker-class rq_worker.AppWorker --url "$REDIS_URL" <JOB_QUEUE_NAME>

The same worker as ``python manage.py worker``, built with the same factory and settings
(``JOB_QUEUE_NAME`` is the queue, the project's name by default).
"""

from typing import Any

from rq import SimpleWorker

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.jobs.resend import start_resending
from {{ cookiecutter.project_slug }}.jobs.rq_queue import WORKER_APPS


class AppWorker(SimpleWorker):
    """An RQ worker whose jobs run with the app, in its own process (see ``jobs/rq_queue.py``),
    and which re-sends stale jobs meanwhile."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        WORKER_APPS.append(create_app())

    def work(self, *args: Any, **kwargs: Any) -> bool:
        stop = start_resending(WORKER_APPS[-1])
        try:
            return super().work(*args, **kwargs)
        finally:
            stop.set()
