"""The users feature: an example resource served as a JSON API."""

from .views import bp

__all__ = ["bp"]
