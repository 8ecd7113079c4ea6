"""A newcomer's first run without Docker, as the generated README says, on each database.

`.env` is copied from `.env.example` and pointed at a server that is already running; then the
README's commands run as written, and `web` must answer. On the way, every admin command is given
an unreachable server, a missing database and refused credentials, and must answer each with one
line naming the problem and its fix.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from extensions.context import derived_context
from extensions.variants import choices
from tests.conftest import Project, unavailable, variant_params
from tests.processes import Process, free_port, wait_until_serving
from tests.services import BackingServices, with_path

pytestmark = pytest.mark.slow

ADMIN_COMMANDS = ("release", "migrate", "check")


def first_run_params() -> list[Any]:
    """One variant without a queue per database and, on a database server, per database layer
    (SQLAlchemy's, Django's own ORM); each pick takes the framework picked least so far."""
    candidates = variant_params(
        lambda context: context["has_database"] and not context["has_queue"]
    )

    def layer(param: Any) -> tuple[int, bool]:
        context = derived_context(param.values[0])
        database = choices("database").index(param.values[0]["database"])
        return database, not context["database_is_file"] and context["web_framework"].has_own_orm

    picks: list[Any] = []
    uses: Counter[str] = Counter()
    for key in sorted({layer(param) for param in candidates}):
        pick = min(
            (param for param in candidates if layer(param) == key),
            key=lambda param: uses[param.values[0]["framework"]],
        )
        uses[pick.values[0]["framework"]] += 1
        picks.append(pick)
    return picks


def readme_commands(project: Project) -> list[str]:
    """The commands of the README's "Run it" block, as a person would copy them."""
    section = project.path.joinpath("README.md").read_text().split("## Run it", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def run(project: Project, command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a shell command in the project as a person would, outside the tests' environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIRTUAL_ENV", "UV_", "APP_", "DATABASE_", "LOG_"))
    }
    environment["UV_PYTHON_DOWNLOADS"] = "never"
    return subprocess.run(
        command,
        shell=True,
        cwd=project.path,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def set_database_url(project: Project, url: str) -> None:
    """Point DATABASE_URL in .env at a server, as the README asks."""
    env_file = project.path / ".env"
    text, count = re.subn(
        r"^DATABASE_URL=.*$", f"DATABASE_URL={url}", env_file.read_text(), flags=re.MULTILINE
    )
    assert count == 1, "DATABASE_URL is not set in .env.example"
    env_file.write_text(text)


def bad_urls(kind: str, server: str, database: str) -> dict[str, tuple[str, str]]:
    """For each kind of failure: a URL that has it, and what the one line must say."""
    address = urlsplit(server)
    host, port = address.hostname, address.port
    refused = (
        f"postgresql://tpl_nobody:wrong@{host}:{port}/{database}"
        if kind == "postgresql"
        else f"mysql://root:wrong-password@{host}:{port}/{database}"
    )
    return {
        "unreachable": (
            with_path(server, f"/{database}").replace(f":{port}/", ":1/"),
            f"no database server answers at {host}:1",
        ),
        "missing": (with_path(server, f"/{database}"), f'database "{database}" does not exist'),
        "refused": (refused, "refused user"),
    }


@pytest.mark.parametrize("variant", first_run_params())
def test_the_readme_path_without_docker_works_and_failures_take_one_line(
    installed: Project, backing_services: BackingServices
) -> None:
    project = installed
    commands = readme_commands(project)
    assert commands[:2] == ["uv sync --locked", "cp .env.example .env"], commands
    kind = project.answers["database"]
    env_file = project.path / ".env"
    try:
        assert run(project, commands[1], {}).returncode == 0
        if kind != "sqlite":
            server = backing_services.urls[kind]
            database = f"tpl_{uuid.uuid4().hex[:12]}"
            backing_services.created.append((kind, database))
            failures = bad_urls(kind, server, database)
            set_database_url(project, failures["missing"][0])
            assert_admin_commands_explain(project, failures)
        *setup, web_command = commands[2:]
        for command in setup:
            result = run(project, command, {})
            if (
                "createdb" in command
                and result.returncode != 0
                and "no database server" in (result.stderr)
            ):
                unavailable(f"{kind} server unreachable: {result.stderr.strip()}")
            assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
            assert "Traceback" not in result.stdout + result.stderr, command
            if command.endswith(" release"):
                # Readable lines of our own, and no library announcing its plugins.
                assert result.stdout.strip(), "release logged nothing"
                for line in result.stdout.splitlines():
                    assert not line.startswith("{"), f"a JSON line in development: {line}"
                    assert f"{project.package}." in line, f"library chatter: {line}"
        assert_web_answers(project, web_command)
    finally:
        env_file.unlink(missing_ok=True)


def assert_admin_commands_explain(project: Project, failures: dict[str, tuple[str, str]]) -> None:
    """Each admin command, given each failure, exits non-zero with one line naming it."""
    cases = [
        (command, failure, url, expected)
        for command in (*ADMIN_COMMANDS, "createdb")
        for failure, (url, expected) in failures.items()
        if (command, failure) != ("createdb", "missing")
    ]
    executable = project.path / ".venv" / "bin" / project.package

    def attempt(case: tuple[str, str, str, str]) -> subprocess.CompletedProcess[str]:
        command, failure, url, _ = case
        # The missing database is the one .env names; the other failures override it.
        env = {} if failure == "missing" else {"DATABASE_URL": url}
        return run(project, f"{executable} {command}", env)

    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        results = list(pool.map(attempt, cases))
    for (command, failure, _, expected), result in zip(cases, results, strict=True):
        described = f"{command} with a {failure} database:\n{result.stdout}\n{result.stderr}"
        assert result.returncode != 0, described
        assert "Traceback" not in result.stdout + result.stderr, described
        assert result.stderr.count("\n") == 1, described
        assert expected in result.stderr, described
        fix = {"unreachable": "DATABASE_URL", "missing": "createdb", "refused": "DATABASE_URL"}
        assert fix[failure] in result.stderr, described


def assert_web_answers(project: Project, web_command: str) -> None:
    """Start web as the README says (on a free port) and use the sample resource."""
    assert web_command.endswith(f"{project.package} web"), web_command
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key.startswith("PYENV")}
    process = Process(Path(project.path), web_command, {**environment, "PORT": str(port)}, "web")
    try:
        wait_until_serving(process, port, timeout=120)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            created = client.post("/api/items", json={"name": "first run"})
            assert created.status_code == 201, created.text
            fetched = client.get(f"/api/items/{created.json()['id']}")
            assert fetched.status_code == 200, fetched.text
    finally:
        process.stop()
    assert "Traceback" not in process.stdout + process.stderr, process.describe()
