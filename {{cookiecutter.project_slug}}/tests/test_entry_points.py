"""How the project starts, run as a user runs it: ``wsgi.py`` runs production settings unless
told otherwise, and a bad setting or a database that does not answer ends ``flask``,
``manage.py`` and gunicorn with its message alone, not a traceback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from {{ cookiecutter.project_slug }}.config import TestingConfig

from .environments import PRODUCTION_ENV

PROJECT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))
MANAGE = [sys.executable, "manage.py"]
SERVE = [str(Path(sys.executable).with_name("gunicorn")), "wsgi:app"]
# Settings come from each test alone: the project's .env (the developer's own) is not read.
ISOLATED = {
    "PYTHON_DOTENV_DISABLED": "1",
    "FLASK_SKIP_DOTENV": "1",
    "FLASK_APP": "{{ cookiecutter.project_slug }}",
}
SETTING_NAMES = ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG", "GUNICORN_PRELOAD")
# gunicorn: two workers on a loopback port, so that a failing start would fail in each.
GUNICORN = {"WEB_CONCURRENCY": "2", "GUNICORN_BIND": "127.0.0.1:0", "GUNICORN_ACCESS_LOG": ""}
IMPORT_WSGI = "import wsgi; print(wsgi.app.config['ENV_NAME'])"


def environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment with only ``settings`` of the app's own."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES and "DATABASE" not in k}
    return {**env, **ISOLATED, **settings}


def start(command: list[str], **settings: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in the project folder with only ``settings`` of the app's own."""
    result = subprocess.run(  # noqa: S603 - commands built by the tests themselves
        command,
        cwd=PROJECT,
        env=environment(settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    result.stdout += result.stderr  # what the user sees, in one place
    return result


def assert_ends_with_the_message_alone(
    result: subprocess.CompletedProcess[str], message: str
) -> None:
    output = result.stdout
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert output.count(message) == 1, output
    assert len(output.strip().splitlines()) <= 3, output


def unreachable_database() -> str:
    """A URL of the kind the tests run on whose server does not answer."""
    url = make_url(TestingConfig().SQLALCHEMY_DATABASE_URI)
    if url.get_backend_name() == "sqlite":
        return "sqlite:////no/such/folder/app.db"
    return url.set(host="127.0.0.1", port=9).render_as_string(hide_password=False)


def test_wsgi_runs_production_settings_when_app_env_is_unset() -> None:
    result = start([sys.executable, "-c", IMPORT_WSGI], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "production"


def test_wsgi_runs_the_environment_app_env_names() -> None:
    result = start([sys.executable, "-c", IMPORT_WSGI], APP_ENV="development")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "development"


def test_wsgi_without_settings_refuses_to_start() -> None:
    result = start([sys.executable, "-c", "import wsgi"])
    assert_ends_with_the_message_alone(result, "SECRET_KEY is not set")


BAD_URL = "postgresql://u:p@h:port/db"


@pytest.mark.parametrize(
    ("command", "settings", "message"),
    [
        ([FLASK, "run"], {"APP_ENV": "production"}, "SECRET_KEY is not set"),
        ([FLASK, "db-status"], {"DATABASE_URL": BAD_URL}, "is not a database URL"),
        ([*MANAGE, "init-db"], {"DATABASE_COMMIT_MODE": "sometimes"}, "is not one of"),
        (SERVE, GUNICORN, "SECRET_KEY is not set"),
        (SERVE, {**GUNICORN, "GUNICORN_PRELOAD": "1"}, "SECRET_KEY is not set"),
        (SERVE, {**GUNICORN, "GUNICORN_TIMEOUT": "soon"}, "GUNICORN_TIMEOUT must be a whole"),
        ([FLASK, "routes"], {"METRICS_ENABLED": "1"}, "PROMETHEUS_MULTIPROC_DIR is not set"),
        (SERVE, {**GUNICORN, **PRODUCTION_ENV, "METRICS_ALLOW": "intranet"}, "METRICS_ALLOW="),
    ],
)
def test_a_bad_setting_ends_a_command_with_its_message_alone(
    command: list[str], settings: dict[str, str], message: str
) -> None:
    assert_ends_with_the_message_alone(start(command, **settings), message)


@pytest.mark.parametrize("command", [["db-status"], ["init-db"], ["seed", "--count", "1"]])
def test_a_database_that_does_not_answer_ends_a_command_with_one_line(command: list[str]) -> None:
    result = start([FLASK, *command], DATABASE_URL=unreachable_database())
    assert_ends_with_the_message_alone(result, "Error: The database did not answer: ")


def flask_run_banner(**settings: str) -> str:
    """What ``flask run`` prints until it serves (its reloader's child too); then it is stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    command = [FLASK, "run", "--port", port]
    env = environment({**settings, "DATABASE_URL": "sqlite://"})
    seen = ""
    with subprocess.Popen(  # noqa: S603 - a command built here
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the reloader's child is in the group that is stopped
    ) as process:
        stop = threading.Timer(30, os.killpg, (process.pid, signal.SIGKILL))  # if it hangs
        stop.start()
        try:
            for line in process.stdout or ():
                seen += line
                if "Debugger PIN" in line or ("CTRL+C" in line and "Debug mode: off" in seen):
                    break
        finally:
            stop.cancel()
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
    return seen


@pytest.mark.parametrize(
    ("settings", "debug"),
    [
        ({"APP_ENV": "development"}, True),
        ({"APP_ENV": "development", "FLASK_DEBUG": "off"}, False),
    ],
)
def test_flask_run_debugs_and_reloads_as_the_settings_say(
    settings: dict[str, str], debug: bool
) -> None:
    """The app's FLASK_DEBUG (on by default in development) decides for ``flask run`` too."""
    banner = flask_run_banner(**settings)
    assert f"Debug mode: {'on' if debug else 'off'}" in banner, banner
    assert ("Restarting with" in banner) is debug, banner  # the reloader


# Imported only when used: start-up is paid by every command and every worker.
OPTIONAL_MODULES = (
    "prometheus_client",
    "{{ cookiecutter.project_slug }}.metrics",
    "email_validator",  # by the API's schemas, at their first validation
    # The job queue's libraries: by a worker, or the first job sent.
    "celery",
    "rq",
    "redis",
    # The API's document and its page: at the first request for either.
    "apispec",
    "swagger_ui_bundle",
    "{{ cookiecutter.project_slug }}.openapi.document",
)
HELP_AND_IMPORTED = (
    "import runpy, sys\n"
    "sys.argv = ['manage.py', '--help']\n"
    "try:\n"
    "    runpy.run_path('manage.py', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(' '.join(sorted(sys.modules)))\n"
)


def test_help_imports_no_optional_part() -> None:
    settings = {"APP_ENV": "production", **PRODUCTION_ENV}
    result = start([sys.executable, "-c", HELP_AND_IMPORTED], **settings)
    assert result.returncode == 0, result.stdout
    assert "seed" in result.stdout  # the app was built: its commands are listed
    imported = set(result.stdout.split())
    assert [name for name in OPTIONAL_MODULES if name in imported] == []


FROZEN_AFTER = {  # how each entry point is started, then how many objects are frozen
    "wsgi.py": "import gc, wsgi\nprint('frozen', gc.get_freeze_count())",
    "manage.py": "import gc, manage\nassert manage.cli.create_app is manage.build_app\n"
    "manage.build_app()\nprint('frozen', gc.get_freeze_count())",
}
CLOSED_AT_EXIT = (  # a read, then a normal exit: the pooled connection is closed on the way
    "import wsgi\n"
    "from sqlalchemy import event, text\n"
    "from {{ cookiecutter.project_slug }} import db\n"
    "with wsgi.app.app_context():\n"
    "    event.listen(db.engine, 'close', lambda *_: print('closed'))\n"
    "    with db.engine.connect() as connection:\n"
    "        connection.execute(text('SELECT 1'))\n"
    "print('exiting')\n"
)


@pytest.mark.parametrize("entry_point", FROZEN_AFTER)
def test_start_up_leaves_what_it_built_to_the_process(entry_point: str) -> None:
    """Frozen: no full collection scans it again, the last one at exit included."""
    settings = {"APP_ENV": "production", **PRODUCTION_ENV}
    result = start([sys.executable, "-c", FROZEN_AFTER[entry_point]], **settings)
    assert result.returncode == 0, result.stdout
    frozen = re.search(r"^frozen (\d+)$", result.stdout, re.MULTILINE)
    assert frozen, result.stdout
    assert int(frozen[1]) > 10_000  # the modules and the app, not a handful


def test_pooled_connections_are_closed_at_exit_though_start_up_is_frozen() -> None:
    """A server sees each connection end; SQLite checkpoints its WAL into the file."""
    settings = {"APP_ENV": "production", **PRODUCTION_ENV}
    result = start([sys.executable, "-c", CLOSED_AT_EXIT], **settings)
    assert result.returncode == 0, result.stdout
    assert result.stdout.split()[:2] == ["exiting", "closed"], result.stdout
