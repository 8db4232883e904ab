"""gunicorn settings, read from the environment: ``gunicorn wsgi:app``.

Workers are processes: each has its own connection pools, so ``WEB_CONCURRENCY`` times the
pool size must stay below what the database server accepts (``flask db-status`` checks).
"""

import glob
import os

from {{ cookiecutter.project_slug }}.factory import load_config
from {{ cookiecutter.project_slug }}.server import ServerSettings
from {{ cookiecutter.project_slug }}.settings import ConfigError

# Read as the app reads its own (environment, then .env; one rule for numbers and yes/no).
try:
    settings = ServerSettings()
except ConfigError as error:
    raise SystemExit(f"Error: {error}") from None

# All interfaces by default, as a container needs; set GUNICORN_BIND=127.0.0.1:8000 elsewhere.
bind = settings.bind
workers = settings.WEB_CONCURRENCY
# The app reads the same number to check its pools against the database server's limit.
os.environ["WEB_CONCURRENCY"] = str(workers)
timeout = settings.GUNICORN_TIMEOUT
graceful_timeout = settings.GUNICORN_GRACEFUL_TIMEOUT
keepalive = settings.GUNICORN_KEEPALIVE
# Replace each worker after about this many requests, spread out so they do not all restart
# at once; 0 turns it off. High enough that a busy worker is not restarted every few seconds
# (a restart builds the app and reconnects), low enough to bound a slow leak.
max_requests = settings.GUNICORN_MAX_REQUESTS
max_requests_jitter = settings.GUNICORN_MAX_REQUESTS_JITTER
# Access lines go to stdout, with the request id the app sent back; "" turns them off (a
# path, not a number or flag: read as it is).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
# Load the app once in the master, before forking. The app disposes of pooled connections a
# worker inherits (engine.py), so each worker opens its own either way.
preload_app = settings.GUNICORN_PRELOAD
# gunicorn's control socket: one per project and address, so two apps on a host never share it.
runtime_dir = os.environ.get("XDG_RUNTIME_DIR") or os.path.expanduser("~/.gunicorn")
instance = f"{{ cookiecutter.project_slug }}-{bind.replace(':', '-')}"
control_socket = os.path.join(runtime_dir, f"{instance}.ctl")

# Metrics (/metrics, see README): on by default when serving production. Each worker writes its
# numbers to files in PROMETHEUS_MULTIPROC_DIR, and /metrics adds up every worker's. The
# variable must be set before the library is imported, and the directory start empty, or a
# previous run's numbers would be counted again.
# wsgi.py serves production when APP_ENV is unset, and so do these defaults.
if settings.serves_production:
    os.environ.setdefault("METRICS_ENABLED", "1")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(runtime_dir, f"{instance}.metrics"))
metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
os.makedirs(metrics_dir, mode=0o700, exist_ok=True)
for old_file in glob.glob(os.path.join(metrics_dir, "*.db")):
    os.remove(old_file)

from prometheus_client import multiprocess  # noqa: E402 - after the directory is set


def when_ready(server):
    """With GUNICORN_PRELOAD the master built the app: its pools serve no request, so what it
    wrote to the gauges must not count."""
    multiprocess.mark_process_dead(os.getpid())


def child_exit(server, worker):
    """A worker has ended: its gauges stop counting (its counters are kept)."""
    multiprocess.mark_process_dead(worker.pid)


def on_starting(_server: object) -> None:
    """Read the app's settings once in the master, as ``wsgi.py`` will in each worker: a bad
    one stops gunicorn here with its message, not with a traceback from every worker."""
    load_config(None, default_env="production")
