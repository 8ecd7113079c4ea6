"""One typed catalogue per answer: every fact the templates, the tests, compose and CI need.

Templates ask these entries for facts and capabilities (`database.is_file`,
`broker.redelivers_after_timeout`); they never compare answer names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    """What the template needs to know about one answer to the `framework` question."""

    name: str
    label: str
    # gunicorn's application and worker class, e.g. "{package}.app:app".
    web_app: str
    web_worker_class: str
    requirements: tuple[str, ...]
    dev_requirements: tuple[str, ...]
    # The folders of template/ this framework's code comes from (the `code_folder` filter).
    code_folders: tuple[str, ...]
    # Its own ORM and migrations (Django) rather than SQLAlchemy and Alembic.
    has_own_orm: bool = False
    # Commands the image runs once, at build time, after installing the project.
    build_steps: tuple[str, ...] = ()
    # Environment variables only this framework reads (names of extensions/environment.py).
    own_variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Database:
    """What the template needs to know about one answer to the `database` question."""

    name: str
    label: str
    sqlalchemy_scheme: str
    driver_requirement: str
    url_example: str
    compose_image: str
    default_port: int
    # A file on one disk (SQLite): no server, and every process type runs as a single copy.
    is_file: bool = False
    # Where Django needs another version of the driver than SQLAlchemy does ("" when the same).
    django_driver_requirement: str = ""


@dataclass(frozen=True)
class Broker:
    """What the template needs to know about one answer to the `queue` question."""

    name: str
    label: str
    url_example: str
    url_meaning: str
    compose_image: str
    default_port: int
    requirement: str
    # No acknowledgements of its own: a job held by a dead worker comes back after a timeout.
    redelivers_after_timeout: bool = False
    # Keys can be put under a per-service prefix (?global_keyprefix=).
    has_key_prefix: bool = False


FRAMEWORKS: dict[str, Framework] = {
    "fastapi": Framework(
        name="fastapi",
        label="FastAPI",
        web_app="{package}.app:app",
        web_worker_class="uvicorn_worker.UvicornWorker",
        requirements=("fastapi>=0.121", "uvicorn[standard]>=0.32", "uvicorn-worker>=0.3"),
        dev_requirements=("httpx>=0.28",),
        code_folders=("fastapi", "sqlalchemy"),
    ),
    "flask": Framework(
        name="flask",
        label="Flask",
        web_app="{package}.app:create_app()",
        web_worker_class="gthread",
        # APIFlask 3 validates and documents pydantic models, the same ones FastAPI would use.
        requirements=("apiflask>=3.1", "flask>=3.1"),
        dev_requirements=("httpx>=0.28",),
        code_folders=("flask", "sqlalchemy"),
    ),
    "django": Framework(
        name="django",
        label="Django",
        web_app="{package}.wsgi:application",
        web_worker_class="gthread",
        requirements=("django>=5.2", "django-ninja>=1.6", "whitenoise>=6.8"),
        dev_requirements=("httpx>=0.28", "pytest-django>=4.9"),
        code_folders=("django",),
        has_own_orm=True,
        # Gather the static files WhiteNoise serves, so that no process writes them at run time.
        build_steps=("{package} manage collectstatic --no-input",),
        own_variables=("ALLOWED_HOSTS",),
    ),
}

DATABASES: dict[str, Database] = {
    "postgresql": Database(
        name="postgresql",
        label="PostgreSQL",
        sqlalchemy_scheme="postgresql+psycopg",
        driver_requirement="psycopg[binary,pool]>=3.2",
        url_example="postgresql://postgres:postgres@localhost:5432/{name}",
        compose_image="postgres:17",
        default_port=5432,
    ),
    "mysql": Database(
        name="mysql",
        label="MySQL",
        sqlalchemy_scheme="mysql+pymysql",
        # The rsa extra brings cryptography, which MySQL 8's default authentication needs.
        driver_requirement="pymysql[rsa]>=1.1",
        url_example="mysql://root:mysql@localhost:3306/{name}",
        compose_image="mysql:8.4",
        default_port=3306,
        # Django's MySQL backend is written for mysqlclient, a C extension with no Linux wheels: it
        # must be compiled against the MySQL client library, on every machine and in the image.
        # PyMySQL stands in for it (pymysql.install_as_MySQLdb()); from 1.2 on it reports the
        # mysqlclient version Django 5.1+ checks for (2.2.1 or newer).
        django_driver_requirement="pymysql[rsa]>=1.2",
    ),
    "sqlite": Database(
        name="sqlite",
        label="SQLite",
        sqlalchemy_scheme="sqlite",
        driver_requirement="",
        url_example="sqlite:///{name}.db",
        compose_image="",
        default_port=0,
        is_file=True,
    ),
}

BROKERS: dict[str, Broker] = {
    "redis": Broker(
        name="redis",
        label="Redis",
        url_example="redis://localhost:6379/0",
        url_meaning=(
            "Where the Redis broker is (redis:// or rediss://); "
            "?global_keyprefix=name: puts every key of this service under a prefix."
        ),
        compose_image="redis:7",
        default_port=6379,
        requirement="celery[redis]>=5.5",
        redelivers_after_timeout=True,
        has_key_prefix=True,
    ),
    "rabbitmq": Broker(
        name="rabbitmq",
        label="RabbitMQ",
        url_example="amqp://guest:guest@localhost:5672//",
        url_meaning="Where the RabbitMQ broker is (amqp:// or amqps://); the path names the vhost.",
        compose_image="rabbitmq:4-management",
        default_port=5672,
        requirement="celery>=5.5",
    ),
}
