"""The one table of optional output files: which files a variant has, and why.

Per-framework code comes from plainly named folders of template/ (the `code_folder` filter picks
them by the framework's `code_folders`); this table decides the rest. copier.yml's `_exclude`
applies it, the generated README lists the files it keeps, and the docs print it whole.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extensions.catalogue import BROKERS


@dataclass(frozen=True)
class OptionalFile:
    """An output path (a file, or a folder ending in /) that exists only when a fact holds."""

    path: str
    # A truthy entry of the derived context (extensions/context.py), e.g. "has_database".
    when: str
    why: str


OPTIONAL_FILES: tuple[OptionalFile, ...] = (
    OptionalFile("src/{package}/api/", "has_api_package", "the HTTP API, one module per resource"),
    OptionalFile("src/{package}/api/items.py", "has_database", "the sample resource"),
    OptionalFile("src/{package}/api/jobs.py", "has_queue", "the endpoint that queues jobs"),
    OptionalFile("src/{package}/items/", "has_database", "Django app of the sample resource"),
    OptionalFile("src/{package}/jobs.py", "has_queue", "job definitions and the worker's app"),
    OptionalFile("src/{package}/job_metrics.py", "has_queue", "the jobs' metrics"),
    OptionalFile("src/{package}/db.py", "has_database", "engine, sessions, readiness"),
    OptionalFile("src/{package}/models.py", "has_database", "the database tables"),
    OptionalFile("src/{package}/migrations/", "has_database", "Alembic migrations"),
    OptionalFile("alembic.ini", "has_database", "Alembic's settings"),
    OptionalFile("LICENSE", "has_licence_file", "the licence the code is under"),
    OptionalFile(
        "src/{package}/wsgi_bridge.py",
        "web_app_is_wsgi",
        "the WSGI application served from uvicorn's event loop by threads",
    ),
    OptionalFile(
        "tests/test_wsgi_bridge.py", "web_app_is_wsgi", "tests of how the threads serve requests"
    ),
    OptionalFile("tests/test_items.py", "has_database", "tests of the sample resource"),
    OptionalFile("tests/test_jobs.py", "has_queue", "tests of the jobs and the worker"),
    OptionalFile("tests/test_admin.py", "has_database", "tests of Django's admin and migrations"),
    OptionalFile(
        "src/{package}/admin_middleware.py",
        "has_database",
        "Django's sessions, users and messages, on the admin's pages only",
    ),
    *(
        OptionalFile(path.format(module=broker.module), f"uses_{broker.module}", why)
        for broker in BROKERS.values()
        for path, why in (
            ("src/{{package}}/{module}.py", f"what the jobs need from {broker.label}"),
            ("tests/test_{module}.py", f"tests of what the jobs need from {broker.label}"),
        )
    ),
    OptionalFile(
        "deploy/kubernetes/base/background.yaml",
        "background_process_types",
        "Deployments of the background process types",
    ),
    OptionalFile(
        "deploy/kubernetes/base/autoscaling.yaml",
        "autoscaled_process_types",
        "autoscalers of the process types that scale out",
    ),
    OptionalFile(
        "deploy/kubernetes/base/release.yaml", "has_database", "the release Job (migrations)"
    ),
    OptionalFile("deploy/kubernetes/base/sqlite-volume.yaml", "database_is_file", "SQLite volume"),
    OptionalFile("deploy/kubernetes/base/sqlite-mount.yaml", "database_is_file", "SQLite volume"),
    OptionalFile(
        "deploy/kubernetes/overlays/production/autoscaling.yaml",
        "autoscaled_process_types",
        "production's autoscaler bounds",
    ),
    OptionalFile(
        "deploy/kubernetes/overlays/staging/autoscaling.yaml",
        "autoscaled_process_types",
        "staging's autoscaler bounds",
    ),
)


def excluded_paths(context: Mapping[str, Any]) -> list[str]:
    """The output paths this variant does not have, anchored `_exclude` patterns."""
    package = context.get("package_name") or "service"
    return [
        "/" + optional.path.format(package=package).rstrip("/")
        for optional in OPTIONAL_FILES
        if not context.get(optional.when)
    ]


KUBERNETES_BASE = "deploy/kubernetes/base/"
# The base's optional manifests that patch every Deployment and Job rather than add a resource.
KUBERNETES_BASE_PATCHES = ("sqlite-mount.yaml",)


def kubernetes_base(context: Mapping[str, Any]) -> dict[str, list[str]]:
    """The base's optional manifests this variant has, as its kustomization lists them."""
    present = [
        optional.path.removeprefix(KUBERNETES_BASE)
        for optional in OPTIONAL_FILES
        if optional.path.startswith(KUBERNETES_BASE) and context.get(optional.when)
    ]
    return {
        "kubernetes_base_resources": [
            name for name in present if name not in KUBERNETES_BASE_PATCHES
        ],
        "kubernetes_base_patches": [name for name in present if name in KUBERNETES_BASE_PATCHES],
    }


TEMPLATE = Path(__file__).resolve().parent.parent / "template"
# Parts of files that other templates include, never output themselves (copier.yml excludes them).
PARTIALS = "_partials"
CODE_FOLDER = re.compile(r"\{\{ '(\w+)' \| code_folder \}\}")

# The generated README's "Where things are": a row shows the paths of it this variant has.
LAYOUT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("every setting, from the environment", ("src/{package}/config.py", ".env.example")),
    ("JSON logs on standard output", ("src/{package}/logs.py",)),
    (
        "traces, metrics and error reports, off until `OTEL_EXPORTER_OTLP_ENDPOINT` or "
        "`SENTRY_DSN` is set; Prometheus metrics on `METRICS_PORT`",
        ("src/{package}/telemetry.py", "src/{package}/metrics.py", "src/{package}/job_metrics.py"),
    ),
    ("Django's settings, built from `config.py`", ("src/{package}/settings.py",)),
    (
        "the URLs, and the API with its health checks (django-ninja)",
        ("src/{package}/urls.py",),
    ),
    ("request ids, request log lines and JSON errors", ("src/{package}/middleware.py",)),
    ("the items: model, API, admin and migrations", ("src/{package}/items/",)),
    ("the web application", ("src/{package}/app.py",)),
    (
        "the production server: gunicorn, the checks every request passes first and, for a WSGI "
        "application, the threads that run it",
        ("src/{package}/server.py", "src/{package}/guard.py", "src/{package}/wsgi_bridge.py"),
    ),
    (
        "the API and its request and response models",
        ("src/{package}/api/", "src/{package}/schemas.py"),
    ),
    ("models and migrations", ("src/{package}/models.py", "src/{package}/migrations/")),
    (
        "background jobs, the worker and the scheduler; what they need from the broker",
        (
            "src/{package}/jobs.py",
            *(f"src/{{package}}/{broker.module}.py" for broker in BROKERS.values()),
        ),
    ),
    ("the command line (`{package} web`, `release`, `check`, ...)", ("src/{package}/cli.py",)),
    (
        "Django's part of the command line: its setup and `manage`",
        ("src/{package}/management.py",),
    ),
    ("process types", ("Procfile",)),
    ("container image and local stack", ("Dockerfile", "compose.yaml")),
    (
        "Kubernetes manifests (base, staging, production), with a README on deploying",
        ("deploy/kubernetes/",),
    ),
    (
        "dependencies, and the settings of ruff, mypy (strict) and pytest",
        ("pyproject.toml", "uv.lock"),
    ),
    ("commit hooks", (".pre-commit-config.yaml",)),
    (
        "CI: hooks, tests, audit, workflow lint, bill of materials, image",
        (".github/workflows/ci.yml",),
    ),
    (
        "weekly grouped dependency updates; the workflow lint's settings",
        (".github/dependabot.yml", ".github/zizmor.yml"),
    ),
    ("a dev container with the backing services", (".devcontainer/",)),
)


@functools.cache
def template_files() -> tuple[tuple[str, ...], ...]:
    """Every file of template/, as its path's parts, listed once per process: Copier asks for a
    variant's files whenever its answers change while it renders (several times per project).
    os.walk lists them in a fifth of the time of Path.rglob, which every copy would wait for."""
    files = []
    for folder, _, names in os.walk(TEMPLATE):
        parts = Path(folder).relative_to(TEMPLATE).parts
        files += [(*parts, name) for name in names]
    return tuple(files)


def output_files(context: Mapping[str, Any], code_folders: tuple[str, ...]) -> set[str]:
    """The files this variant has, as paths in the generated project."""
    package = context.get("package_name") or "service"
    excluded = [pattern.lstrip("/") for pattern in excluded_paths(context)]
    files = set()
    for parts in template_files():
        folder = CODE_FOLDER.fullmatch(parts[0])
        if parts[0] == PARTIALS or (folder and folder.group(1) not in code_folders):
            continue
        path = "/".join(parts[1:] if folder else parts).removesuffix(".jinja")
        path = path.replace("{{package_name}}", package)
        if not any(path == gone or path.startswith(gone + "/") for gone in excluded):
            files.add(path)
    return files


def layout(context: Mapping[str, Any], code_folders: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows of the README's "Where things are" that this variant has, with its paths."""
    package = context.get("package_name") or "service"
    files = output_files(context, code_folders)
    rows = []
    for what, paths in LAYOUT:
        present = [
            path.format(package=package)
            for path in paths
            if any(
                file == path.format(package=package)
                or file.startswith(path.format(package=package))
                for file in files
            )
        ]
        if present:
            rows.append({"what": what.format(package=package), "paths": present})
    return rows
