"""The dependencies of a generated project, from the catalogue entries of its answers."""

from __future__ import annotations

from extensions.catalogue import Broker, Database, Framework


def requirements(
    framework: Framework, database: Database | None, broker: Broker | None
) -> list[str]:
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
    needed += framework.requirements
    if database is not None:
        driver = (framework.has_own_orm and database.django_driver_requirement) or (
            database.driver_requirement
        )
        if driver:
            needed.append(driver)
        if not framework.has_own_orm:
            needed += ["alembic>=1.14", "sqlalchemy>=2.0.36"]
    if broker is not None:
        needed.append(broker.requirement)
    return sorted(needed, key=str.lower)


def dev_requirements(framework: Framework) -> list[str]:
    """The development dependencies of a generated project: tests and lint."""
    needed = ["pytest>=8.3", "ruff>=0.8", *framework.dev_requirements]
    return sorted(needed, key=str.lower)
