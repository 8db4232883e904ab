"""Project commands: ``python manage.py <command>`` offers what ``flask <command>`` does.

Run ``python manage.py --help`` for the list (db, init-db, seed, shell, run, routes).
"""

import gc

from flask import Flask
from flask.cli import FlaskGroup

from {{ cookiecutter.project_slug }} import create_app


def build_app() -> Flask:
    """The app, with what start-up built set aside from the garbage collector (see wsgi.py)."""
    app = create_app()
    gc.freeze()
    return app


cli = FlaskGroup(create_app=build_app)

if __name__ == "__main__":
    cli()
