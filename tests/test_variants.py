"""Every variant installs from its lock; its own suite and commit hooks pass; the CI workflow's
supply-chain steps pass on a pairwise set of variants, and no package of any lock is vulnerable."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from extensions.variants import TEMPLATE_ROOT
from tests import vulnerabilities
from tests.conftest import Project, pairwise_variant_params, unavailable, variant_params

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("variant", variant_params())
def test_the_projects_own_suite_passes(installed: Project, attached: dict[str, str]) -> None:
    result = installed.run(
        "uv", "run", "--locked", "pytest", "-q", "-p", "no:cacheprovider", env=attached
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("variant", variant_params())
def test_the_settings_class_reads_exactly_the_declared_variables(installed: Project) -> None:
    probe = (
        f"import json; from {installed.package}.config import Settings; "
        "print(json.dumps({name.upper(): None if field.is_required() else "
        "getattr(field.get_default(), 'get_secret_value', lambda: field.get_default())() "
        "for name, field in Settings.model_fields.items()}))"
    )
    result = installed.run("uv", "run", "--locked", "python", "-c", probe)
    assert result.returncode == 0, result.stderr
    fields = json.loads(result.stdout)

    declared = {variable["name"]: variable for variable in installed.context["env_vars"]}
    assert set(fields) == set(declared)
    for name, default in fields.items():
        expected = declared[name]["development_default"]
        assert (None if default is None else str(default)) == expected, name


def workflow_step(project: Project, job: str, name: str) -> str:
    """The shell script of a step of the generated CI workflow, found by the start of its name."""
    workflow = yaml.safe_load((project.path / ".github/workflows/ci.yml").read_text())
    (script,) = [
        step["run"]
        for step in workflow["jobs"][job]["steps"]
        if step.get("name", "").startswith(name)
    ]
    return str(script)


def run_step(
    project: Project, script: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a workflow step's script as GitHub's runner would: bash, stopping at the first error."""
    return project.run("bash", "-euo", "pipefail", "-c", script, env=env)


@dataclass
class MypyCaches:
    """One mypy cache per framework and xdist worker: variants of a framework share most modules.

    The plugins differ between frameworks, which makes mypy throw away another framework's cache;
    two mypy processes writing one cache at once (two workers) can leave it stale. So each worker
    writes its own, and the first to have checked a framework publishes a copy of its cache, done
    and never written again, that the other workers start from rather than from nothing (a cold
    mypy run is 5-8 s of CPU; one that finds another variant's cache of the framework, 1-2 s).
    """

    own: Path
    published: Path

    def for_framework(self, framework: str) -> Path:
        """This worker's cache of the framework, started from a published copy if there is one."""
        cache = self.own / framework
        if not cache.exists() and (self.published / framework).exists():
            shutil.copytree(self.published / framework, cache)
        return cache

    def publish(self, framework: str) -> None:
        """Publish a copy of this worker's cache of the framework, unless one was published."""
        published = self.published / framework
        if published.exists():
            return
        draft = self.published / f".{framework}-{os.getpid()}"
        shutil.copytree(self.own / framework, draft)
        try:
            # Atomic, and refused if another worker's copy got there first.
            draft.rename(published)
        except OSError:
            shutil.rmtree(draft)


@pytest.fixture(scope="session")
def mypy_caches(tmp_path_factory: pytest.TempPathFactory) -> MypyCaches:
    """This worker's mypy caches, and the copies every worker of this run may start from."""
    own = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base folder is in the run's own: the copies go there.
    run = own.parent if "PYTEST_XDIST_WORKER" in os.environ else own
    published = run / "mypy-caches-published"
    published.mkdir(exist_ok=True)
    return MypyCaches(own / "mypy-caches", published)


@pytest.mark.parametrize("variant", variant_params())
def test_the_commit_hooks_pass_offline(installed: Project, mypy_caches: MypyCaches) -> None:
    # The hooks are the CI's lint job: ruff, ruff format, mypy --strict and the secret checks.
    script = workflow_step(installed, "lint", "Commit hooks")
    assert "prek run --all-files" in script
    if not (installed.path / ".git").exists():
        for command in (["git", "init", "--quiet"], ["git", "add", "--all"]):
            assert installed.run(*command).returncode == 0
    unreachable = "http://127.0.0.1:9"
    framework = installed.answers["framework"]
    offline = {
        "UV_OFFLINE": "1",
        "HTTP_PROXY": unreachable,
        "HTTPS_PROXY": unreachable,
        "ALL_PROXY": unreachable,
        "MYPY_CACHE_DIR": str(mypy_caches.for_framework(framework)),
    }

    result = run_step(installed, script, env=offline)

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    hooks = ("ruff check", "ruff format", "mypy", "no merge conflict", "no private key", "no cloud")
    for hook in hooks:
        assert re.search(rf"^{hook}.*Passed$", result.stdout, re.MULTILINE), (hook, result.stdout)
    mypy_caches.publish(framework)


def locked_releases() -> list[tuple[str, str]]:
    """Every (name, version) pinned by a lock of locks/, once; not the projects themselves."""
    releases = set()
    for lock in (TEMPLATE_ROOT / "locks").glob("*.lock"):
        for package in tomllib.loads(lock.read_text())["package"]:
            if "registry" in package["source"]:
                releases.add((package["name"], package["version"]))
    return sorted(releases)


def test_no_package_of_any_lock_has_a_known_vulnerability() -> None:
    releases = locked_releases()
    try:
        if vulnerabilities.release_pages_served():
            findings = vulnerabilities.audit_releases(releases)
        else:
            findings = vulnerabilities.audit_newest_releases(releases)
    except httpx.HTTPError as error:
        unavailable(f"PyPI's vulnerability data is unreachable: {error}")

    assert not findings.vulnerable, findings.vulnerable
    assert len(findings.not_audited) < len(releases), "no locked package is at its newest release"


# What pip-audit ends with when its requests to PyPI fail to connect (a refused connection, a
# name that did not resolve): the machine's resolver fails now and then for a moment.
UNREACHABLE_PYPI = "Max retries exceeded with url"
# Seconds to wait after each failed try: three tries in all.
PYPI_RETRY_PAUSES = (2, 4, 0)


# The workflow's step is the same in every variant; the packages of every lock are audited above.
@pytest.mark.parametrize("variant", pairwise_variant_params())
def test_the_lock_has_no_known_vulnerability(installed: Project, tmp_path: Path) -> None:
    try:
        release_pages = vulnerabilities.release_pages_served()
    except httpx.HTTPError as error:
        unavailable(f"PyPI's vulnerability data is unreachable: {error}")
    result = run_pip_audit(installed, tmp_path)

    output = result.stdout[-6000:] + result.stderr[-3000:]
    if release_pages:
        assert result.returncode == 0, output
        return
    # pip-audit cannot ask about single releases here: its --strict refuses to pass, and the
    # newest releases are checked on their project pages instead.
    assert result.returncode != 0 and "Dependency not found on PyPI" in output, output
    requirements = (tmp_path / "requirements.txt").read_text()
    findings = vulnerabilities.audit_requirements(requirements)
    assert not findings.vulnerable, findings.vulnerable
    pinned = vulnerabilities.PINNED.findall(requirements)
    assert len(findings.not_audited) < len(pinned), "no locked package is at its newest release"


def run_pip_audit(installed: Project, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the generated CI's pip-audit step, again after a pause while PyPI cannot be reached."""
    script = workflow_step(installed, "supply-chain", "Known vulnerabilities")
    for pause in PYPI_RETRY_PAUSES:
        result = run_step(installed, script, env={"RUNNER_TEMP": str(tmp_path)})
        if UNREACHABLE_PYPI not in result.stderr:
            return result
        time.sleep(pause)
    unavailable(f"pip-audit could not reach PyPI:\n{result.stderr[-2000:]}")


@pytest.mark.parametrize("variant", variant_params())
def test_the_workflows_pass_zizmor(installed: Project) -> None:
    script = workflow_step(installed, "supply-chain", "Security lint")
    result = run_step(installed, script)
    assert result.returncode == 0, result.stdout + result.stderr


def normalized(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


# The same step in every variant; what it lists depends on one answer or two together.
@pytest.mark.parametrize("variant", pairwise_variant_params())
def test_the_sbom_lists_what_the_image_installs(installed: Project, tmp_path: Path) -> None:
    script = workflow_step(installed, "image", "Software bill of materials")
    result = run_step(installed, script, env={"RUNNER_TEMP": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr

    sbom = json.loads((installed.path / "sbom.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    # Compared as normalized names (PEP 503): the bill lists some as their metadata spells them.
    components = {normalized(component["name"]) for component in sbom["components"]}
    runtime = {
        normalized(re.split(r"[\[<>=!~ ]", requirement)[0])
        for requirement in installed.context["dependencies"]
    }
    assert runtime <= components, runtime - components
    assert installed.answers["project_slug"] in components
    assert not {"pytest", "mypy", "ruff"} & components, "dev tools are not in the image"
