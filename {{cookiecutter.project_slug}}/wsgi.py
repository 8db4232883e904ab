"""The WSGI entry point: ``gunicorn wsgi:app``.

It runs the production settings unless ``APP_ENV`` (in the environment or ``.env``) names
another environment, so a server started without settings refuses to start instead of
serving in debug mode. A bad setting stops it with its message alone.
"""

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.diagnostics import check_pools
from {{ cookiecutter.project_slug }}.factory import freeze_start_up

app = create_app(default_env="production")
check_pools(app)  # logs a warning when a pool could exhaust or outlive the server's limits
freeze_start_up()  # what start-up built lives as long as the process: see factory.py
