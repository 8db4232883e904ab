"""HTTP endpoints of the users API: parse, call the service, shape the response.

Each view declares what it answers (``@documented``) for the API's document, ``/openapi.json``.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from ..inputs import parse_body
from ..openapi import BODY_ERRORS, DATABASE_ERRORS, documented
from ..pagination import PageJSON, PageQuery, envelope, page_request
from . import service
from .schemas import UserCreate, UserJSON, UserUpdate, user_json

bp = Blueprint("users", __name__, url_prefix="/api/users")

# An id no user can have (0, past a 32-bit integer) is a 404 for every method (see inputs.py).
USER_ID = "<id:user_id>"
NO_USER = {404: "No user has this id."}
TAKEN = {409: "Another user has this email."}


@bp.get("")
@documented(
    {200: PageJSON[UserJSON]},
    query=PageQuery,
    errors={400: "A page parameter is not valid.", **DATABASE_ERRORS},
)
def list_users() -> PageJSON[UserJSON]:
    """A page of users: ``?page=`` or ``?after=`` (the cursor of a ``next`` link)."""
    wanted = page_request(request.args)
    page = service.list_users(wanted)
    return envelope([user_json(row) for row in page.rows], wanted, page)


@bp.get(f"/{USER_ID}")
@documented({200: UserJSON}, errors={**NO_USER, **DATABASE_ERRORS})
def get_user(user_id: int) -> UserJSON:
    """One user."""
    return user_json(service.get_user(user_id))


@bp.post("")
@documented(
    {201: UserJSON},
    body=UserCreate,
    errors={**BODY_ERRORS, **TAKEN, **DATABASE_ERRORS},
    headers={201: {"Location": "The new user's URL."}},
)
def create_user() -> tuple[Response, int, dict[str, str]]:
    """Create a user; answers 201 with its location."""
    user = service.create_user(parse_body(UserCreate))
    location = url_for("users.get_user", user_id=user.id)
    return jsonify(user_json(user)), 201, {"Location": location}


@bp.patch(f"/{USER_ID}")
@documented(
    {200: UserJSON}, body=UserUpdate, errors={**BODY_ERRORS, **NO_USER, **TAKEN, **DATABASE_ERRORS}
)
def update_user(user_id: int) -> UserJSON:
    """Change a user's email or name."""
    return user_json(service.update_user(user_id, parse_body(UserUpdate)))


@bp.delete(f"/{USER_ID}")
@documented({204: None}, errors={**NO_USER, **DATABASE_ERRORS})
def delete_user(user_id: int) -> tuple[str, int]:
    """Delete a user."""
    service.delete_user(user_id)
    return "", 204
