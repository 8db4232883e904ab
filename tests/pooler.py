"""A PgBouncer of the test's own, in transaction pooling mode, in front of the PostgreSQL server.

It listens on a free loopback port, lets every user in without a password (as the server does
on loopback), and keeps its configuration and log in a temporary folder removed afterwards.
PgBouncer refuses to run as root, so under root it runs as the ``postgres`` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .http import free_port
from .serving import stop

UPSTREAM = "host=127.0.0.1 port=5432"
# Fewer server connections than the served app opens (2 workers x 3), so transactions from
# different app connections take turns on the same server connection.
SERVER_CONNECTIONS = 2
START_SECONDS = 10
STOP_SECONDS = 10
CONFIG = """\
[databases]
* = {upstream}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
default_pool_size = {server_connections}
max_client_conn = 100
"""


@dataclass(frozen=True)
class Pooler:
    port: int
    log: Path

    def url(self, direct_url: str) -> str:
        """``direct_url`` (a database on the PostgreSQL server) reached through the pooler."""
        return direct_url.replace("127.0.0.1:5432", f"127.0.0.1:{self.port}", 1)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def pgbouncer_binary() -> str:
    """The installed ``pgbouncer``; skipped (failed in CI) when there is none."""
    found = shutil.which("pgbouncer") or shutil.which("/usr/sbin/pgbouncer")
    if found is None:
        reason = "pgbouncer is not installed (apt-get install -y pgbouncer)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@contextmanager
def transaction_pooler() -> Iterator[Pooler]:
    """Run PgBouncer in transaction pooling mode until the block ends."""
    binary = pgbouncer_binary()
    folder = Path(tempfile.mkdtemp(prefix="fdt-pooler-"))
    port = free_port()
    (folder / "users.txt").write_text('"postgres" ""\n', encoding="utf-8")
    config = CONFIG.format(
        upstream=UPSTREAM, port=port, folder=folder, server_connections=SERVER_CONNECTIONS
    )
    (folder / "pgbouncer.ini").write_text(config, encoding="utf-8")
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        account = pwd.getpwnam(user)
        for path in (folder, *folder.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
    pooler = Pooler(port, folder / "pgbouncer.log")
    try:
        with pooler.log.open("wb") as sink:
            process = subprocess.Popen(  # noqa: S603 - a command the test builds
                [binary, str(folder / "pgbouncer.ini")],
                stdout=sink,
                stderr=subprocess.STDOUT,
                user=user,
            )
        try:
            wait_until_listening(pooler, process)
            yield pooler
        finally:
            stop(process, "pgbouncer", STOP_SECONDS)  # SIGTERM: its immediate shutdown
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wait_until_listening(pooler: Pooler, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"pgbouncer exited at start:\n{pooler.log_text()}")
        try:
            socket.create_connection(("127.0.0.1", pooler.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"pgbouncer did not listen within {START_SECONDS}s:\n{pooler.log_text()}")
