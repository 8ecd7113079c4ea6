"""One typed catalogue per answer: every fact the templates, the tests, compose and CI need.

Templates ask these entries for facts and capabilities (`database.is_file`,
`broker.redelivers_after_timeout`); they never compare answer names.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Service:
    """A backing service as compose.yaml and the generated CI workflow run it."""

    image: str
    # Values may name the package: "{package}".
    environment: tuple[tuple[str, str], ...]
    # The first is the service's own port; the others are compose-only extras (e.g. a console).
    ports: tuple[int, ...]
    # The check a container runtime runs, e.g. ("CMD", "redis-cli", "ping").
    health_test: tuple[str, ...]
    health_interval: str = "2s"
    health_timeout: str = "5s"
    # Where the server keeps its data, on a named volume ("" when nothing needs keeping).
    data_path: str = ""

    @property
    def health_command(self) -> str:
        """The health check as one shell command line (GitHub Actions' --health-cmd)."""
        return " ".join(self.health_test[1:])


@dataclass(frozen=True)
class LocalServer:
    """A server on the test machine's loopback: where the tests find it, how CI starts it."""

    # Where the tests find it unless TEST_<NAME>_URL says otherwise (tests/services.py).
    url: str
    # A shell command that starts it when nothing listens on its port (.ci/run, on Debian).
    start: str

    @property
    def port(self) -> int:
        """The port it listens on, from its URL."""
        port = urlsplit(self.url).port
        assert port is not None, f"{self.url} names no port"
        return port


@dataclass(frozen=True)
class Framework:
    """What the template needs to know about one answer to the `framework` question."""

    name: str
    label: str
    # The application gunicorn's uvicorn workers serve, e.g. "{package}.app:app".
    web_app: str
    requirements: tuple[str, ...]
    dev_requirements: tuple[str, ...]
    # The folders of template/ this framework's code comes from (the `code_folder` filter).
    code_folders: tuple[str, ...]
    # An ASGI app (tested through Starlette's TestClient), not WSGI (httpx's WSGI transport).
    is_asgi: bool = False
    # Its own ORM and migrations (Django) rather than SQLAlchemy and Alembic.
    has_own_orm: bool = False
    # Its own management commands and settings module, which `<pkg> manage` runs.
    has_management_commands: bool = False
    # The module whose OperationalError is the ORM's error for a database that fails.
    orm_errors_module: str = "sqlalchemy.exc"
    # Commands the image runs once, at build time, after installing the project.
    build_steps: tuple[str, ...] = ()
    # A WSGI application, which the uvicorn workers run in threads (the generated wsgi_bridge.py).
    serves_wsgi: bool = False
    # It checks the Host header against ALLOWED_HOSTS itself (else the request guard does).
    checks_hosts_itself: bool = False
    # An admin site of HTML forms at /admin/, exempt from the JSON-only rule.
    has_admin_site: bool = False
    # mypy plugins that teach the type checker what the framework's metaclasses and settings add.
    mypy_plugins: tuple[str, ...] = ("pydantic.mypy",)
    # pytest filterwarnings entries for the framework's own deprecation notices about its tools.
    ignored_test_warnings: tuple[str, ...] = ()
    # Environment variables only this framework reads (names of extensions/environment.py).
    own_variables: tuple[str, ...] = ()
    # The maintained OpenTelemetry instrumentation of the framework.
    tracing_requirement: str = ""
    # Its API package serves the probes too (django-ninja's one API object), so every variant has
    # one, where the others have an API package only for the items or the jobs.
    api_serves_probes: bool = False


@dataclass(frozen=True)
class Database:
    """What the template needs to know about one answer to the `database` question."""

    name: str
    label: str
    sqlalchemy_scheme: str
    # The URL schemes platforms hand out for it, and example URLs of them for the tests.
    url_schemes: tuple[str, ...]
    url_kind: str
    accepted_urls: tuple[str, ...]
    driver_requirement: str
    url_example: str
    default_port: int
    # How compose and CI run a server of it, and where the tests find one (None for a file).
    service: Service | None
    local_server: LocalServer | None
    # Django's database backend ("" when Django does not use it through a URL).
    django_engine: str = ""
    # A database every server has, to connect to for CREATE/DROP DATABASE in tests.
    admin_database: str = ""
    # How the tests drop a database they made, `{name}` its name, even with connections left open.
    drop_statement: str = ""
    # How to ask whether a database exists ({name}: the driver's parameter) and to create one.
    exists_query: str = ""
    create_statement: str = ""
    # What the driver's connection errors say, by cause (regular expressions over their text).
    missing_database_error: str = ""
    refused_credentials_error: str = ""
    unreachable_error: str = ""
    # A URL of another database kind, which the settings must refuse.
    foreign_url: str = ""
    # How Django's DATABASES entry is built from URLs: test cases, as formatted Python source.
    django_url_cases: tuple[str, ...] = ()
    # An example of driver options in the URL's query, for the docs.
    url_query_example: str = ""
    # The driver waits on reads under a read timeout of its own (PyMySQL): set it, and shorten it
    # for readiness probes.
    has_read_timeout: bool = False
    # The server closes idle connections (MySQL's wait_timeout): the pool recycles them first.
    closes_idle_connections: bool = False
    # A file on one disk (SQLite): no server, and every process type runs as a single copy.
    is_file: bool = False
    # Where Django needs another version of the driver than SQLAlchemy does ("" when the same).
    django_driver_requirement: str = ""
    # Type information for the driver Django's settings import by name ("" when none is imported).
    django_driver_stubs_requirement: str = ""
    # The OpenTelemetry instrumentation of the driver Django talks to (SQLAlchemy has its own),
    # as a requirement and as `module:Instrumentor`.
    django_tracing_requirement: str = ""
    django_tracing_instrumentor: str = ""


@dataclass(frozen=True)
class Broker:
    """What the template needs to know about one answer to the `queue` question."""

    name: str
    label: str
    url_example: str
    url_meaning: str
    requirement: str
    # How compose and CI run it, and where the template's tests find one.
    service: Service
    local_server: LocalServer
    # How the tests give each generated project a namespace of its own on one server: "key prefix"
    # or "virtual host" (tests/services.py has a recipe for each).
    test_namespace: str
    # The URL schemes the settings accept, and example URLs of them for the tests.
    url_schemes: tuple[str, ...]
    url_kind: str
    accepted_urls: tuple[str, ...]
    # A URL of another broker kind, which the settings must refuse, and one nothing listens on.
    foreign_url: str
    closed_url: str
    # When a job held by a worker that died runs again, as the README words it.
    redelivery: str
    # The module of what the jobs need from this broker (kombu's settings, the records of
    # idempotent jobs), `src/<pkg>/<module>.py`, tested by `tests/test_<module>.py`.
    module: str
    # No acknowledgements of its own: a job held by a dead worker comes back after a timeout.
    redelivers_after_timeout: bool = False
    # Keys can be put under a per-service prefix (?global_keyprefix=).
    has_key_prefix: bool = False


FRAMEWORKS: dict[str, Framework] = {
    "fastapi": Framework(
        name="fastapi",
        tracing_requirement="opentelemetry-instrumentation-fastapi>=0.66b1",
        label="FastAPI",
        web_app="{package}.app:app",
        requirements=("fastapi>=0.165",),
        dev_requirements=("httpx>=0.28",),
        # Starlette's test client prefers httpx2 and warns when it runs on httpx; the shared tests
        # type their client as httpx's, which the WSGI frameworks' clients are.
        ignored_test_warnings=("ignore:Using `httpx` with `starlette.testclient` is deprecated",),
        code_folders=("fastapi", "sqlalchemy"),
        is_asgi=True,
    ),
    "flask": Framework(
        name="flask",
        tracing_requirement="opentelemetry-instrumentation-flask>=0.66b1",
        label="Flask",
        web_app="{package}.app:create_app()",
        # APIFlask 3 validates and documents pydantic models, the same ones FastAPI would use.
        requirements=("apiflask>=3.1", "flask>=3.1"),
        dev_requirements=("httpx>=0.28",),
        code_folders=("flask", "sqlalchemy"),
        serves_wsgi=True,
    ),
    "django": Framework(
        name="django",
        tracing_requirement="opentelemetry-instrumentation-django>=0.66b1",
        label="Django",
        web_app="{package}.wsgi:application",
        requirements=("django>=5.2", "django-ninja>=1.6", "whitenoise>=6.8"),
        # django-stubs' mypy plugin knows what Django's metaclasses add to models and settings.
        dev_requirements=("django-stubs>=5.2", "httpx>=0.28", "pytest-django>=4.9"),
        code_folders=("django",),
        has_own_orm=True,
        has_management_commands=True,
        orm_errors_module="django.db",
        # Gather the static files WhiteNoise serves, so that no process writes them at run time.
        build_steps=("{package} manage collectstatic --no-input",),
        serves_wsgi=True,
        checks_hosts_itself=True,
        has_admin_site=True,
        api_serves_probes=True,
        mypy_plugins=("pydantic.mypy", "mypy_django_plugin.main"),
    ),
}

DATABASES: dict[str, Database] = {
    "postgresql": Database(
        name="postgresql",
        django_tracing_requirement="opentelemetry-instrumentation-psycopg>=0.66b1",
        django_tracing_instrumentor="opentelemetry.instrumentation.psycopg:PsycopgInstrumentor",
        label="PostgreSQL",
        sqlalchemy_scheme="postgresql+psycopg",
        url_schemes=("postgres", "postgresql"),
        url_kind="a postgres:// or postgresql:// URL",
        accepted_urls=(
            "postgres://user:pw@db.example.com:5432/app",
            "postgresql://user:pw@db.example.com/app",
        ),
        driver_requirement="psycopg[binary,pool]>=3.2",
        url_example="postgresql://postgres:postgres@localhost:5432/{name}",
        default_port=5432,
        service=Service(
            image="postgres:17",
            environment=(
                ("POSTGRES_USER", "postgres"),
                ("POSTGRES_PASSWORD", "postgres"),
                ("POSTGRES_DB", "{package}"),
            ),
            ports=(5432,),
            health_test=("CMD-SHELL", "pg_isready -U postgres -d {package}"),
            data_path="/var/lib/postgresql/data",
        ),
        local_server=LocalServer(
            url="postgresql://postgres@127.0.0.1:5432/postgres",
            start='pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start',
        ),
        django_engine="django.db.backends.postgresql",
        admin_database="postgres",
        drop_statement="DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        exists_query="SELECT 1 FROM pg_database WHERE datname = {name}",
        create_statement="CREATE DATABASE {name}",
        missing_database_error="database .+ does not exist",
        refused_credentials_error="authentication failed|role .+ does not exist|no password",
        unreachable_error="Connection refused|timeout expired|could not translate host",
        url_query_example="?sslmode=require",
        django_url_cases=(
            """(
    "postgres://user:p%40ss@db.example.com:5433/app",
    {"NAME": "app", "USER": "user", "PASSWORD": "p@ss", "HOST": "db.example.com"},
),""",
            """(
    "postgresql://user@db.example.com/app?sslmode=require",
    {
        "PORT": "",
        "OPTIONS": {
            "connect_timeout": 2,
            "options": "-c statement_timeout=5000",
            "sslmode": "require",
        },
    },
),""",
        ),
        foreign_url="mysql://u@h/db",
    ),
    "mysql": Database(
        name="mysql",
        django_tracing_requirement="opentelemetry-instrumentation-pymysql>=0.66b1",
        django_tracing_instrumentor="opentelemetry.instrumentation.pymysql:PyMySQLInstrumentor",
        label="MySQL",
        sqlalchemy_scheme="mysql+pymysql",
        url_schemes=("mysql", "mariadb"),
        url_kind="a mysql:// URL",
        accepted_urls=(
            "mysql://user:pw@db.example.com:3306/app",
            "mariadb://user:pw@db.example.com/app",
        ),
        # The rsa extra brings cryptography, which MySQL 8's default authentication needs.
        driver_requirement="pymysql[rsa]>=1.1",
        url_example="mysql://root:mysql@localhost:3306/{name}",
        default_port=3306,
        service=Service(
            image="mysql:8.4",
            environment=(("MYSQL_ROOT_PASSWORD", "mysql"), ("MYSQL_DATABASE", "{package}")),
            ports=(3306,),
            health_test=("CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "-pmysql"),
            data_path="/var/lib/mysql",
        ),
        local_server=LocalServer(
            url="mysql://root@127.0.0.1:3306/",
            start="start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
        ),
        django_engine="django.db.backends.mysql",
        admin_database="information_schema",
        drop_statement="DROP DATABASE IF EXISTS {name}",
        exists_query="SELECT 1 FROM information_schema.schemata WHERE schema_name = {name}",
        create_statement="CREATE DATABASE {name} CHARACTER SET utf8mb4",
        missing_database_error="Unknown database",
        refused_credentials_error="Access denied",
        unreachable_error="Can.t connect|Unknown MySQL server host|Lost connection",
        url_query_example="?ssl_ca=/etc/ssl/certs/ca-certificates.crt",
        django_url_cases=(
            """(
    "mysql://user:p%40ss@db.example.com:3307/app",
    {"NAME": "app", "USER": "user", "PASSWORD": "p@ss", "HOST": "db.example.com"},
),""",
            """("mariadb://user@db.example.com/app", {"NAME": "app", "PORT": ""}),""",
        ),
        has_read_timeout=True,
        closes_idle_connections=True,
        foreign_url="postgresql://u@h/db",
        # Django's MySQL backend is written for mysqlclient, a C extension with no Linux wheels: it
        # must be compiled against the MySQL client library, on every machine and in the image.
        # PyMySQL stands in for it (pymysql.install_as_MySQLdb()); from 1.2 on it reports the
        # mysqlclient version Django 5.1+ checks for (2.2.1 or newer).
        django_driver_requirement="pymysql[rsa]>=1.2",
        django_driver_stubs_requirement="types-pymysql>=1.1",
    ),
    "sqlite": Database(
        name="sqlite",
        django_tracing_requirement="opentelemetry-instrumentation-sqlite3>=0.66b1",
        django_tracing_instrumentor="opentelemetry.instrumentation.sqlite3:SQLite3Instrumentor",
        label="SQLite",
        sqlalchemy_scheme="sqlite",
        url_schemes=("sqlite",),
        url_kind="sqlite:///relative.db or sqlite:////absolute.db",
        accepted_urls=("sqlite:///relative.db", "sqlite:////absolute/path.db"),
        driver_requirement="",
        url_example="sqlite:///{name}.db",
        default_port=0,
        service=None,
        local_server=None,
        django_engine="django.db.backends.sqlite3",
        django_url_cases=(
            """("sqlite:///relative.db", {"NAME": "relative.db"}),""",
            """("sqlite:////absolute/path.db", {"NAME": "/absolute/path.db"}),""",
        ),
        foreign_url="postgresql://u@h/db",
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
        requirement="celery[redis]>=5.5",
        service=Service(
            image="redis:7", environment=(), ports=(6379,), health_test=("CMD", "redis-cli", "ping")
        ),
        local_server=LocalServer(
            url="redis://127.0.0.1:6379",
            start=(
                'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
                "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
            ),
        ),
        test_namespace="key prefix",
        url_schemes=("redis", "rediss"),
        url_kind="a redis:// or rediss:// URL",
        accepted_urls=("redis://localhost:6379/0", "rediss://:secret@redis.example.com:6380/1"),
        foreign_url="amqp://guest:guest@localhost:5672//",
        closed_url="redis://127.0.0.1:1/0",
        redelivery="soon after `BROKER_VISIBILITY_TIMEOUT` has passed",
        module="redis_broker",
        redelivers_after_timeout=True,
        has_key_prefix=True,
    ),
    "rabbitmq": Broker(
        name="rabbitmq",
        label="RabbitMQ",
        url_example="amqp://guest:guest@localhost:5672//",
        url_meaning="Where the RabbitMQ broker is (amqp:// or amqps://); the path names the vhost.",
        requirement="celery>=5.5",
        service=Service(
            image="rabbitmq:4-management",
            environment=(),
            ports=(5672, 15672),
            health_test=("CMD", "rabbitmq-diagnostics", "-q", "ping"),
            health_interval="5s",
            health_timeout="10s",
        ),
        local_server=LocalServer(
            url="amqp://guest:guest@127.0.0.1:5672/", start="rabbitmq-server -detached"
        ),
        test_namespace="virtual host",
        url_schemes=("amqp", "amqps"),
        url_kind="an amqp:// or amqps:// URL",
        accepted_urls=(
            "amqp://guest:guest@localhost:5672//",
            "amqps://user:secret@mq.example.com/orders",
        ),
        foreign_url="redis://localhost:6379/0",
        closed_url="amqp://guest:guest@127.0.0.1:1//",
        redelivery="as soon as RabbitMQ sees the connection drop",
        module="rabbitmq_broker",
    ),
}
