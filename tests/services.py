"""The backing services the template's tests attach to generated projects, one namespace each.

Which servers there are, where they are and how each makes a namespace come from the catalogue
(extensions/catalogue.py); this module knows one recipe per driver or namespace kind.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from extensions.catalogue import BROKERS, DATABASES, Broker, Database

CONNECT_TIMEOUT = 3


def unique_name() -> str:
    """A name for a database, key prefix, virtual host or queue, unique to this test run."""
    return f"tpl_{uuid.uuid4().hex[:12]}"


def with_path(url: str, path: str) -> str:
    """The same server URL with another path (database name or virtual host)."""
    return urlunsplit(urlsplit(url)._replace(path=path))


def connect_psycopg(url: str) -> AbstractContextManager[Any]:
    """An autocommitting PostgreSQL connection."""
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)


def connect_pymysql(url: str) -> AbstractContextManager[Any]:
    """A MySQL connection (DDL commits by itself)."""
    import pymysql

    parts = urlsplit(url)
    return pymysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username,
        password=parts.password or "",
        database=parts.path.strip("/") or None,
        connect_timeout=CONNECT_TIMEOUT,
    )


# An administrative connection per driver (the part after "+" of a SQLAlchemy scheme).
CONNECTORS: dict[str, Callable[[str], AbstractContextManager[Any]]] = {
    "psycopg": connect_psycopg,
    "pymysql": connect_pymysql,
}


@dataclass
class BackingServices:
    """Server URLs from the environment (this machine's loopback services by default)."""

    urls: dict[str, str]
    created: list[tuple[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    # Namespaces of a kind in SHARED_NAMESPACES, made once for the whole run, by broker.
    broker_namespaces: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> BackingServices:
        """Read TEST_<NAME>_URL for each server of the catalogue (TEST_POSTGRESQL_URL, ...)."""
        servers: list[Database | Broker] = [*DATABASES.values(), *BROKERS.values()]
        return cls(
            {
                entry.name: os.environ.get(f"TEST_{entry.name.upper()}_URL", entry.local_server.url)
                for entry in servers
                if entry.local_server is not None
            }
        )

    def unreachable_reason(self, kind: str) -> str:
        """Why a service could not be used, for a skip or failure message."""
        return f"{kind} server unreachable: {self.errors.get(kind, 'unknown error')}"

    def execute(self, database: Database, statement: str) -> None:
        """Run one administrative statement on the server of this database."""
        connect = CONNECTORS[database.sqlalchemy_scheme.partition("+")[2]]
        url = with_path(self.urls[database.name], f"/{database.admin_database}")
        with connect(url) as connection, contextlib.closing(connection.cursor()) as cursor:
            cursor.execute(statement)

    def new_database(self, kind: str) -> str | None:
        """Create an empty database of this kind; None (the reason kept) if its server is down."""
        database = DATABASES[kind]
        name = unique_name()
        if database.is_file:
            return database.url_example.format(name=name)
        try:
            self.execute(database, f"CREATE DATABASE {name}")
        except Exception as error:  # any failure means the server is not usable
            self.errors[kind] = repr(error)
            return None
        self.created.append((kind, name))
        return with_path(self.urls[kind], f"/{name}")

    def new_broker(self, kind: str) -> str | None:
        """This run's namespace on the broker of this kind; None (the reason kept) if down."""
        if kind in self.broker_namespaces:
            return self.broker_namespaces[kind]
        broker = BROKERS[kind]
        shared = broker.test_namespace in SHARED_NAMESPACES
        name = unique_name()
        make, _ = NAMESPACES[broker.test_namespace]
        try:
            url = make(self.urls[kind], name)
        except Exception as error:  # any failure means the broker is not usable
            self.errors[kind] = repr(error)
            return None
        self.created.append((kind, name))
        if shared:
            self.broker_namespaces[kind] = url
        return url

    def new_queue_name(self) -> str:
        """A job queue name nobody else uses."""
        return unique_name()

    def cleanup(self) -> None:
        """Drop every database and namespace made for this run; best effort, servers may be gone."""
        for kind, name in self.created:
            with contextlib.suppress(Exception):
                if kind in DATABASES:
                    database = DATABASES[kind]
                    self.execute(database, database.drop_statement.format(name=name))
                else:
                    _, drop = NAMESPACES[BROKERS[kind].test_namespace]
                    drop(self.urls[kind], name)


def redis_database(url: str) -> str:
    """The Redis URL with a database number: the one it names, else 0."""
    return url if urlsplit(url).path.strip("/") else with_path(url, "/0")


def new_key_prefix(url: str, name: str) -> str:
    """A key prefix of its own (`?global_keyprefix=`, which the generated settings understand).

    Not a numbered database: Redis's 16 would not last a test run.
    """
    import redis

    with redis.Redis.from_url(
        redis_database(url), socket_connect_timeout=CONNECT_TIMEOUT
    ) as client:
        client.ping()
    query = urlencode({"global_keyprefix": f"{name}:"})
    return urlunsplit(urlsplit(redis_database(url))._replace(query=query))


def delete_key_prefix(url: str, name: str) -> None:
    """Delete every key under a prefix."""
    import redis

    with redis.Redis.from_url(redis_database(url)) as client:
        keys = list(client.scan_iter(match=f"{name}:*", count=1000))
        if keys:
            client.delete(*keys)


def new_virtual_host(url: str, name: str) -> str:
    """A virtual host of its own, with the permissions of the URL's user."""
    user = urlsplit(url).username or "guest"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
    except Exception:
        delete_virtual_host(url, name)
        raise
    return with_path(url, f"/{name}")


def delete_virtual_host(url: str, name: str) -> None:
    """Delete a virtual host and everything in it."""
    rabbitmqctl("delete_vhost", name)


# Made once per run, each project getting a job queue of its own in it (`new_queue_name`): every
# `rabbitmqctl` call starts an Erlang VM, a second or two of CPU that a virtual host per project
# would pay three times. A key prefix is free, and the projects' tests delete theirs.
SHARED_NAMESPACES = frozenset({"virtual host"})

# How to make and drop a namespace of each kind a catalogue's Broker.test_namespace names.
NAMESPACES: dict[str, tuple[Callable[[str, str], str], Callable[[str, str], None]]] = {
    "key prefix": (new_key_prefix, delete_key_prefix),
    "virtual host": (new_virtual_host, delete_virtual_host),
}


def rabbitmqctl(*arguments: str) -> None:
    """Run one rabbitmqctl command on the local node (root may; the tests run as root in CI)."""
    result = subprocess.run(
        ["rabbitmqctl", "-q", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {arguments[0]}: {result.stderr.strip() or result.stdout}")
