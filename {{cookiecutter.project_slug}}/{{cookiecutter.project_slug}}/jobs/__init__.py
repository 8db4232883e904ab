"""Background jobs: a table of job states, and the queue chosen when the project was made.

Features register their jobs (``@job("users.import")``) and start them with ``submit``. The
state of each job lives in the ``jobs`` table (``models.py``), whatever runs it.
"""

{% if cookiecutter.job_queue == "none" -%}
from .inline_queue import init_app, submit
from .models import Job, JobState
from .registry import BadJob, job

__all__ = ["BadJob", "Job", "JobState", "init_app", "job", "submit"]
{% else -%}
from .models import Job, JobState
from .outbox import init_app, submit, submit_now
from .registry import BadJob, job

__all__ = ["BadJob", "Job", "JobState", "init_app", "job", "submit", "submit_now"]
{% endif -%}
