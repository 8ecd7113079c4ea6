"""Fixtures of the template's tests: the template snapshot, generated projects, backing services.

Variants come from copier.yml (extensions/variants.py). Backing services are addressed by URLs
from the environment, with this machine's loopback services as defaults; each generated project
gets a database (and later a broker namespace) of its own, so xdist workers never collide.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extensions.context import derived_context
from extensions.variants import render, snapshot, variant_id, variants
from tests.services import BackingServices

IN_CI = os.environ.get("CI") == "true"
VARIANTS = variants()


def variant_params(applies: Callable[[dict[str, Any]], bool] | None = None) -> list[Any]:
    """The variants (those whose derived context `applies` to a check), as pytest parameters.

    Each is grouped so that one xdist worker installs and tests one variant.
    """
    return [
        pytest.param(
            variant, id=variant_id(variant), marks=pytest.mark.xdist_group(variant_id(variant))
        )
        for variant in VARIANTS
        if applies is None or applies(derived_context(variant))
    ]


def unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail under CI, where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: every backing service must be reachable)")
    pytest.skip(reason)


@dataclass
class Project:
    """A generated project on disk, and the answers it was generated with."""

    path: Path
    answers: dict[str, str]
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def package(self) -> str:
        """The generated Python package, also the console script's name."""
        return str(self.answers["package_name"])

    def files(self) -> list[Path]:
        """Every generated file, relative to the project, skipping the virtual environment."""
        ignored = {".venv", "__pycache__", ".pytest_cache", ".ruff_cache"}
        return sorted(
            path.relative_to(self.path)
            for path in self.path.rglob("*")
            if path.is_file() and not ignored.intersection(path.relative_to(self.path).parts)
        )

    def run(
        self, *command: str, env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the project, with its output captured for the assertion message."""
        return subprocess.run(
            command,
            cwd=self.path,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, copied once per worker."""
    return snapshot(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def generate(template: Path, tmp_path_factory: pytest.TempPathFactory):
    """Render the template with some answers into a fresh folder."""

    def generate(**answers: str) -> Project:
        answers = {"project_name": "Sample Service", **answers}
        destination = tmp_path_factory.mktemp("project") / "sample-service"
        render(template, destination, answers)
        recorded = _read_answers(destination)
        return Project(destination, recorded, derived_context(recorded))

    return generate


def _read_answers(project: Path) -> dict[str, str]:
    import yaml

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return {key: value for key, value in answers.items() if not key.startswith("_")}


@pytest.fixture(scope="session")
def backing_services() -> Iterator[BackingServices]:
    """The servers the tests may use, and every database or namespace made on them."""
    services = BackingServices.from_environment()
    yield services
    services.cleanup()


_installed: dict[str, Project] = {}


@pytest.fixture
def installed(variant: dict[str, str], generate) -> Project:
    """The variant of the test, generated and installed with `uv sync --locked`, once per worker."""
    key = variant_id(variant)
    if key not in _installed:
        project = generate(**variant)
        result = project.run("uv", "sync", "--locked", "--quiet")
        assert result.returncode == 0, result.stderr
        _installed[key] = project
    return _installed[key]


@pytest.fixture
def attached_for(backing_services: BackingServices) -> Callable[[Project], dict[str, str]]:
    """Make fresh backing services for a project: the environment variables that point at them."""

    def attach(project: Project) -> dict[str, str]:
        needed = {}
        attachments = (
            ("database", "DATABASE_URL", backing_services.new_database),
            ("queue", "BROKER_URL", backing_services.new_broker),
        )
        for question, variable, make in attachments:
            kind = project.answers[question]
            if kind != "none":
                url = make(kind)
                if url is None:
                    unavailable(backing_services.unreachable_reason(kind))
                needed[variable] = url
        return needed

    return attach


@pytest.fixture
def attached(
    installed: Project, attached_for: Callable[[Project], dict[str, str]]
) -> dict[str, str]:
    """Fresh backing services for the installed variant."""
    return attached_for(installed)
