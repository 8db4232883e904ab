"""HTTP endpoints of the users API: parse, call the service, shape the response."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from ..inputs import parse_body
from ..pagination import envelope, page_request
from . import imports, service
from .schemas import ImportRequest, UserCreate, UserUpdate, user_json

bp = Blueprint("users", __name__, url_prefix="/api/users")

# An id no user can have (0, past a 32-bit integer) is a 404 for every method (see inputs.py).
USER_ID = "<id:user_id>"


@bp.get("")
def list_users() -> dict[str, Any]:
    """A page of users: ``?page=`` or ``?after=`` (the cursor of a ``next`` link)."""
    wanted = page_request(request.args)
    page = service.list_users(wanted)
    return envelope([user_json(row) for row in page.rows], wanted, page)


@bp.get(f"/{USER_ID}")
def get_user(user_id: int) -> dict[str, Any]:
    """One user."""
    return user_json(service.get_user(user_id))


@bp.post("")
def create_user() -> tuple[Response, int, dict[str, str]]:
    """Create a user; answers 201 with its location."""
    user = service.create_user(parse_body(UserCreate))
    location = url_for("users.get_user", user_id=user.id)
    return jsonify(user_json(user)), 201, {"Location": location}


@bp.patch(f"/{USER_ID}")
def update_user(user_id: int) -> dict[str, Any]:
    """Change a user's email or name."""
    return user_json(service.update_user(user_id, parse_body(UserUpdate)))


@bp.delete(f"/{USER_ID}")
def delete_user(user_id: int) -> tuple[str, int]:
    """Delete a user."""
    service.delete_user(user_id)
    return "", 204


@bp.post("/imports")
def start_import() -> tuple[Response, int, dict[str, str]]:
    """Start importing users; answers 202 with where to follow the import."""
    job = imports.start_import(parse_body(ImportRequest))
    location = url_for("users.get_import", job_id=job.id)
    return jsonify(imports.import_json(job)), 202, {"Location": location}


@bp.get("/imports/<id:job_id>")
def get_import(job_id: int) -> dict[str, Any]:
    """How an import stands: queued, running, done or failed, and what it created."""
    return imports.import_json(imports.get_import(job_id))
