"""The add-user form as a browser uses it: read the token from the page, then post it."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: FlaskClient, path: str = "/users", **kwargs: Any) -> str:
    """The CSRF token of the form that ``path`` shows this client (its session's token)."""
    page = client.get(path, **kwargs).get_data(as_text=True)
    match = TOKEN.search(page)
    assert match, f"no CSRF token in the page at {path}"
    return match.group(1)


def post_user(
    client: FlaskClient, email: str, name: str, *, token: str | None = None, **kwargs: Any
) -> Any:
    """Post the add-user form with ``token`` (the page's own when None), as a browser would."""
    data = {"email": email, "name": name}
    data["csrf_token"] = form_token(client) if token is None else token
    return client.post("/users", data=data, **kwargs)
