"""The WSGI entry point: ``gunicorn wsgi:app``.

It runs the production settings unless ``APP_ENV`` (in the environment or ``.env``) names
another environment, so a server started without settings refuses to start instead of
serving in debug mode. A bad setting stops it with its message alone.
"""

import gc

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.diagnostics import check_pools

app = create_app(default_env="production")
check_pools(app)  # logs a warning when a pool could exhaust or outlive the server's limits
# What start-up built (modules, the app, its engines) lives as long as the process. Frozen, it
# is left out of every full collection, and of the last one at exit (about a quarter of what
# `manage.py --help` takes); workers forked from a preloaded app keep sharing its memory.
gc.freeze()
