"""The session work behind the imports API: start the import job, and read how it went."""

from __future__ import annotations

from ..database import db
from ..errors import NotFound
from ..jobs import Job, JobState, submit
from ..transactions import transaction
from .jobs import IMPORT_JOB
from .schemas import ImportJSON, ImportRequest


def start_import(data: ImportRequest) -> Job:
    """Submit the import; with a queue it runs once the request's transaction commits."""
    with transaction():
        return submit(IMPORT_JOB, data.model_dump())


def get_import(job_id: int) -> Job:
    """:raise NotFound: no import has this id."""
    job = db.session.get(Job, job_id)
    if job is None or job.name != IMPORT_JOB:
        raise NotFound(f"Import {job_id} does not exist.")
    return job


def import_json(job: Job) -> ImportJSON:
    """An import as the API shows it; ``created`` and ``skipped`` are null until it is done."""
    result = job.result or {}
    body: ImportJSON = {
        "id": job.id,
        "state": JobState(job.state),
        "created": result.get("created"),
        "skipped": result.get("skipped"),
    }
    if job.state == JobState.FAILED:
        body["error"] = job.error or "unknown"
    return body
