"""Celery's own command line: ``celery -A celery_worker worker --loglevel=INFO``.

The same worker as ``python manage.py worker``, built with the same factory and settings.
"""

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.jobs.broker import broker_of
from {{ cookiecutter.project_slug }}.jobs.celery_queue import CeleryQueue

app = create_app()
queue = broker_of(app).queue
assert isinstance(queue, CeleryQueue)  # noqa: S101 - the project was made for Celery
celery = queue.celery
