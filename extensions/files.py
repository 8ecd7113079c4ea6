"""The one table of optional output files: which files a variant has, and why.

Per-framework code comes from plainly named folders of template/ (the `code_folder` filter picks
them by the framework's `code_folders`); this table decides the rest. copier.yml's `_exclude`
applies it, the generated README lists the files it keeps, and the docs print it whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OptionalFile:
    """An output path (a file, or a folder ending in /) that exists only when a fact holds."""

    path: str
    # A truthy entry of the derived context (extensions/context.py), e.g. "has_database".
    when: str
    why: str


OPTIONAL_FILES: tuple[OptionalFile, ...] = (
    OptionalFile("src/{package}/schemas.py", "has_api", "request and response models"),
    OptionalFile("src/{package}/api/", "has_api", "the HTTP API, one module per resource"),
    OptionalFile("src/{package}/api/items.py", "has_database", "the sample resource"),
    OptionalFile("src/{package}/api/jobs.py", "has_queue", "the endpoint that queues jobs"),
    OptionalFile("src/{package}/items/", "has_database", "Django app of the sample resource"),
    OptionalFile("src/{package}/jobs_api.py", "has_queue", "the endpoint that queues jobs"),
    OptionalFile("src/{package}/jobs.py", "has_queue", "job definitions and the worker's app"),
    OptionalFile("src/{package}/db.py", "has_database", "engine, sessions, readiness"),
    OptionalFile("src/{package}/models.py", "has_database", "the database tables"),
    OptionalFile("src/{package}/migrations/", "has_database", "Alembic migrations"),
    OptionalFile("alembic.ini", "has_database", "Alembic's settings"),
    OptionalFile("tests/test_items.py", "has_database", "tests of the sample resource"),
    OptionalFile("tests/test_jobs.py", "has_queue", "tests of the jobs and the worker"),
    OptionalFile(
        "deploy/kubernetes/base/release.yaml", "has_database", "the release Job (migrations)"
    ),
    OptionalFile(
        "deploy/kubernetes/base/background.yaml",
        "background_process_types",
        "Deployments of the background process types",
    ),
    OptionalFile("deploy/kubernetes/base/sqlite-mount.yaml", "database_is_file", "SQLite volume"),
    OptionalFile("deploy/kubernetes/base/sqlite-volume.yaml", "database_is_file", "SQLite volume"),
    OptionalFile(
        "deploy/kubernetes/base/autoscaling.yaml",
        "autoscaled_process_types",
        "autoscalers of the process types that scale out",
    ),
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
