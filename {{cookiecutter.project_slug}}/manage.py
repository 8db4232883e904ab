"""Project commands: ``python manage.py <command>`` offers what ``flask <command>`` does.

Run ``python manage.py --help`` for the list (db, init-db, seed, shell, run, routes).
"""

from flask import Flask
from flask.cli import FlaskGroup

from {{ cookiecutter.project_slug }} import create_app
from {{ cookiecutter.project_slug }}.factory import freeze_start_up


def build_app() -> Flask:
    """The app, with what start-up built set aside for the process (``freeze_start_up``)."""
    app = create_app()
    freeze_start_up()
    return app


cli = FlaskGroup(create_app=build_app)

if __name__ == "__main__":
    cli()
