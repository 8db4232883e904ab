"""A TCP proxy on loopback that a test can cut and restore, to take a database away.

While it is stopped its port refuses connections, and every connection it was forwarding
has been closed, as if the database server had gone away.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable

POLL_SECONDS = 0.1  # how soon each thread notices it should stop
CONNECT_SECONDS = 5
JOIN_SECONDS = 5
CHUNK = 65536


class Proxy:
    """Forwards ``127.0.0.1:<port>`` to ``upstream``; :meth:`stop` and :meth:`start` again."""

    def __init__(self, upstream: tuple[str, int], port: int) -> None:
        self.upstream = upstream
        self.port = port
        self.forwarded = 0  # connections forwarded since the proxy was made
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None

    def __enter__(self) -> Proxy:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> None:
        assert self._listener is None, "the proxy is running already"
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Connections closed by the last stop may still hold the port in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(POLL_SECONDS)
        self._listener = listener
        self._stopping.clear()
        self._spawn(self._accept, listener)

    def stop(self) -> None:
        """Close the listener and every forwarded connection; return once all are closed."""
        if self._listener is None:
            return
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=JOIN_SECONDS)
        alive = [thread.name for thread in self._threads if thread.is_alive()]
        self._threads = []
        self._listener = None
        assert not alive, f"proxy threads did not stop: {alive}"

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="proxy")
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while not self._stopping.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                try:
                    server = socket.create_connection(self.upstream, timeout=CONNECT_SECONDS)
                except OSError:
                    client.close()
                    continue
                self.forwarded += 1
                self._spawn(self._pump, client, server)

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        """Copy bytes both ways until one side closes or the proxy stops."""
        peers = {client: server, server: client}
        for sock in peers:
            sock.settimeout(CONNECT_SECONDS)  # a peer that stops reading cannot hang us
        with client, server:
            while not self._stopping.is_set():
                readable, _, _ = select.select(list(peers), [], [], POLL_SECONDS)
                for source in readable:
                    try:
                        data = source.recv(CHUNK)
                        if not data:
                            return
                        peers[source].sendall(data)
                    except OSError:
                        return
