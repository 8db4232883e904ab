"""The WSGI entry point: ``gunicorn wsgi:app``."""

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.diagnostics import check_pool_capacity

app = create_app()
check_pool_capacity(app)  # logs a warning when the pools could exhaust the server
