"""The backing services the template's tests attach to generated projects, one namespace each."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

CONNECT_TIMEOUT = 3


def with_path(url: str, path: str) -> str:
    """The same server URL with another path (database name or virtual host)."""
    return urlunsplit(urlsplit(url)._replace(path=path))


@dataclass
class BackingServices:
    """Server URLs from the environment (this machine's loopback services by default)."""

    postgresql: str
    mysql: str
    redis: str
    rabbitmq: str
    created: list[tuple[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> BackingServices:
        """Read TEST_POSTGRESQL_URL, TEST_MYSQL_URL, TEST_REDIS_URL and TEST_RABBITMQ_URL."""
        environ = os.environ.get
        return cls(
            postgresql=environ(
                "TEST_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
            ),
            mysql=environ("TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/"),
            redis=environ("TEST_REDIS_URL", "redis://127.0.0.1:6379"),
            rabbitmq=environ("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        )

    def unreachable_reason(self, kind: str) -> str:
        """Why a service could not be used, for a skip or failure message."""
        return f"{kind} server unreachable: {self.errors.get(kind, 'unknown error')}"

    def execute(self, kind: str, statement: str) -> None:
        """Run one administrative statement on the database server of this kind."""
        if kind == "postgresql":
            import psycopg

            with psycopg.connect(
                self.postgresql, autocommit=True, connect_timeout=CONNECT_TIMEOUT
            ) as connection:
                connection.execute(statement)
        elif kind == "mysql":
            import pymysql

            parts = urlsplit(self.mysql)
            mysql_connection = pymysql.connect(
                host=parts.hostname,
                port=parts.port or 3306,
                user=parts.username,
                password=parts.password or "",
                connect_timeout=CONNECT_TIMEOUT,
            )
            with mysql_connection, mysql_connection.cursor() as cursor:
                cursor.execute(statement)

    def new_database(self, kind: str) -> str | None:
        """Create an empty database of this kind; None (the reason kept) if its server is down."""
        name = f"tpl_{uuid.uuid4().hex[:12]}"
        if kind == "sqlite":
            return f"sqlite:///{name}.db"
        try:
            self.execute(kind, f"CREATE DATABASE {name}")
        except Exception as error:  # any failure means the server is not usable
            self.errors[kind] = repr(error)
            return None
        self.created.append((kind, name))
        return with_path(getattr(self, kind), f"/{name}")

    def new_broker(self, kind: str) -> str | None:
        """A namespace of its own on the broker of this kind; None (the reason kept) if it is down.

        Redis: a key prefix of its own (`?global_keyprefix=`, which the generated settings
        understand), since its 16 numbered databases would not last a test run. RabbitMQ: a
        virtual host of its own, with the permissions of the URL's user.
        """
        name = f"tpl_{uuid.uuid4().hex[:12]}"
        try:
            if kind == "redis":
                import redis

                with redis.Redis.from_url(
                    self.redis_database, socket_connect_timeout=CONNECT_TIMEOUT
                ) as client:
                    client.ping()
                self.created.append((kind, name))
                query = urlencode({"global_keyprefix": f"{name}:"})
                return urlunsplit(urlsplit(self.redis_database)._replace(query=query))
            user = urlsplit(self.rabbitmq).username or "guest"
            rabbitmqctl("add_vhost", name)
            self.created.append((kind, name))
            rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        except Exception as error:  # any failure means the broker is not usable
            self.errors[kind] = repr(error)
            return None
        return with_path(self.rabbitmq, f"/{name}")

    def cleanup(self) -> None:
        """Drop every database and namespace made for this run; best effort, servers may be gone."""
        for kind, name in self.created:
            with contextlib.suppress(Exception):
                if kind == "redis":
                    self.delete_redis_keys(f"{name}:")
                elif kind == "rabbitmq":
                    rabbitmqctl("delete_vhost", name)
                else:
                    force = " WITH (FORCE)" if kind == "postgresql" else ""
                    self.execute(kind, f"DROP DATABASE IF EXISTS {name}{force}")

    @property
    def redis_database(self) -> str:
        """The Redis URL with a database number: the one it names, else 0."""
        return self.redis if urlsplit(self.redis).path.strip("/") else with_path(self.redis, "/0")

    def delete_redis_keys(self, prefix: str) -> None:
        """Delete every key under a prefix."""
        import redis

        with redis.Redis.from_url(self.redis_database) as client:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)


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
