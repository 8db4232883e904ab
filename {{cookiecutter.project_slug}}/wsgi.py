"""The WSGI entry point: ``gunicorn wsgi:app``."""

from {{ cookiecutter.project_slug }} import create_app

app = create_app()
