"""The WSGI entry point: ``gunicorn wsgi:app``."""

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.diagnostics import check_pools

app = create_app()
check_pools(app)  # logs a warning when a pool could exhaust or outlive the server's limits
