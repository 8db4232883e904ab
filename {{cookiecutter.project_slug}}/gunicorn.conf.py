"""gunicorn settings, read from the environment: ``gunicorn wsgi:app``.

Workers are processes: each has its own connection pools, so ``WEB_CONCURRENCY`` times the
pool size must stay below what the database server accepts (``flask db-status`` checks).
"""

import glob
import os

from {{ cookiecutter.project_slug }}.config import default_workers
from {{ cookiecutter.project_slug }}.factory import load_config


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SystemExit(f"{name} must be a whole number, got {raw!r}.")
    return int(raw)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# All interfaces by default, as a container needs; set GUNICORN_BIND=127.0.0.1:8000 elsewhere.
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", 0) or default_workers()
# The app reads the same number to check its pools against the database server's limit.
os.environ["WEB_CONCURRENCY"] = str(workers)
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Replace each worker after about this many requests, spread out so they do not all restart
# at once; 0 turns it off. High enough that a busy worker is not restarted every few seconds
# (a restart builds the app and reconnects), low enough to bound a slow leak.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# Access lines go to stdout, with the request id the app sent back; "" turns them off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
# Load the app once in the master, before forking. The app disposes of pooled connections a
# worker inherits (engine.py), so each worker opens its own either way.
preload_app = env_flag("GUNICORN_PRELOAD")
# gunicorn's control socket: one per project and address, so two apps on a host never share it.
runtime_dir = os.environ.get("XDG_RUNTIME_DIR") or os.path.expanduser("~/.gunicorn")
instance = f"{{ cookiecutter.project_slug }}-{bind.replace(':', '-')}"
control_socket = os.path.join(runtime_dir, f"{instance}.ctl")

# Metrics (/metrics, see README): on by default when serving production. Each worker writes its
# numbers to files in PROMETHEUS_MULTIPROC_DIR, and /metrics adds up every worker's. The
# variable must be set before the library is imported, and the directory start empty, or a
# previous run's numbers would be counted again.
# wsgi.py serves production when APP_ENV is unset, and so do these defaults.
if (os.environ.get("APP_ENV", "").strip().lower() or "production") == "production":
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
