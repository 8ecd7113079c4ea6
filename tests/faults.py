"""Faults injected between a generated service and its backing services, never on shared servers.

A `FaultProxy` listens on a free loopback port and forwards every connection to the real server;
the test points DATABASE_URL or BROKER_URL at the proxy and then cuts, refuses or freezes traffic.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit


class FaultProxy:
    """A TCP proxy to one server that a test can cut (drop every connection), refuse or freeze."""

    def __init__(self, host: str, port: int) -> None:
        """Listen on a free loopback port; forward to host:port once started."""
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.refusing = False
        self.frozen = threading.Event()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @classmethod
    def to(cls, url: str) -> FaultProxy:
        """A proxy to the server of a URL."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 0)

    def url(self, url: str) -> str:
        """The same URL, through the proxy."""
        parts = urlsplit(url)
        netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{self.port}")
        return urlunsplit(parts._replace(netloc=netloc))

    def cut(self) -> None:
        """Close every open connection, as a server that restarts does."""
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for side in pair:
                with contextlib.suppress(OSError):
                    side.shutdown(socket.SHUT_RDWR)
                side.close()

    def refuse(self, refusing: bool = True) -> None:
        """Close new connections at once (the server is down), or accept them again."""
        self.refusing = refusing

    def freeze(self, frozen: bool = True) -> None:
        """Hold every byte in both directions (the server hangs), or let them flow again."""
        if frozen:
            self.frozen.set()
        else:
            self.frozen.clear()

    def close(self) -> None:
        """Stop listening and drop every connection."""
        self.closed = True
        self.freeze(False)
        self.listener.close()
        self.cut()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        try:
            while not self.closed:
                if self.frozen.is_set():
                    time.sleep(0.1)
                    continue
                readable, _, _ = select.select(list(peers), [], [], 0.2)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    peers[source].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for side in (client, server):
                side.close()
