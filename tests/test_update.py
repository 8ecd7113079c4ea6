"""`copier update` brings template changes into a generated service without losing the user's work.

The tests build their own template history in a temporary git repository: `v0.1.0` is the
working tree with a line changed back to an older state, `v0.2.0` is the working tree itself.
They never depend on the tags of this repository. Projects are generated and updated through
pytest-copie's `copie` fixture.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_update
from pytest_copie.plugin import Result

from extensions.context import derived_context
from extensions.variants import snapshot
from tests.conftest import Project, pairwise_variant_params

pytestmark = pytest.mark.slow

OLD_DOCSTRING = '"""Log lines on standard output."""'
NEW_DOCSTRING = (
    '"""JSON log lines on standard output, for the app, the HTTP server and the libraries alike."""'
)
LOGS_TEMPLATE = Path("template/src/{{package_name}}/logs.py.jinja")
# A change of a fact in extensions/ (a variable's description, in .env.example, the README and the
# settings), which Copier renders through the template's own modules.
OLD_LOG_LEVEL_HELP = "Level of the lowest log lines written."
NEW_LOG_LEVEL_HELP = "Lowest level that is logged: DEBUG, INFO, WARNING, ERROR or CRITICAL."
ENVIRONMENT_MODULE = Path("extensions/environment.py")
GIT_IDENTITY = ["-c", "user.name=Template Tests", "-c", "user.email=tests@example.com"]


def git(repository: Path, *arguments: str) -> str:
    """Run git in a repository and return its output."""
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *arguments],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def commit_all(repository: Path, message: str) -> None:
    """Stage and commit everything."""
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message)


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as a git repository with two releases, v0.1.0 (older) and v0.2.0 (now)."""
    repository = snapshot(tmp_path_factory.mktemp("history"))
    changes = {LOGS_TEMPLATE: NEW_DOCSTRING, ENVIRONMENT_MODULE: NEW_LOG_LEVEL_HELP}
    olds = {LOGS_TEMPLATE: OLD_DOCSTRING, ENVIRONMENT_MODULE: OLD_LOG_LEVEL_HELP}
    current = {path: (repository / path).read_text() for path in changes}
    git(repository, "init", "-q", "-b", "main")
    for path, new in changes.items():
        assert current[path].count(new) == 1, f"update the text this test changes in {path}"
        (repository / path).write_text(current[path].replace(new, olds[path]))
    commit_all(repository, "The previous release")
    git(repository, "tag", "v0.1.0")
    for path, text in current.items():
        (repository / path).write_text(text)
    commit_all(repository, "The release under test")
    git(repository, "tag", "v0.2.0")
    return repository


def generate_old(
    copie: Any, history: Path, answers: dict[str, str], vcs_ref: str | None = "v0.1.0"
) -> Project:
    """Generate from v0.1.0 and commit, as a team did when it started its service."""
    result = copie.copy(
        extra_answers={"project_name": "Sample Service", **answers},
        template_dir=history,
        vcs_ref=vcs_ref,
    )
    if result.exception is not None:
        raise result.exception
    git(result.project_dir, "init", "-q", "-b", "main")
    commit_all(result.project_dir, "Generate from the template")
    return Project(result.project_dir, result.answers, derived_context(result.answers))


def resolve(project: Project, *command: str) -> subprocess.CompletedProcess[str]:
    """Run a uv command that resolves the project's dependencies (`uv add`, `uv lock`) with the
    index pages uv's cache holds, and asks the index only when one of them is missing there.

    uv fetches again every page older than the index lets it keep one (ten minutes on PyPI; no
    time at all behind an index that sends no caching headers): some six seconds of waiting
    per resolution. What these tests check of the lock does not depend on how fresh the pages
    are.
    """
    cached = project.run(*command, "--offline")
    if cached.returncode == 0:
        return cached
    return project.run(*command)


def make_user_edits(project: Project, dependency: str | None = "humanize>=4") -> None:
    """What a team does in its first weeks: new code, a changed setting, a new dependency."""
    package = project.path / "src" / project.package
    (package / "reports.py").write_text(
        '"""Reports of our own."""\n\n\ndef weekly_total(amounts: list[int]) -> int:\n'
        '    """Sum a week of amounts."""\n    return sum(amounts)\n'
    )
    config = package / "config.py"
    config.write_text(
        config.read_text().replace(
            "web_concurrency: int = Field(default=2", "web_concurrency: int = Field(default=4"
        )
    )
    if dependency:
        added = resolve(project, "uv", "add", "--no-sync", dependency)
        assert added.returncode == 0, added.stderr
    commit_all(project.path, "Our own changes")


def update(copie: Any, project: Project, **data: str) -> None:
    """Update to v0.2.0 as the docs say: `copier update --trust --defaults [--data ...]`.

    pytest-copie's update passes answers as defaults, which lose to the answers a project
    recorded: a changed answer goes to Copier as data, as `--data` does.
    """
    if data:
        run_update(
            project.path,
            data=data,
            vcs_ref="v0.2.0",
            defaults=True,
            overwrite=True,
            unsafe=True,
            quiet=True,
        )
        return
    result = copie.update(Result(project_dir=project.path), vcs_ref="v0.2.0")
    if result.exception is not None:
        raise result.exception


def assert_no_conflicts(project: Project) -> None:
    """No conflict markers, no .rej files."""
    for relative in project.files():
        assert relative.suffix != ".rej", relative
        if relative.name == "uv.lock" or relative.suffix in {
            ".py",
            ".toml",
            ".md",
            ".yml",
            ".yaml",
            ".ini",
            "",
        }:
            text = (project.path / relative).read_text(errors="replace")
            assert not re.search(r"^(<<<<<<<|>>>>>>>) ", text, re.MULTILINE), (
                f"conflict in {relative}"
            )


def assert_user_edits_kept(project: Project, dependency: str | None = "humanize>=4") -> None:
    """The edits of make_user_edits survived."""
    package = project.path / "src" / project.package
    assert (package / "reports.py").is_file()
    assert "Field(default=4" in (package / "config.py").read_text()
    if dependency:
        assert dependency in (project.path / "pyproject.toml").read_text()


# A pairwise set of variants (every answer next to every answer of another question): an update
# merges the same files in every variant, which differ by one answer or two together; each
# variant's whole suite already runs in test_variants.py.
@pytest.mark.parametrize("variant", pairwise_variant_params())
def test_update_brings_template_changes_and_keeps_user_edits(
    copie: Any, history: Path, variant: dict[str, str], attached_for
) -> None:
    project = generate_old(copie, history, variant)
    logs = project.path / "src" / project.package / "logs.py"
    assert logs.read_text().startswith(OLD_DOCSTRING)
    assert OLD_LOG_LEVEL_HELP in (project.path / ".env.example").read_text()
    make_user_edits(project)

    update(copie, project)

    assert_no_conflicts(project)
    assert_user_edits_kept(project)
    assert logs.read_text().startswith(NEW_DOCSTRING)
    # The newer release renders with its own extensions/, not the older one's Copier read first.
    assert NEW_LOG_LEVEL_HELP in (project.path / ".env.example").read_text()
    assert yaml.safe_load((project.path / ".copier-answers.yml").read_text())["_commit"] == "v0.2.0"
    assert_project_tests_pass(project, attached_for(project), MERGE_CHECKS)


# The files of every project's suite that touch what an update merges (settings, the app, the
# database); the whole suite of every variant already runs in test_variants.py.
MERGE_CHECKS = ("tests/test_config.py", "tests/test_health.py", "tests/test_http.py")


def assert_project_tests_pass(
    project: Project, environment: dict[str, str], paths: tuple[str, ...] = ()
) -> None:
    """After `uv lock` (the lock is the project's own), it installs and its own tests pass."""
    locked = resolve(project, "uv", "lock", "--quiet")
    assert locked.returncode == 0, locked.stderr
    synced = project.run("uv", "sync", "--locked", "--quiet")
    assert synced.returncode == 0, synced.stderr
    tested = project.run(
        "uv", "run", "--locked", "pytest", "-q", "-p", "no:cacheprovider", *paths, env=environment
    )
    assert tested.returncode == 0, tested.stdout[-6000:] + tested.stderr[-3000:]


def test_a_line_changed_on_both_sides_is_a_reported_conflict(
    copie: Any, history: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project = generate_old(copie, history, {"database": "sqlite"})
    logs = project.path / "src" / project.package / "logs.py"
    logs.write_text(logs.read_text().replace(OLD_DOCSTRING, '"""Our own logging setup."""', 1))
    commit_all(project.path, "Our docstring")
    capfd.readouterr()

    update(copie, project)

    report = capfd.readouterr().out
    assert f"conflict: src/{project.package}/logs.py" in report
    assert "pyproject.toml changed" not in report

    text = logs.read_text()
    assert "<<<<<<< before updating" in text
    assert '"""Our own logging setup."""' in text
    assert NEW_DOCSTRING in text
    assert "logs.py" in git(project.path, "diff", "--name-only", "--diff-filter=U") + git(
        project.path, "status", "--porcelain"
    )


def test_the_update_report_names_stale_env_values_and_a_changed_pyproject(
    copie: Any, history: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project = generate_old(copie, history, {"database": "none", "queue": "redis"})
    # The developer's .env, as the README says to make it (git ignores it).
    (project.path / ".env").write_text((project.path / ".env.example").read_text())
    capfd.readouterr()

    update(copie, project, queue="rabbitmq")

    report = capfd.readouterr().out
    assert "conflict:" not in report
    assert "pyproject.toml changed: run `uv lock`" in report
    (stale_url,) = [line for line in report.splitlines() if ".env: BROKER_URL" in line]
    assert "redis://" in stale_url
    assert "amqp:// or amqps://" in stale_url
    assert ".env: BROKER_VISIBILITY_TIMEOUT is no longer read" in report


def test_an_update_with_nothing_to_do_reports_so(
    copie: Any, history: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    project = generate_old(copie, history, {"database": "sqlite"})
    (project.path / ".env").write_text((project.path / ".env.example").read_text())
    capfd.readouterr()

    update(copie, project)

    assert "Update report: no conflicts" in capfd.readouterr().out


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"database": "sqlite"}, {"database": "postgresql"}),
        ({"database": "none"}, {"database": "sqlite"}),
    ],
    ids=["sqlite-to-postgresql", "none-to-sqlite"],
)
def test_re_answering_adds_a_capability(
    copie: Any, history: Path, before: dict[str, str], after: dict[str, str], attached_for
) -> None:
    project = generate_old(copie, history, before)
    # A dependency added next to one the template adds would conflict in pyproject.toml (see
    # docs/updating.md), so this team has only added code and changed a setting.
    make_user_edits(project, dependency=None)

    update(copie, project, **after)

    assert_no_conflicts(project)
    assert_user_edits_kept(project, dependency=None)
    answers = yaml.safe_load((project.path / ".copier-answers.yml").read_text())
    assert {key: answers[key] for key in after} == after
    assert (project.path / "src" / project.package / "db.py").is_file()
    project.answers.update(after)
    assert_project_tests_pass(project, attached_for(project))


def test_an_answer_under_a_renamed_question_is_carried_over(
    copie: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repository = snapshot(tmp_path_factory.mktemp("renamed"))
    questions = repository / "copier.yml"
    current = questions.read_text()
    migration = repository / "extensions" / "answers_migration.py"
    # The previous release asked `db_engine`; `database` followed from it and was not recorded.
    old = current.replace("\ndatabase:\n", "\ndb_engine:\n", 1) + (
        '\ndatabase:\n  type: str\n  default: "{{ db_engine }}"\n  when: false\n'
    )
    git(repository, "init", "-q", "-b", "main")
    questions.write_text(old)
    commit_all(repository, "Ask db_engine")
    git(repository, "tag", "v0.1.0")
    questions.write_text(current)
    migration.write_text(
        migration.read_text().replace(
            "RENAMED_ANSWERS: dict[str, str] = {}",
            'RENAMED_ANSWERS: dict[str, str] = {"db_engine": "database"}',
        )
    )
    commit_all(repository, "Rename db_engine to database")
    git(repository, "tag", "v0.2.0")

    project = generate_old(copie, repository, {"db_engine": "sqlite"})
    assert project.answers["db_engine"] == "sqlite"
    assert "database" not in project.answers

    update(copie, project)

    answers = yaml.safe_load((project.path / ".copier-answers.yml").read_text())
    assert answers["database"] == "sqlite"
    assert "db_engine" not in answers
    assert_no_conflicts(project)
    assert "sqlite" in (project.path / ".env.example").read_text()


def test_before_the_first_tag_an_update_follows_the_newest_commit(
    copie: Any, tmp_path_factory: pytest.TempPathFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    repository = snapshot(tmp_path_factory.mktemp("untagged"))
    logs = repository / LOGS_TEMPLATE
    current = logs.read_text()
    git(repository, "init", "-q", "-b", "main")
    logs.write_text(current.replace(NEW_DOCSTRING, OLD_DOCSTRING, 1))
    commit_all(repository, "Before any release")
    project = generate_old(copie, repository, {"database": "none"}, vcs_ref=None)
    generated_from = yaml.safe_load((project.path / ".copier-answers.yml").read_text())["_commit"]
    logs.write_text(current)
    commit_all(repository, "Still no release")
    capfd.readouterr()

    run_update(project.path, defaults=True, overwrite=True, unsafe=True, quiet=True)

    updated_to = yaml.safe_load((project.path / ".copier-answers.yml").read_text())["_commit"]
    assert (generated_from, updated_to) == (
        git(repository, "rev-parse", "--short", "HEAD~1").strip(),
        git(repository, "rev-parse", "--short", "HEAD").strip(),
    )
    logs_file = project.path / "src" / project.package / "logs.py"
    assert logs_file.read_text().startswith(NEW_DOCSTRING)
    assert "Update report: no conflicts" in capfd.readouterr().out
