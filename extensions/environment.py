"""The one declaration of the generated service's environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from extensions.catalogue import Broker, Database, Framework


@dataclass(frozen=True)
class EnvVar:
    """One environment variable of the generated service, as documented everywhere it appears."""

    name: str
    meaning: str
    example: str
    development_default: str | None
    # The type and default of its field in the settings class (config.py), as Python.
    setting: str
    required_in_production: bool = False
    secret: bool = False
    # What compose.yaml sets, where it differs from the development default (e.g. host names).
    compose_value: str | None = None
    # For a URL: the schemes it may have (the update report checks .env against them).
    url_schemes: tuple[str, ...] = ()


FRAMEWORK_VARIABLES: dict[str, EnvVar] = {}

# Read where the server hands a WSGI application's requests to threads (wsgi_bridge.py).
WEB_THREADS = EnvVar(
    "WEB_THREADS",
    "Threads per web worker process that run the application, each on a request that has fully "
    "arrived: more suit views that wait on the network, fewer cost less CPU per request.",
    "4",
    "4",
    "int = Field(default=4, ge=1)",
)


def env_vars(
    package: str,
    framework: Framework,
    database: Database | None,
    broker: Broker | None,
    slug: str = "",
) -> list[EnvVar]:
    """Declare every environment variable the generated service reads, for these answers."""
    variables = [
        EnvVar(
            "APP_ENV",
            "Where the process runs: development, test or production.",
            "production",
            "development",
            'Literal["development", "test", "production"] = "development"',
        ),
        EnvVar(
            "PORT",
            "TCP port the web process listens on, on every interface.",
            "8000",
            "8000",
            "int = Field(default=8000, ge=1, le=65535)",
        ),
        EnvVar(
            "WEB_CONCURRENCY",
            "Number of web server worker processes.",
            "2",
            "2",
            "int = Field(default=2, ge=1)",
        ),
        *([WEB_THREADS] if framework.serves_wsgi else []),
        EnvVar(
            "GRACEFUL_TIMEOUT",
            "Seconds that in-flight requests get to finish after SIGTERM.",
            "25",
            "25",
            "int = Field(default=25, ge=1)",
        ),
        EnvVar(
            "LOG_LEVEL",
            "Lowest level that is logged: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
            "INFO",
            "INFO",
            'Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"',
        ),
        EnvVar(
            "LOG_FORMAT",
            "Log lines as text (readable; the default when APP_ENV=development) "
            "or json (the default otherwise).",
            "json",
            None,
            'Literal["text", "json"] | None = None',
        ),
        EnvVar(
            "SECRET_KEY",
            "Key for signing sessions and tokens; long and random in production.",
            "change-me-to-a-long-random-string",
            "insecure-development-key",
            "SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)",
            required_in_production=True,
            secret=True,
        ),
        EnvVar(
            "RELEASE",
            "Identifier of the running release (a git SHA or version), shown by /healthz.",
            "",
            None,
            "str | None = None",
        ),
        *telemetry_env_vars(slug or package.replace("_", "-")),
    ]
    variables += [
        EnvVar(
            "ALLOWED_HOSTS",
            "Comma-separated host names the service answers to (probes answer any host).",
            "api.example.com",
            "localhost,127.0.0.1,[::1]",
            'str = "localhost,127.0.0.1,[::1]"',
            required_in_production=True,
        ),
        EnvVar(
            "MAX_BODY_SIZE",
            "Largest request body in bytes; a larger one is refused with 413 before it is read.",
            "1048576",
            "1048576",
            "int = Field(default=1_048_576, ge=1)",
        ),
        EnvVar(
            "REQUEST_TIMEOUT",
            "Seconds the application gets to answer a request before the server answers 503 "
            "in its place (the client may retry).",
            "30",
            "30",
            "float = Field(default=30, gt=0)",
        ),
        EnvVar(
            "API_DOCS",
            "Serve the interactive API docs in production too (true or false); "
            "other environments always do.",
            "False",
            "False",
            "bool = False",
        ),
    ]
    variables += [FRAMEWORK_VARIABLES[name] for name in framework.own_variables]
    if database is not None:
        url = database.url_example.format(name=package)
        in_compose = (
            f"sqlite:////data/{package}.db"
            if database.is_file
            else url.replace("@localhost:", "@db:")
        )
        accepted = " or ".join(f"{scheme}://" for scheme in database.url_schemes)
        database_meaning = (
            "Where the SQLite file is: sqlite:///relative.db or sqlite:////absolute/path.db."
            if database.is_file
            else f"Where the database is ({accepted} URLs are accepted)."
        )
        variables.append(
            EnvVar(
                "DATABASE_URL",
                database_meaning,
                url,
                url,
                secret_url_setting(url),
                required_in_production=True,
                secret=not database.is_file,
                compose_value=in_compose,
                url_schemes=database.url_schemes,
            )
        )
        variables.append(
            EnvVar(
                "DATABASE_TIMEOUT",
                "Seconds a query (or, for SQLite, a wait for another writer's lock) may take "
                "before it fails and the request is answered with 503.",
                "5",
                "5",
                "float = Field(default=5, gt=0)",
            )
        )
    if broker is not None:
        variables += [
            EnvVar(
                "BROKER_URL",
                broker.url_meaning,
                broker.url_example,
                broker.url_example,
                secret_url_setting(broker.url_example),
                required_in_production=True,
                secret=True,
                compose_value=broker.url_example.replace("@localhost:", "@broker:").replace(
                    "//localhost:", "//broker:"
                ),
                url_schemes=broker.url_schemes,
            ),
            EnvVar(
                "WORKER_CONCURRENCY",
                "Number of jobs one worker process runs at once.",
                "2",
                "2",
                "int = Field(default=2, ge=1)",
            ),
            EnvVar(
                "JOB_QUEUE",
                "Queue the jobs go through; services that share a broker need names of their own.",
                package,
                package,
                f'str = Field(default="{package}", min_length=1, max_length=200)',
            ),
            EnvVar(
                "JOB_TIME_LIMIT",
                "Seconds a job may run before it is stopped (and retried).",
                "300",
                "300",
                "int = Field(default=300, ge=1)",
            ),
            EnvVar(
                "WORKER_HEARTBEAT_TIMEOUT",
                "Seconds after which a worker whose consumer loop has not run counts as stuck "
                "(`worker-alive` fails and Kubernetes restarts it).",
                "60",
                "60",
                "int = Field(default=60, ge=1)",
            ),
        ]
        if broker.redelivers_after_timeout:
            # The broker has no acknowledgements of its own: kombu gives an unacknowledged job to
            # another worker once this long has passed, so it must outlast every job.
            variables.append(
                EnvVar(
                    "BROKER_VISIBILITY_TIMEOUT",
                    "Seconds before a job taken by a worker that died is given to another worker; "
                    "longer than JOB_TIME_LIMIT.",
                    "3600",
                    "3600",
                    "int = Field(default=3600, ge=1)",
                )
            )
    return variables


def secret_url_setting(url: str) -> str:
    """A URL setting's field: secret, its development default on a line of its own."""
    return f'SecretStr = SecretStr(\n        "{url}",\n    )'


def telemetry_env_vars(slug: str) -> list[EnvVar]:
    """The variables of traces, metrics and error reports: all off or local until one is set."""
    return [
        EnvVar(
            "METRICS_PORT",
            "TCP port where web and worker processes serve Prometheus metrics at /metrics; "
            "0 turns it off.",
            "9464",
            "9464",
            "int = Field(default=9464, ge=0, le=65535)",
        ),
        EnvVar(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "Base URL of an OTLP/HTTP receiver (an OpenTelemetry Collector listens on port 4318); "
            "unset or empty, no trace or metric is exported.",
            "http://otel-collector:4318",
            None,
            "str | None = None",
        ),
        EnvVar(
            "OTEL_SERVICE_NAME",
            f"Service name on traces and metrics (default: {slug}).",
            slug,
            None,
            "str | None = None",
        ),
        EnvVar(
            "OTEL_RESOURCE_ATTRIBUTES",
            "More attributes of every trace and metric, as key=value pairs separated by commas.",
            "deployment.environment.name=production,service.namespace=shop",
            None,
            "str | None = None",
        ),
        EnvVar(
            "OTEL_TRACES_SAMPLER",
            "Which traces are kept (default: parentbased_always_on); "
            "e.g. parentbased_traceidratio.",
            "parentbased_traceidratio",
            None,
            "str | None = None",
        ),
        EnvVar(
            "OTEL_TRACES_SAMPLER_ARG",
            "The sampler's argument, e.g. 0.1 to keep one trace in ten.",
            "0.1",
            None,
            "str | None = None",
        ),
        EnvVar(
            "SENTRY_DSN",
            "Where error reports go: the DSN of a Sentry (or Sentry-protocol) project; "
            "unset or empty, nothing is reported and the Sentry SDK is not loaded.",
            "https://public-key@sentry.example.com/1",
            None,
            "SecretStr | None = None",
        ),
    ]
