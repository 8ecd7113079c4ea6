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

# What each command does when a developer starts the service on their machine, in the order the
# README runs them.
LOCAL_RUN_NOTES = {
    "createdb": "creates the database DATABASE_URL names, once",
    "release": "applies the migrations",
    "web": "serves http://localhost:8000",
    "worker": "in a second terminal: does the jobs",
    "scheduler": "in a third: sends the periodic jobs",
}

# Process types of which exactly one copy may run, and why (the Procfile says so above each).
SINGLETON_PROCESS_TYPES = {
    "scheduler": "each would send every periodic job, so two send them twice",
}


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


def commands(types: dict[str, str], database: Database | None, broker: Broker | None) -> list[str]:
    """Every command of the CLI: the process types, then the one-off admin commands."""
    admin = []
    if broker is not None:
        admin.append("worker-alive")
    if database is not None:
        admin.append("migrate")
    if database is not None and database.service is not None:
        admin.append("createdb")
    return [*types, *admin, "check", "shell"]


def local_run_steps(variant_commands: list[str]) -> list[str]:
    """The commands that start the service on a developer's machine, in order."""
    return [name for name in LOCAL_RUN_NOTES if name in variant_commands]


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
        "procfile_comments": {
            name: f"Run exactly one {name}: {why}."
            for name, why in SINGLETON_PROCESS_TYPES.items()
            if name in types
        },
        "autoscaled_process_types": [name for name in long_running if name not in single],
        # The kinds of workload the overlays size: a Job too when there is a release.
        "workload_kinds": ["Deployment", "Job"] if "release" in types else ["Deployment"],
        "cluster_process_rows": [cluster_process_row(name, name in single) for name in types],
        "kubernetes_scaling_notes": scaling_notes(long_running, single, on_one_disk),
    }


def scaling_notes(long_running: list[str], single: list[str], on_one_disk: bool) -> list[str]:
    """What the Kubernetes README says about scaling this variant's process types, beyond sizes."""
    autoscaled = ", ".join(f"`{name}`" for name in long_running if name not in single)
    notes = {
        "autoscaled": (
            "Each overlay's `autoscaling.yaml` sets how far the autoscalers may take\n"
            f"  {autoscaled}, on CPU use. `kubectl scale` does not last: the autoscaler decides."
        ),
        "scheduler": (
            "The scheduler runs as exactly one pod, also during a rollout (Recreate): two would"
            " send every\n  periodic job twice."
        ),
        "one disk": (
            "SQLite is a file on a volume that one node mounts, so it cannot be shared across pods"
            " on several\n  nodes: every process type runs as one pod, all on that node. Choose"
            " PostgreSQL or MySQL to scale\n  out."
        ),
    }
    applies = {
        "autoscaled": bool(autoscaled),
        "scheduler": "scheduler" in long_running,
        "one disk": on_one_disk,
    }
    return [note for name, note in notes.items() if applies[name]]


def cluster_process_row(name: str, single_copy: bool) -> dict[str, str]:
    """How one process type runs on a cluster: the Kubernetes README's row of it."""
    if name == "release":
        return {
            "name": name,
            "runs_as": "a Job per release, before the new pods start",
            "how_many": "once per release",
        }
    return {
        "name": name,
        "runs_as": "a Deployment, a Service and an Ingress" if name == "web" else "a Deployment",
        "how_many": "exactly one pod" if single_copy else "scaled by a HorizontalPodAutoscaler",
    }
