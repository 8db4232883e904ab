"""The {{ cookiecutter.project_slug }} application: ``create_app`` builds it, ``db`` is its database."""

from .database import db
from .factory import create_app

__all__ = ["create_app", "db"]
