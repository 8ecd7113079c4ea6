"""Every variant renders into a tidy project: lint-clean, formatted, no Jinja left, right files."""

from __future__ import annotations

import re
import subprocess
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from extensions.variants import choices
from tests.conftest import VARIANTS, Project, load_yaml, load_yaml_documents, variant_params

JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|%\}|\{#|#\}")
TEXT_SUFFIXES = {
    ".py",
    ".toml",
    ".yml",
    ".yaml",
    ".md",
    ".ini",
    ".mako",
    ".example",
    ".env",
    ".txt",
    "",
}


@pytest.fixture(params=variant_params())
def project(request: pytest.FixtureRequest, rendered) -> Project:
    """One variant, as Copier rendered it (once per worker, shared by the checks of this file)."""
    return rendered(request.param)


def text_files(project: Project) -> list[Path]:
    """The generated files a person reads (the lock is uv's, not ours)."""
    return [
        path for path in project.files() if path.suffix in TEXT_SUFFIXES and path.name != "uv.lock"
    ]


def test_the_output_is_ruff_clean_and_formatted(project: Project) -> None:
    check = project.run("ruff", "check", "--no-cache", ".")
    assert check.returncode == 0, check.stdout + check.stderr
    formatted = project.run("ruff", "format", "--no-cache", "--check", "--diff", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_no_jinja_is_left_and_no_blank_line_litter(project: Project) -> None:
    for relative in text_files(project):
        text = (project.path / relative).read_text()
        assert not JINJA_LEFTOVER.search(text), f"{relative}: Jinja left in the output"
        assert "\n\n\n\n" not in text, f"{relative}: more than two blank lines in a row"
        assert text.endswith("\n") and not text.endswith("\n\n"), (
            f"{relative}: should end with one newline"
        )
        for number, line in enumerate(text.splitlines(), start=1):
            assert line == line.rstrip(), f"{relative}:{number}: trailing whitespace"
        if relative.suffix not in {".py", ".mako"}:
            assert "\n\n\n" not in text, f"{relative}: two blank lines in a row"


def test_structured_files_parse(project: Project) -> None:
    tomllib.loads((project.path / "pyproject.toml").read_text())
    tomllib.loads((project.path / "uv.lock").read_text())
    for relative in project.files():
        if relative.suffix in {".yml", ".yaml"}:
            documents = load_yaml_documents((project.path / relative).read_text())
            assert documents and None not in documents, relative


def test_files_exist_as_the_answers_say(project: Project) -> None:
    files = {str(path) for path in project.files()}
    package = f"src/{project.package}"
    context = project.context
    assert ("alembic.ini" in files) == context["uses_sqlalchemy"]
    assert (f"{package}/jobs.py" in files) == context["has_queue"]
    assert (f"{package}/db.py" in files) == context["has_database"]
    assert (f"{package}/migrations/versions/0001_create_items.py" in files) == context[
        "uses_sqlalchemy"
    ]
    expected = {
        ".env.example",
        ".gitignore",
        ".dockerignore",
        "Dockerfile",
        "Procfile",
        "compose.yaml",
        "README.md",
        "pyproject.toml",
        "uv.lock",
        ".python-version",
        ".copier-answers.yml",
        ".github/workflows/ci.yml",
        ".github/dependabot.yml",
        ".github/zizmor.yml",
        ".pre-commit-config.yaml",
        ".devcontainer/devcontainer.json",
        ".devcontainer/compose.yaml",
        f"{package}/cli.py",
        f"{package}/config.py",
        f"{package}/logs.py",
    }
    assert expected <= files, expected - files


def test_the_procfile_names_the_process_types(project: Project) -> None:
    from tests.processes import procfile

    assert procfile(project.path) == project.context["process_types"]
    assert "web" in procfile(project.path)
    assert ("release" in procfile(project.path)) == project.context["has_database"]
    if "scheduler" in procfile(project.path):
        assert "exactly one scheduler" in (project.path / "Procfile").read_text().lower()


def test_every_variable_is_documented_and_composed(project: Project) -> None:
    names = [variable["name"] for variable in project.context["env_vars"]]
    example = (project.path / ".env.example").read_text()
    for name in names:
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), (
            f"{name} missing from .env.example"
        )
    compose = load_yaml((project.path / "compose.yaml").read_text())
    composed = compose["x-app"]["environment"]
    assert set(composed) <= set(names)
    assert "DATABASE_URL" in composed or not project.context["has_database"]


def test_the_docs_name_only_the_database_urls_the_variant_accepts(project: Project) -> None:
    from extensions.catalogue import DATABASES

    own = DATABASES.get(project.answers["database"])
    accepted = set(own.url_schemes) if own else set()
    foreign = {scheme for database in DATABASES.values() for scheme in database.url_schemes}
    for name in ("README.md", ".env.example", f"src/{project.package}/config.py"):
        text = (project.path / name).read_text()
        for scheme in foreign - accepted:
            assert f"{scheme}://" not in text, f"{name} offers {scheme}:// URLs"


def test_the_dev_container_runs_with_the_backing_services_of_compose(project: Project) -> None:
    import json

    folder = project.path / ".devcontainer"
    settings = json.loads((folder / "devcontainer.json").read_text())
    services: dict[str, Any] = {}
    for name in settings["dockerComposeFile"]:
        services |= load_yaml((folder / name).read_text())["services"]

    assert settings["service"] in settings["runServices"]
    assert set(settings["runServices"]) <= set(services)
    assert set(project.context["compose_backing_services"]) <= set(settings["runServices"])
    development = services[settings["service"]]
    assert set(project.context["compose_backing_services"]) <= set(
        development.get("depends_on", {})
    )
    app = load_yaml((project.path / "compose.yaml").read_text())["x-app"]
    assert app["environment"].items() <= development["environment"].items()


def test_the_dockerfile_passes_hadolint(project: Project) -> None:
    # Every rule, down to style, with no rule ignored.
    result = subprocess.run(
        ["hadolint", "--failure-threshold", "style", str(project.path / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_variant_has_a_lock_and_every_lock_a_variant() -> None:
    from extensions.variants import TEMPLATE_ROOT, variant_id

    locks = {path.stem for path in (TEMPLATE_ROOT / "locks").glob("*.lock")}
    assert locks == {variant_id(variant) for variant in VARIANTS}


def test_the_readme_lists_paths_the_project_has(project: Project) -> None:
    section = (project.path / "README.md").read_text().split("## Where things are")[1]
    rows = [line for line in section.split("\n## ")[0].splitlines() if line.startswith("| ")]
    listed = [path for row in rows[2:] for path in re.findall(r"`([^`]+)`", row.split(" | ")[-1])]
    assert listed
    for path in listed:
        assert (project.path / path).exists(), f"README lists {path}, which the project lacks"


# A phrase from each licence's official text, so that a LICENSE file is known to hold the real one.
LICENCE_PHRASES = {
    "MIT": "Permission is hereby granted, free of charge, to any person obtaining a copy",
    "Apache-2.0": "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
    "BSD-3-Clause": "Neither the name of the copyright holder nor the names of its",
}


@pytest.mark.parametrize("licence", choices("license"))
def test_a_licence_file_holds_the_licence_with_year_and_author(generate, licence: str) -> None:
    project = generate(database="none", license=licence, author_name="Orders Team")
    licence_file = project.path / "LICENSE"

    if licence not in LICENCE_PHRASES:
        assert not licence_file.exists()
        assert "license =" not in (project.path / "pyproject.toml").read_text()
        return
    text = licence_file.read_text()
    assert LICENCE_PHRASES[licence] in text
    (notice,) = [line for line in text.splitlines() if line.strip().startswith("Copyright ")]
    assert str(datetime.now(UTC).year) in notice
    assert "Orders Team" in notice
    assert f'license = "{licence}"' in (project.path / "pyproject.toml").read_text()
