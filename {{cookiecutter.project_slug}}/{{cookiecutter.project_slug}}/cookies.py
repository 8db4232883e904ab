"""The session cookie: Flask's signed cookie, with its signer built once rather than per request.

Flask builds the serializer that signs and checks the cookie on every request, cookie or not;
that costs more than a read by id spends in the database. The serializer holds only the keys
and settings, so one is kept per set of keys (``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``) and
shared by every request: a key changed at run time (a test's, say) gets a new one.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionCookies(SecureCookieSessionInterface):
    """Signed-cookie sessions whose serializer is made once per set of keys."""

    def __init__(self) -> None:
        self._keys: tuple[object, ...] | None = None
        self._serializer: URLSafeTimedSerializer | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._keys:
            self._serializer = super().get_signing_serializer(app)
            self._keys = keys
        return self._serializer


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()
