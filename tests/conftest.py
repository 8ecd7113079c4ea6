"""Fixtures of the template's tests: the template snapshot, generated projects, backing services.

Variants come from copier.yml (extensions/variants.py). Projects are generated with pytest-copie's
`copie_session` fixture, each variant once per xdist worker, and copied before they are installed
or run, so that the rendered files stay as Copier wrote them. Backing services are addressed by URLs
from the environment, with this machine's loopback services as defaults; each generated project
gets a database and a broker namespace of its own, so xdist workers never collide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extensions.context import derived_context
from extensions.variants import choices, pairwise_variants, snapshot, variant_id, variants
from tests.services import BackingServices

IN_CI = os.environ.get("CI") == "true"
VARIANTS = variants()
# What each variant's templates are told, computed once: collecting the tests asks for it in every
# parametrization that applies to some variants only (several hundred times per worker).
VARIANT_CONTEXTS = {variant_id(variant): derived_context(variant) for variant in VARIANTS}
# libyaml's parser where PyYAML has it: ten times as quick as the pure-Python one, for the same
# documents, and the quick layer reads hundreds of them.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The one YAML document in a text."""
    return yaml.load(text, Loader=YAML_LOADER)


def load_yaml_documents(text: str) -> list[Any]:
    """Every YAML document in a text."""
    return list(yaml.load_all(text, Loader=YAML_LOADER))


def variant_params(applies: Callable[[dict[str, Any]], bool] | None = None) -> list[Any]:
    """The variants (those whose derived context `applies` to a check), as pytest parameters.

    Each is grouped so that one xdist worker installs and tests one variant.
    """
    return [
        pytest.param(
            variant, id=variant_id(variant), marks=pytest.mark.xdist_group(variant_id(variant))
        )
        for variant in VARIANTS
        if applies is None or applies(VARIANT_CONTEXTS[variant_id(variant)])
    ]


def pairwise_variant_params() -> list[Any]:
    """The pairwise variants (every answer next to every answer of another question, computed
    from copier.yml), as pytest parameters: for checks of what is the same in every variant but
    for what two answers together decide."""
    chosen = {variant_id(variant) for variant in pairwise_variants()}
    return [param for param in variant_params() if param.id in chosen]


def full_variant_params() -> list[Any]:
    """One variant per framework with a database server and a broker, as pytest parameters: each
    framework takes the next database and the next broker in turn, so that every one of them is
    in one of these variants."""
    candidates = variant_params(
        lambda context: context["uses_server_database"] and context["has_queue"]
    )
    databases = list(dict.fromkeys(param.values[0]["database"] for param in candidates))
    brokers = list(dict.fromkeys(param.values[0]["queue"] for param in candidates))
    chosen = []
    for turn, framework in enumerate(choices("framework")):
        wanted = {
            "framework": framework,
            "database": databases[turn % len(databases)],
            "queue": brokers[turn % len(brokers)],
        }
        chosen += [param for param in candidates if param.values[0] == wanted]
    return chosen


# The test files of the longest tests that belong to no variant (each one test).
LONGEST_UNGROUPED = ("test_benchmarks.py", "test_typing.py", "test_docs.py")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop when `--dist loadgroup` would not keep a variant's tests on one worker; put the
    longest tests of no variant first.

    pytest-xdist marks each grouped test's node id; when a pytest release keeps node ids where
    it cannot, every worker would install and start every variant, silently doubling the run.
    It hands out the variants' groups first, then the tests of no group in collection order: the
    longest of those (the benchmark's short run a minute, mypy over the template's code seconds
    when its cache is cold, the docs build one or two) would otherwise come last, and keep one
    worker busy while the others have nothing left to do.
    """
    items.sort(key=lambda item: item.path.name not in LONGEST_UNGROUPED)
    grouped = [item for item in items if item.get_closest_marker("xdist_group")]
    if config.getoption("loadgroup", False) and grouped and "@" not in grouped[0].nodeid:
        raise pytest.UsageError(
            "pytest-xdist cannot group this pytest's tests (see the pin in pyproject.toml)"
        )


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
            env={**project_environment(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def project_environment() -> dict[str, str]:
    """The environment for a generated project's commands: this one, writing bytecode.

    With PYTHONDONTWRITEBYTECODE set (as on some CI images), every process start of a generated
    project would compile each module it imports again: about 2 s of CPU instead of 0.6 s, paid
    by every release, web, worker and test process.
    """
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, copied once per worker (no git: quick renders)."""
    return snapshot(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def generate(copie_session: Any, template: Path) -> Callable[..., Project]:
    """Render the template with some answers into a fresh folder, through pytest-copie.

    A refused answer raises the validator's error, as `copier copy` reports it.
    """

    def generate(**answers: str) -> Project:
        result = copie_session.copy(
            extra_answers={"project_name": "Sample Service", **answers}, template_dir=template
        )
        if result.exception is not None:
            raise result.exception
        return Project(result.project_dir, result.answers, derived_context(result.answers))

    return generate


_rendered: dict[str, Project] = {}


@pytest.fixture(scope="session")
def rendered(generate: Callable[..., Project]) -> Callable[[dict[str, str]], Project]:
    """A variant as Copier rendered it, once per worker. Read it only: copy it to run anything."""

    def rendered(variant: dict[str, str]) -> Project:
        key = variant_id(variant)
        if key not in _rendered:
            _rendered[key] = generate(**variant)
        return _rendered[key]

    return rendered


@pytest.fixture(scope="session")
def backing_services() -> Iterator[BackingServices]:
    """The servers the tests may use, and every database or namespace made on them."""
    services = BackingServices.from_environment()
    yield services
    services.cleanup()


_installed: dict[str, Project] = {}


@pytest.fixture
def installed(
    variant: dict[str, str],
    rendered: Callable[[dict[str, str]], Project],
    tmp_path_factory: pytest.TempPathFactory,
) -> Project:
    """The variant of the test, copied from its rendering and installed with `uv sync --locked`,
    once per worker."""
    key = variant_id(variant)
    if key not in _installed:
        source = rendered(variant)
        destination = tmp_path_factory.mktemp(key) / source.answers["project_slug"]
        shutil.copytree(source.path, destination)
        project = Project(destination, source.answers, source.context)
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
        if "BROKER_URL" in needed:
            # A queue of its own: the projects of one test run share a RabbitMQ virtual host.
            needed["JOB_QUEUE"] = backing_services.new_queue_name()
        return needed

    return attach


_attachments: dict[Path, dict[str, str]] = {}
_released: set[Path] = set()


@pytest.fixture
def attached(
    installed: Project,
    attached_for: Callable[[Project], dict[str, str]],
    backing_services: BackingServices,
) -> dict[str, str]:
    """Backing services for the installed variant: a job queue of the test's own, and the
    variant's database, made once per worker and shared by its tests.

    Each test makes and reads its own rows, never counts them, so sharing is safe; it lets the
    release phase (migrations) run once per variant rather than before every test.
    """
    if installed.path not in _attachments:
        _attachments[installed.path] = attached_for(installed)
        return dict(_attachments[installed.path])
    attachment = dict(_attachments[installed.path])
    if "JOB_QUEUE" in attachment:
        attachment["JOB_QUEUE"] = backing_services.new_queue_name()
    return attachment


def released(installed: Project) -> bool:
    """Tell whether the release phase already ran on the variant's shared database; note it has."""
    done = installed.path in _released
    _released.add(installed.path)
    return done
