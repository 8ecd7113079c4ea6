"""Every variant renders into a tidy project: lint-clean, formatted, no Jinja left, right files."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
import yaml

from tests.conftest import VARIANTS, Project, variant_params

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
def project(request: pytest.FixtureRequest, generate) -> Project:
    """One variant, freshly rendered."""
    return generate(**request.param)


def text_files(project: Project) -> list:
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
            documents = list(yaml.safe_load_all((project.path / relative).read_text()))
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
    compose = yaml.safe_load((project.path / "compose.yaml").read_text())
    composed = compose["x-app"]["environment"]
    assert set(composed) <= set(names)
    assert "DATABASE_URL" in composed or not project.context["has_database"]


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
