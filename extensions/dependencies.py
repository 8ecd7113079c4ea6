"""The dependencies of a generated project, from the catalogue entries of its answers."""

from __future__ import annotations

from extensions.catalogue import Broker, Database, Framework

# The one piece of Jinja in a stored lock (locks/): the generated project's own entry.
PROJECT_IN_LOCK = 'name = "{{ project_slug }}"'

# Traces and metrics over OTLP/HTTP (smaller than gRPC), Prometheus metrics, and error reports.
TELEMETRY_REQUIREMENTS = (
    "opentelemetry-exporter-otlp-proto-http>=1.45",
    "opentelemetry-sdk>=1.45",
    "prometheus-client>=0.21",
    "sentry-sdk>=2.40",
)


def requirements(
    framework: Framework, database: Database | None, broker: Broker | None
) -> list[str]:
    """The runtime dependencies of a generated project, sorted as a person would keep them."""
    # Every framework is served by uvicorn's workers under gunicorn: a slow client holds a
    # coroutine there, not one of a few threads.
    needed = [
        "gunicorn>=23",
        # Every log line is JSON, one per request at INFO: orjson writes it ten times faster.
        "orjson>=3.10",
        "pydantic-settings>=2.6",
        "uvicorn[standard]>=0.32",
        "uvicorn-worker>=0.3",
    ]
    needed += framework.requirements
    needed += [*TELEMETRY_REQUIREMENTS, framework.tracing_requirement]
    if database is not None:
        driver = (framework.has_own_orm and database.django_driver_requirement) or (
            database.driver_requirement
        )
        if driver:
            needed.append(driver)
        if framework.has_own_orm:
            needed.append(database.django_tracing_requirement)
        else:
            # Below 2.1 while the maintained OpenTelemetry instrumentation supports no later one.
            needed += [
                "alembic>=1.14",
                "opentelemetry-instrumentation-sqlalchemy>=0.66b1",
                "sqlalchemy>=2.0.36,<2.1",
            ]
    if broker is not None:
        needed += [broker.requirement, "opentelemetry-instrumentation-celery>=0.66b1"]
    needed = [requirement for requirement in needed if requirement]
    return sorted(needed, key=str.lower)


# The habits of the generated project's repository: type checks, commit hooks (prek runs them from
# .pre-commit-config.yaml, each through `uv run`), the audit of the lock, the workflows' lint and
# the software bill of materials of what the image installs.
TOOLING_DEV_REQUIREMENTS = (
    "cyclonedx-bom>=7",
    "mypy>=1.18",
    "pip-audit>=2.9",
    "pre-commit-hooks>=6",
    "prek>=0.2",
    "types-gunicorn>=23",
    "zizmor>=1.16",
)
# Every broker is reached through Celery, whose own annotations are incomplete.
QUEUE_DEV_REQUIREMENTS = ("celery-types>=0.23",)


def dev_requirements(
    framework: Framework, database: Database | None, broker: Broker | None
) -> list[str]:
    """The development dependencies of a generated project: tests, lint, types and checks."""
    needed = ["pytest>=8.3", "ruff>=0.8", *TOOLING_DEV_REQUIREMENTS, *framework.dev_requirements]
    if database is not None and framework.has_own_orm and database.django_driver_stubs_requirement:
        needed.append(database.django_driver_stubs_requirement)
    if broker is not None:
        needed += QUEUE_DEV_REQUIREMENTS
    return sorted(needed, key=str.lower)
