"""The WSGI entry point: ``gunicorn wsgi:app``.

It runs the production settings unless ``APP_ENV`` (in the environment or ``.env``) names
another environment, so a server started without settings refuses to start instead of
serving in debug mode. A bad setting stops it with its message alone.
"""

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.diagnostics import check_pools

app = create_app(default_env="production")
check_pools(app)  # logs a warning when a pool could exhaust or outlive the server's limits
