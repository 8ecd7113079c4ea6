"""The process types of a generated service and how they run side by side on a cluster."""

from __future__ import annotations

from typing import Any

from extensions.catalogue import Broker, Database

COMMAND_HELP = {
    "web": "Serve HTTP on 0.0.0.0:$PORT until SIGTERM, then let in-flight requests finish.",
    "release": "Run once per release, before new web processes start: apply migrations.",
    "migrate": "Apply pending database migrations; running it again does nothing.",
    "createdb": "Create the database DATABASE_URL names, if its server does not have it yet.",
    "worker": "Consume jobs from $BROKER_URL until SIGTERM, then finish the current job.",
    "worker-alive": "Exit 1 if the worker's consumer loop is stuck: the liveness probe.",
    "scheduler": "Send the periodic jobs on time; run exactly one of these.",
    "check": (
        "Check the configuration and every backing service; exit 1 with a one-line reason if not."
    ),
    "shell": "Open a Python shell with the settings loaded.",
    "manage": "Run one of Django's management commands, e.g. `manage createsuperuser`.",
}

# Process types of which exactly one copy may run: two schedulers would send every job twice.
SINGLETON_PROCESS_TYPES = frozenset({"scheduler"})


def process_types(package: str, database: Database | None, broker: Broker | None) -> dict[str, str]:
    """The Procfile's process types and their commands, in the order they start."""
    types: dict[str, str] = {}
    if database is not None:
        types["release"] = f"{package} release"
    types["web"] = f"{package} web"
    if broker is not None:
        types["worker"] = f"{package} worker"
        types["scheduler"] = f"{package} scheduler"
    return types


def liveness_commands(package: str, types: dict[str, str]) -> dict[str, list[str]]:
    """The command each background process type's liveness probe runs (the worker's heartbeat)."""
    return {"worker": [package, "worker-alive"]} if "worker" in types else {}


def deployment_facts(types: dict[str, str], database: Database | None) -> dict[str, Any]:
    """How the process types run side by side on a cluster, as the deployment manifests need it.

    `release` runs once per release; every other process type runs until it is stopped. A database
    that is a file on one disk (SQLite) makes every process type run as a single copy.
    """
    on_one_disk = database is not None and database.is_file
    long_running = [name for name in types if name != "release"]
    single = [name for name in long_running if name in SINGLETON_PROCESS_TYPES or on_one_disk]
    return {
        "long_running_process_types": long_running,
        "background_process_types": [name for name in long_running if name != "web"],
        "single_copy_process_types": single,
        "autoscaled_process_types": [name for name in long_running if name not in single],
    }
