"""The servers the template's tests use, for .ci/run: one `label port start-command` line each."""

from __future__ import annotations

from extensions.catalogue import BROKERS, DATABASES, Broker, Database


def local_server_lines() -> list[str]:
    """Every database and broker server of the catalogue: its label, port and start command."""
    entries: list[Database | Broker] = [*DATABASES.values(), *BROKERS.values()]
    return [
        f"{entry.label} {entry.local_server.port} {entry.local_server.start}"
        for entry in entries
        if entry.local_server is not None
    ]


if __name__ == "__main__":
    print("\n".join(local_server_lines()))
