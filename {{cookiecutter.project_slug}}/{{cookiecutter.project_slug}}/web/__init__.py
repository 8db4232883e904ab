"""The pages: a landing page and the users page, rendered on the server from Jinja templates."""

from .views import bp

__all__ = ["bp"]
