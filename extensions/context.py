"""The ContextHook that hands the catalogue's selection, and what follows, to every template.

Copier loads this module by path, the first of the template's extensions (copier.yml): it puts the
template's root first on sys.path, where the others are then imported from as modules.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copier_template_extensions import ContextHook

# Copier loads this file by path; its sibling modules are imported from the template's root.
# `copier update` renders two versions of the template in one process, the older one first:
# this version's modules replace any other version's, or the newer one would render with the
# older one's facts (catalogue, variables, dependencies).
TEMPLATE_ROOT = str(Path(__file__).resolve().parent.parent)
if sys.path[:1] != [TEMPLATE_ROOT]:
    if TEMPLATE_ROOT in sys.path:
        sys.path.remove(TEMPLATE_ROOT)
    sys.path.insert(0, TEMPLATE_ROOT)
for _name, _module in list(sys.modules.items()):
    _file = getattr(_module, "__file__", None)
    if _name.startswith("extensions.") and _file and not Path(_file).is_relative_to(TEMPLATE_ROOT):
        del sys.modules[_name]

from extensions.catalogue import BROKERS, DATABASES, FRAMEWORKS, Broker, Database  # noqa: E402
from extensions.dependencies import dev_requirements, requirements  # noqa: E402
from extensions.django_settings import django_lists  # noqa: E402
from extensions.environment import env_vars  # noqa: E402
from extensions.files import excluded_paths, kubernetes_base, layout  # noqa: E402
from extensions.processes import (  # noqa: E402
    COMMAND_HELP,
    LOCAL_RUN_NOTES,
    commands,
    deployment_facts,
    liveness_commands,
    local_run_steps,
    process_types,
)


def derived_context(answers: dict[str, Any]) -> dict[str, Any]:
    """Select the catalogue entries of the answers given so far and compute what follows."""
    # While question defaults render, later answers are missing, and an answer the question's
    # choices will refuse may be rendered once before: assume copier.yml's default for both.
    framework = FRAMEWORKS.get(answers.get("framework") or "fastapi", FRAMEWORKS["fastapi"])
    database_answer = answers.get("database", "none")
    queue_answer = answers.get("queue", "none")
    package = answers.get("package_name", "service")
    licence = answers.get("license", "MIT")
    database = DATABASES.get(database_answer)
    broker = BROKERS.get(queue_answer)
    has_database = database is not None
    has_queue = broker is not None

    types = process_types(package, database, broker)
    web_app = framework.web_app.format(package=package)
    services = {
        "db": database.service if database else None,
        "broker": broker.service if broker else None,
    }
    told = developer_notes(package, database, broker)
    backing_services = [
        {"role": role, **asdict(service), "health_command": service.health_command, **told[role]}
        for role, service in services.items()
        if service is not None
    ]
    for service in backing_services:
        service["environment"] = {
            name: value.format(package=package) for name, value in service["environment"]
        }
        service["health_test"] = [part.format(package=package) for part in service["health_test"]]
        service["health_command"] = service["health_command"].format(package=package)

    variant_commands = commands(types, database, broker)
    variables = env_vars(package, framework, database, broker, answers.get("project_slug", ""))
    context = {
        "framework_label": framework.label,
        "queue_label": broker.label if broker else "None",
        # What the service is built with, as the README's first line says it.
        "stack": framework.label
        + (f" on {database.label}" if database else "")
        + (f", with background jobs on {broker.label}" if broker else ""),
        "command_help": COMMAND_HELP,
        "cli_commands": variant_commands,
        "local_run_steps": local_run_steps(variant_commands),
        "local_run_notes": LOCAL_RUN_NOTES,
        "liveness_commands": liveness_commands(package, types),
        "has_database": has_database,
        "has_queue": has_queue,
        "has_api": has_database or has_queue,
        "has_api_package": has_database or has_queue or framework.api_serves_probes,
        "database_is_file": database is not None and database.is_file,
        # Picks the partials that differ by the kind of database: "server", "file" or "none".
        "database_kind": "none" if database is None else "file" if database.is_file else "server",
        # What /readyz and `check` ping: the service's name, the module and function that ping it.
        "readiness_pings": [
            ping
            for ping, attached in (
                (
                    {"service": "database", "module": "db", "function": "ping_database"},
                    has_database,
                ),
                ({"service": "broker", "module": "jobs", "function": "ping_broker"}, has_queue),
            )
            if attached
        ],
        "uses_sqlalchemy": has_database and not framework.has_own_orm,
        "uses_server_database": database is not None and database.service is not None,
        "web_framework": framework,
        "db": database,
        "db_url_example": database.url_example.format(name=package) if database else "",
        "broker": broker,
        # Which broker's module the jobs import, and the test of it (extensions/files.py).
        **{f"uses_{entry.module}": entry is broker for entry in BROKERS.values()},
        "broker_url_example": broker.url_example if broker else "",
        "process_types": types,
        # The process types that serve Prometheus metrics on METRICS_PORT.
        "metrics_process_types": [name for name in types if name in ("web", "worker")],
        "metrics_port": int(next(v.example for v in variables if v.name == "METRICS_PORT")),
        **deployment_facts(types, database),
        "backing_services": backing_services,
        "compose_backing_services": [service["role"] for service in backing_services],
        **compose_facts(types, backing_services, database),
        **django_lists(package, has_database, has_queue),
        "web_app": web_app,
        "web_app_is_wsgi": framework.serves_wsgi,
        # What gunicorn's workers import and run: a WSGI application behind the threads of the
        # generated wsgi_bridge.py, an ASGI one as it is.
        "served_app": (
            f"{package}.wsgi_bridge:threaded_application()" if framework.serves_wsgi else web_app
        ),
        "worker_class": (
            f"{package}.wsgi_bridge.WSGIWorker"
            if framework.serves_wsgi
            else "uvicorn_worker.UvicornWorker"
        ),
        "build_steps": [step.format(package=package) for step in framework.build_steps],
        "env_vars": [asdict(variable) for variable in variables],
        "dependencies": requirements(framework, database, broker),
        "dev_dependencies": dev_requirements(framework, database, broker),
        "lock_file": f"locks/{framework.name}-{database_answer}-{queue_answer}.lock",
        # LICENSE's year; an update renders old and new with the same year, so it stays as it was.
        "copyright_year": datetime.now(UTC).year,
        # The licence's SPDX identifier; none for proprietary code, which gets no licence file.
        "spdx_licence": None if licence == "Proprietary" else licence,
        "has_licence_file": licence != "Proprietary",
    }
    # What /readyz reports when every backing service answers.
    context["readiness_when_ready"] = {ping["service"]: "ok" for ping in context["readiness_pings"]}
    context["excluded_paths"] = excluded_paths({**context, "package_name": package})
    context |= kubernetes_base(context)
    context["layout"] = layout({**context, "package_name": package}, framework.code_folders)
    return context


def compose_facts(
    types: dict[str, str], backing_services: list[dict[str, Any]], database: Database | None
) -> dict[str, Any]:
    """What compose.yaml needs beyond the services: each process type's service, the volumes."""
    healthy = {service["role"]: "service_healthy" for service in backing_services}
    migrated = {"release": "service_completed_successfully"} if "release" in types else {}
    return {
        "compose_processes": [
            compose_process(name, command, healthy | (migrated if name != "release" else {}))
            for name, command in types.items()
        ],
        # The named volumes: each server's data, and the SQLite file's folder.
        "compose_volumes": [service["role"] for service in backing_services if service["data_path"]]
        + (["data"] if database is not None and database.is_file else []),
    }


def compose_process(name: str, command: str, depends_on: dict[str, str]) -> dict[str, Any]:
    """A process type's service in compose.yaml: its comment and its lines after `command`.

    Each waits for the backing services, and for the release to have migrated; only the web
    process publishes a port, and the release runs once.
    """
    lines = {"web": ["ports:", '  - "127.0.0.1:8000:8000"'], "release": ['restart: "no"']}
    comments = {
        "scheduler": [
            "Exactly one: the schedule lives in this process's memory, and two would send each"
            " job twice."
        ]
    }
    waits = [
        line
        for service, condition in depends_on.items()
        for line in (f"  {service}:", f"    condition: {condition}")
    ]
    return {
        "name": name,
        "command": command.split(),
        "comments": comments.get(name, []),
        "lines": lines.get(name, []) + (["depends_on:", *waits] if waits else []),
    }


def developer_notes(
    package: str, database: Database | None, broker: Broker | None
) -> dict[str, dict[str, str]]:
    """What the README tells a developer about each backing service, by its role in compose."""
    notes = {}
    if database is not None:
        example = database.url_example.format(name=package)
        credentials = example.split("://")[1].split("@")[0]
        notes["db"] = {
            "label": database.label,
            "server": f"{database.label} server",
            "variable": "DATABASE_URL",
            # Their own server's URL: the example's, with placeholders where theirs differs.
            "own_url": example.replace(credentials, "USER:PASSWORD").replace("localhost", "HOST"),
            "own_url_note": "the user needs the right to create a database for `createdb`, "
            "or create it yourself",
            "in_tests": "a test database beside the one `DATABASE_URL` names, created and dropped.",
        }
    if broker is not None:
        prefix = ", under a key prefix of their own" if broker.has_key_prefix else ""
        notes["broker"] = {
            "label": broker.label,
            "server": f"{broker.label} broker",
            "variable": "BROKER_URL",
            "own_url": broker.url_example.replace("localhost", "HOST"),
            "own_url_note": "",
            "in_tests": f"a queue of their own on the broker `BROKER_URL` names{prefix},\n"
            "  served by a real worker process and removed afterwards.",
        }
    return notes


class DerivedContext(ContextHook):
    """Adds the derived facts to the context of every rendered file and string."""

    def hook(self, context: dict[str, Any]) -> None:
        """Update the Copier context in place; answers may be missing while defaults render."""
        answers = tuple(
            (key, context.get(key))
            for key in ("framework", "database", "queue", "package_name", "project_slug", "license")
            if context.get(key) is not None
        )
        context.update(derived_context_of(answers))


@functools.lru_cache
def derived_context_of(answers: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """The derived facts, computed once per set of answers.

    Copier runs the hook for every file, file name and string it renders, hundreds of times per
    project; the answers rarely change between calls. Templates only read the facts.
    """
    return derived_context(dict(answers))
