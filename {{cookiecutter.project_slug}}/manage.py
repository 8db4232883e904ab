"""Project commands: ``python manage.py <command>`` offers what ``flask <command>`` does.

Run ``python manage.py --help`` for the list (db, init-db, seed, shell, run, routes).
"""

from flask.cli import FlaskGroup

from {{ cookiecutter.project_slug }} import create_app

cli = FlaskGroup(create_app=create_app)

if __name__ == "__main__":
    cli()
