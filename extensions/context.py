"""Facts derived from the answers, computed once and used by name in every template file."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from copier_template_extensions import ContextHook
from jinja2 import Environment
from jinja2.ext import Extension

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# Longer names would push generated lines past the line length of the generated code style.
MAX_NAME_LENGTH = 40
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Python packages names that would shadow a dependency of every generated project.
RESERVED_PACKAGE_NAMES = frozenset(
    {
        "app",
        "tests",
        "migrations",
        "alembic",
        "sqlalchemy",
        "fastapi",
        "flask",
        "django",
        "celery",
        "gunicorn",
        "uvicorn",
        "pydantic",
        "pydantic_settings",
        "redis",
        "kombu",
        "ninja",
        "whitenoise",
        "pymysql",
        "psycopg",
    }
)


@dataclass(frozen=True)
class Database:
    """What the template needs to know about one answer to the `database` question."""

    sqlalchemy_scheme: str
    driver_requirement: str
    url_example: str
    compose_image: str
    default_port: int
    # Where Django needs another version of the driver than SQLAlchemy does ("" when the same).
    django_driver_requirement: str = ""


@dataclass(frozen=True)
class Broker:
    """What the template needs to know about one answer to the `queue` question."""

    url_example: str
    url_meaning: str
    compose_image: str
    default_port: int
    requirement: str


@dataclass(frozen=True)
class EnvVar:
    """One environment variable of the generated service, as documented everywhere it appears."""

    name: str
    meaning: str
    example: str
    development_default: str | None
    required_in_production: bool = False
    secret: bool = False
    # What compose.yaml sets, where it differs from the development default (e.g. host names).
    compose_value: str | None = None


DATABASES: dict[str, Database] = {
    "postgresql": Database(
        sqlalchemy_scheme="postgresql+psycopg",
        driver_requirement="psycopg[binary,pool]>=3.2",
        url_example="postgresql://postgres:postgres@localhost:5432/{name}",
        compose_image="postgres:17",
        default_port=5432,
    ),
    "mysql": Database(
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
        sqlalchemy_scheme="sqlite",
        driver_requirement="",
        url_example="sqlite:///{name}.db",
        compose_image="",
        default_port=0,
    ),
}

BROKERS: dict[str, Broker] = {
    "redis": Broker(
        url_example="redis://localhost:6379/0",
        url_meaning=(
            "Where the Redis broker is (redis:// or rediss://); "
            "?global_keyprefix=name: puts every key of this service under a prefix."
        ),
        compose_image="redis:7",
        default_port=6379,
        requirement="celery[redis]>=5.5",
    ),
    "rabbitmq": Broker(
        url_example="amqp://guest:guest@localhost:5672//",
        url_meaning="Where the RabbitMQ broker is (amqp:// or amqps://); the path names the vhost.",
        compose_image="rabbitmq:4-management",
        default_port=5672,
        requirement="celery>=5.5",
    ),
}

WEB_TARGETS: dict[str, tuple[str, bool]] = {
    # framework: (the application gunicorn's uvicorn workers serve, whether it is WSGI)
    "fastapi": ("{package}.app:app", False),
    "flask": ("{package}.app:create_app()", True),
    "django": ("{package}.wsgi:application", True),
}


LABELS = {
    "fastapi": "FastAPI",
    "flask": "Flask",
    "django": "Django",
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "sqlite": "SQLite",
    "redis": "Redis",
    "rabbitmq": "RabbitMQ",
}

COMMAND_HELP = {
    "web": "Serve HTTP on 0.0.0.0:$PORT until SIGTERM, then let in-flight requests finish.",
    "release": "Run once per release, before new web processes start: apply migrations.",
    "migrate": "Apply pending database migrations; running it again does nothing.",
    "worker": "Consume jobs from $BROKER_URL until SIGTERM, then finish the current job.",
    "worker-alive": "Exit 1 if the worker's consumer loop is stuck: the liveness probe.",
    "scheduler": "Send the periodic jobs on time; run exactly one of these.",
    "check": (
        "Check the configuration and every backing service; exit 1 with a one-line reason if not."
    ),
    "shell": "Open a Python shell with the settings loaded.",
    "manage": "Run one of Django's management commands, e.g. `manage createsuperuser`.",
}

# Commands the image runs once, at build time, after installing the project (Django: gather the
# static files WhiteNoise serves, so that no process writes them at run time).
BUILD_STEPS: dict[str, list[str]] = {
    "django": ["{package} manage collectstatic --no-input"],
}


# Process types of which exactly one copy may run: two schedulers would send every job twice.
SINGLETON_PROCESS_TYPES = frozenset({"scheduler"})


def deployment_facts(process_types: dict[str, str], database_answer: str) -> dict[str, Any]:
    """How the process types run side by side on a cluster, as the deployment manifests need it.

    `release` runs once per release; every other process type runs until it is stopped. A SQLite
    database is a file on one disk, so with it every process type runs as a single copy.
    """
    long_running = [name for name in process_types if name != "release"]
    single = [
        name
        for name in long_running
        if name in SINGLETON_PROCESS_TYPES or database_answer == "sqlite"
    ]
    return {
        "long_running_process_types": long_running,
        "background_process_types": [name for name in long_running if name != "web"],
        "single_copy_process_types": single,
        "autoscaled_process_types": [name for name in long_running if name not in single],
    }


def slugify(text: str) -> str:
    """Turn a human project name into a slug: ASCII, lowercase, words joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_slug(text: str) -> bool:
    """Tell whether text is a valid distribution slug."""
    return len(text) <= MAX_NAME_LENGTH and bool(SLUG_PATTERN.match(text))


def is_package_name(text: str) -> bool:
    """Tell whether text can name the generated Python package and its console script."""
    return (
        len(text) <= MAX_NAME_LENGTH
        and bool(PACKAGE_PATTERN.match(text))
        and not keyword.iskeyword(text)
        and text not in sys.stdlib_module_names
        and text not in RESERVED_PACKAGE_NAMES
    )


def is_email(text: str) -> bool:
    """Tell whether text looks like an e-mail address."""
    return bool(EMAIL_PATTERN.match(text))


def env_vars(
    answers: dict[str, Any], database: Database | None, broker: Broker | None
) -> list[EnvVar]:
    """Declare every environment variable the generated service reads, for these answers."""
    package = answers.get("package_name", "service")
    variables = [
        EnvVar(
            "APP_ENV",
            "Where the process runs: development, test or production.",
            "production",
            "development",
        ),
        EnvVar("PORT", "TCP port the web process listens on, on every interface.", "8000", "8000"),
        EnvVar("WEB_CONCURRENCY", "Number of web server worker processes.", "2", "2"),
        EnvVar(
            "GRACEFUL_TIMEOUT",
            "Seconds that in-flight requests get to finish after SIGTERM.",
            "25",
            "25",
        ),
        EnvVar(
            "LOG_LEVEL",
            "Lowest level that is logged: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
            "INFO",
            "INFO",
        ),
        EnvVar(
            "SECRET_KEY",
            "Key for signing sessions and tokens; long and random in production.",
            "change-me-to-a-long-random-string",
            "insecure-development-key",
            required_in_production=True,
            secret=True,
        ),
        EnvVar(
            "RELEASE",
            "Identifier of the running release (a git SHA or version), shown by /healthz.",
            "",
            None,
        ),
    ]
    variables += [
        EnvVar(
            "ALLOWED_HOSTS",
            "Comma-separated host names the service answers to (probes answer any host).",
            "api.example.com",
            "localhost,127.0.0.1,[::1]",
            required_in_production=True,
        ),
        EnvVar(
            "MAX_BODY_SIZE",
            "Largest request body in bytes; a larger one is refused with 413 before it is read.",
            "1048576",
            "1048576",
        ),
        EnvVar(
            "REQUEST_TIMEOUT",
            "Seconds the application gets to answer a request before the server answers 503 "
            "in its place (the client may retry).",
            "30",
            "30",
        ),
        EnvVar(
            "API_DOCS",
            "Serve the interactive API docs in production too (true or false); "
            "other environments always do.",
            "False",
            "False",
        ),
    ]
    if database is not None:
        url = database.url_example.format(name=package)
        in_compose = (
            f"sqlite:////data/{package}.db"
            if database.sqlalchemy_scheme == "sqlite"
            else url.replace("@localhost:", "@db:")
        )
        variables.append(
            EnvVar(
                "DATABASE_URL",
                "Where the database is (postgres://, postgresql:// or mysql:// URLs are accepted)."
                if answers.get("database") != "sqlite"
                else "Where the SQLite file is: sqlite:///relative.db or sqlite:////absolute/path.db.",
                url,
                url,
                required_in_production=True,
                secret=answers.get("database") != "sqlite",
                compose_value=in_compose,
            )
        )
        variables.append(
            EnvVar(
                "DATABASE_TIMEOUT",
                "Seconds a query (or, for SQLite, a wait for another writer's lock) may take "
                "before it fails and the request is answered with 503.",
                "5",
                "5",
            )
        )
    if broker is not None:
        variables += [
            EnvVar(
                "BROKER_URL",
                broker.url_meaning,
                broker.url_example,
                broker.url_example,
                required_in_production=True,
                secret=True,
                compose_value=broker.url_example.replace("@localhost:", "@broker:").replace(
                    "//localhost:", "//broker:"
                ),
            ),
            EnvVar(
                "WORKER_CONCURRENCY", "Number of jobs one worker process runs at once.", "2", "2"
            ),
            EnvVar(
                "JOB_QUEUE",
                "Queue the jobs go through; services that share a broker need names of their own.",
                package,
                package,
            ),
            EnvVar(
                "JOB_TIME_LIMIT",
                "Seconds a job may run before it is stopped (and retried).",
                "300",
                "300",
            ),
            EnvVar(
                "WORKER_HEARTBEAT_TIMEOUT",
                "Seconds after which a worker whose consumer loop has not run counts as stuck "
                "(`worker-alive` fails and Kubernetes restarts it).",
                "60",
                "60",
            ),
        ]
        if answers.get("queue") == "redis":
            # Redis has no acknowledgements of its own: kombu gives an unacknowledged job to
            # another worker once this long has passed, so it must outlast every job.
            variables.append(
                EnvVar(
                    "BROKER_VISIBILITY_TIMEOUT",
                    "Seconds before a job taken by a worker that died is given to another worker; "
                    "longer than JOB_TIME_LIMIT.",
                    "3600",
                    "3600",
                )
            )
    return variables


FRAMEWORK_REQUIREMENTS: dict[str, list[str]] = {
    "fastapi": ["fastapi>=0.121"],
    # APIFlask 3 validates and documents pydantic models, the same ones FastAPI would use.
    # a2wsgi runs a WSGI application in threads under uvicorn's event loop.
    "flask": ["a2wsgi>=1.10", "apiflask>=3.1", "flask>=3.1"],
    "django": ["a2wsgi>=1.10", "django>=5.2", "django-ninja>=1.6", "whitenoise>=6.8"],
}

FRAMEWORK_DEV_REQUIREMENTS: dict[str, list[str]] = {
    "fastapi": ["httpx>=0.28"],
    "flask": ["httpx>=0.28"],
    "django": ["httpx>=0.28", "pytest-django>=4.9"],
}


def requirements(framework: str, database: Database | None, broker: Broker | None) -> list[str]:
    """The runtime dependencies of a generated project, sorted as a person would keep them."""
    # Every framework is served by uvicorn's workers under gunicorn: a slow client holds a
    # coroutine there, not one of a few threads.
    needed = [
        "gunicorn>=23",
        "pydantic-settings>=2.6",
        "python-json-logger>=3.2",
        "uvicorn[standard]>=0.32",
        "uvicorn-worker>=0.3",
    ]
    needed += FRAMEWORK_REQUIREMENTS.get(framework, [])
    if database is not None:
        driver = (framework == "django" and database.django_driver_requirement) or (
            database.driver_requirement
        )
        if driver:
            needed.append(driver)
        if framework != "django":
            needed += ["alembic>=1.14", "sqlalchemy>=2.0.36"]
    if broker is not None:
        needed.append(broker.requirement)
    return sorted(needed, key=str.lower)


def dev_requirements(framework: str) -> list[str]:
    """The development dependencies of a generated project: tests and lint."""
    needed = ["pytest>=8.3", "ruff>=0.8", *FRAMEWORK_DEV_REQUIREMENTS.get(framework, [])]
    return sorted(needed, key=str.lower)


def derived_context(answers: dict[str, Any]) -> dict[str, Any]:
    """Compute every fact the templates use from the answers given so far."""
    framework = answers.get("framework") or "fastapi"
    database_answer = answers.get("database", "none")
    queue_answer = answers.get("queue", "none")
    package = answers.get("package_name", "service")
    database = DATABASES.get(database_answer)
    broker = BROKERS.get(queue_answer)
    has_database = database is not None
    has_queue = broker is not None

    process_types: dict[str, str] = {}
    if has_database:
        process_types["release"] = f"{package} release"
    process_types["web"] = f"{package} web"
    if has_queue:
        process_types["worker"] = f"{package} worker"
        process_types["scheduler"] = f"{package} scheduler"

    compose_backing_services = []
    if database is not None and database.compose_image:
        compose_backing_services.append("db")
    if broker is not None:
        compose_backing_services.append("broker")

    web_app, web_app_is_wsgi = WEB_TARGETS.get(framework, WEB_TARGETS["fastapi"])
    variables = env_vars(answers, database, broker)
    return {
        "framework_label": LABELS.get(framework, framework),
        "database_label": LABELS.get(database_answer, database_answer),
        "queue_label": LABELS.get(queue_answer, queue_answer),
        "command_help": COMMAND_HELP,
        "has_database": has_database,
        "has_queue": has_queue,
        "uses_sqlalchemy": has_database and framework != "django",
        "uses_server_database": database is not None and bool(database.compose_image),
        "db": asdict(database) if database else None,
        "db_url_example": database.url_example.format(name=package) if database else "",
        "broker": asdict(broker) if broker else None,
        "broker_url_example": broker.url_example if broker else "",
        "process_types": process_types,
        **deployment_facts(process_types, database_answer),
        "compose_backing_services": compose_backing_services,
        "web_app": web_app.format(package=package),
        "web_app_is_wsgi": web_app_is_wsgi,
        "build_steps": [step.format(package=package) for step in BUILD_STEPS.get(framework, [])],
        "env_vars": [asdict(variable) for variable in variables],
        "dependencies": requirements(framework, database, broker),
        "dev_dependencies": dev_requirements(framework),
        "lock_file": f"locks/{framework}-{database_answer}-{queue_answer}.lock",
    }


class DerivedContext(ContextHook):
    """Adds the derived facts to the context of every rendered file and string."""

    def hook(self, context: dict[str, Any]) -> None:
        """Update the Copier context in place; answers may be missing while defaults render."""
        answers = {
            key: context.get(key)
            for key in ("framework", "database", "queue", "package_name")
            if context.get(key) is not None
        }
        context.update(derived_context(answers))


class Filters(Extension):
    """Filters the questions' defaults and validators use."""

    def __init__(self, environment: Environment) -> None:
        """Register the filters on the Jinja environment."""
        super().__init__(environment)
        environment.filters.update(
            slugify=slugify, is_slug=is_slug, is_package_name=is_package_name, is_email=is_email
        )
