"""The template's shortcuts around Copier and Jinja apply, and render what Copier and Jinja would.

- extensions/file_mode.py: Copier asks git about the destination's `core.fileMode` once per
  rendering, not once per file, with the same result, also in a repository that ignores modes;
- extensions/compiled_templates.py: strings of text alone become templates without compiling;
- extensions/filters.py, `stored_lock`: a stored lock reads as `{% include %}` renders it.

The quick layer's other tests render every variant through them; these check each against what
it replaces, on its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest
from copier._main import Worker
from jinja2 import DictLoader, Environment
from jinja2.sandbox import SandboxedEnvironment

from extensions import file_mode
from extensions.compiled_templates import CompiledStrings, TextTemplate, plain_text
from extensions.dependencies import PROJECT_IN_LOCK
from extensions.filters import stored_lock
from extensions.variants import TEMPLATE_ROOT, variant_id
from tests.conftest import Project

COPIER = str(Path(sys.executable).parent / "copier")
GIT = shutil.which("git")
FILE_MODE_QUESTION = "config --type=bool --get core.fileMode"


def test_the_file_mode_shortcut_applies_to_the_templates_copier() -> None:
    assert file_mode.applies(), (
        f"Copier {copier.__version__} is not one extensions/file_mode.py knows: read its "
        "Worker._sync_git_index_executable_bit and _render_template, and add the version to "
        "COPIER_VERSIONS if the module still holds for it."
    )


def test_another_copier_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    methods = (Worker._render_template, Worker._sync_git_index_executable_bit)
    monkeypatch.setattr(copier, "__version__", "10.0.0")
    assert not file_mode.applies()
    file_mode.install()
    assert (Worker._render_template, Worker._sync_git_index_executable_bit) == methods


@pytest.fixture
def small_template(tmp_path: Path) -> tuple[Path, Path]:
    """Two templates of three files, one an executable script: with the file-mode shortcut
    (loaded by path as the template's copier.yml would) and without it."""
    templates = []
    for name, extensions in (
        (
            "with",
            "\n  - copier_template_extensions.TemplateExtensionLoader"
            "\n  - extensions/file_mode.py:FileModeOncePerRendering",
        ),
        ("without", " []"),
    ):
        template = tmp_path / f"template-{name}"
        (template / "files").mkdir(parents=True)
        (template / "copier.yml").write_text(
            f"_subdirectory: files\n_jinja_extensions:{extensions}\n"
        )
        (template / "extensions").mkdir()
        shutil.copy(TEMPLATE_ROOT / "extensions" / "file_mode.py", template / "extensions")
        (template / "files" / "run.sh").write_text("#!/bin/sh\necho run\n")
        (template / "files" / "run.sh").chmod(0o755)
        (template / "files" / "a.txt").write_text("a\n")
        (template / "files" / "b.txt").write_text("b\n")
        templates.append(template)
    return templates[0], templates[1]


def copy_counting_git(
    template: Path, destination: Path, calls: Path, answers: list[str] | None = None
) -> list[str]:
    """`copier copy` in a process of its own, with a `git` that notes its arguments on PATH;
    the git commands Copier ran."""
    assert GIT is not None
    bin_folder = calls.parent / "bin"
    bin_folder.mkdir(exist_ok=True)
    (bin_folder / "git").write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\nexec {GIT} "$@"\n')
    (bin_folder / "git").chmod(0o755)
    calls.write_text("")
    environment = {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}"}
    options = ["--trust", "--defaults", "--overwrite", "--quiet"]
    subprocess.run(
        [COPIER, "copy", *options, *(answers or []), str(template), str(destination)],
        env=environment,
        check=True,
        capture_output=True,
    )
    return calls.read_text().splitlines()


def test_git_is_asked_about_file_modes_once_per_copy(
    small_template: tuple[Path, Path], tmp_path: Path
) -> None:
    with_shortcut, without = small_template
    asked = copy_counting_git(with_shortcut, tmp_path / "with", tmp_path / "calls-with")
    assert asked.count(FILE_MODE_QUESTION) == 1, asked
    asked = copy_counting_git(without, tmp_path / "without", tmp_path / "calls-without")
    assert asked.count(FILE_MODE_QUESTION) == 3, asked  # Copier's own way: once per file
    assert (tmp_path / "with" / "run.sh").stat().st_mode == (
        tmp_path / "without" / "run.sh"
    ).stat().st_mode


def test_this_template_asks_git_about_file_modes_once_per_copy(
    template: Path, tmp_path: Path
) -> None:
    """The template's own copy: its questions make Copier's Jinja environment, and so load the
    shortcut, before the rendering (the small templates above load it during their rendering)."""
    answers = ["-d", "project_name=Sample Service", "-d", "queue=redis"]
    asked = copy_counting_git(template, tmp_path / "project", tmp_path / "calls", answers)
    assert asked.count(FILE_MODE_QUESTION) == 1, asked


def git(repository: Path, *arguments: str) -> str:
    """Run git in a repository; its output."""
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *arguments],
        cwd=repository,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.mark.parametrize("file_mode_setting", ["false", "true"])
def test_a_repository_gets_the_same_index_with_the_shortcut_as_without(
    small_template: tuple[Path, Path], tmp_path: Path, file_mode_setting: str
) -> None:
    """Where the repository ignores file modes, Copier writes the executable bit into its index
    (the reason it asks git); where it does not, the index is left to the user's next commit."""
    indexes = []
    for template, name in zip(small_template, ("with", "without"), strict=True):
        repository = tmp_path / name
        repository.mkdir()
        git(repository, "init", "--quiet")
        git(repository, "config", "core.fileMode", file_mode_setting)
        for file in ("run.sh", "a.txt"):
            (repository / file).write_text("before\n")
        git(repository, "add", "-A")
        git(repository, "commit", "--quiet", "-m", "before the copy")
        asked = copy_counting_git(template, repository, tmp_path / f"calls-{name}")
        indexes.append(git(repository, "ls-files", "--stage"))
        if name == "with":
            expected = 1 if file_mode_setting == "true" else 1 + 3  # then Copier's own, per file
            assert asked.count(FILE_MODE_QUESTION) == expected, asked
    assert indexes[0] == indexes[1]
    run_mode = next(line for line in indexes[0].splitlines() if line.endswith("run.sh"))[:6]
    assert run_mode == ("100755" if file_mode_setting == "false" else "100644")


# Edge cases of text alone, and strings that are not.
STRINGS = ["", "src", "a b", "x.py.jinja", "{", "}", "}}", "%}", "#}", "{ {", "a{", "{x}", "$"]
TEMPLATED = ["{{ x }}", "{% if x %}y{% endif %}", "{# c #}", "line\n", "a\r\nb", "{{x"]


def path_parts() -> list[str]:
    """Every file and folder name of template/, as Copier renders them one by one."""
    return sorted({path.name for path in (TEMPLATE_ROOT / "template").rglob("*")})


@pytest.mark.parametrize("source", STRINGS + TEMPLATED + path_parts())
def test_a_string_renders_as_jinja_renders_it(source: str) -> None:
    settings = {"keep_trailing_newline": True}  # Copier's setting
    jinja = SandboxedEnvironment(**settings)
    ours = SandboxedEnvironment(**settings, extensions=[CompiledStrings])
    context = {"x": "X", "package_name": "pkg", "_copier_conf": {"answers_file": "a.yml"}}
    try:
        expected = jinja.from_string(source).render(context)
    except Exception as error:
        with pytest.raises(type(error)):
            ours.from_string(source).render(context)
        return
    template = ours.from_string(source)
    assert template.render(context) == expected
    assert "".join(template.generate(context)) == expected
    assert isinstance(template, TextTemplate) == (plain_text(ours, source) is not None)
    if source in STRINGS:
        assert isinstance(template, TextTemplate)
    if source in TEMPLATED:
        assert not isinstance(template, TextTemplate)


def render_lock(lock_text: str | None, source: str, keep_trailing_newline: bool) -> str:
    """A template `source` rendered where `locks/l.lock` holds `lock_text` (None: no such file)."""
    files = {} if lock_text is None else {"locks/l.lock": lock_text}
    environment = Environment(loader=DictLoader(files), keep_trailing_newline=keep_trailing_newline)
    environment.filters["stored_lock"] = stored_lock
    return environment.from_string(source).render(lock_file="locks/l.lock", project_slug="svc")


INCLUDE = "{% include lock_file ignore missing %}"


@pytest.mark.parametrize(
    "lock_text",
    [
        "[[package]]\n" + PROJECT_IN_LOCK + '\nx = { a = "{b}", c = "}}" }\n',
        PROJECT_IN_LOCK + "\n{{ 1 + 1 }}\n",  # other Jinja: rendered as the include would
        PROJECT_IN_LOCK + "\r\nx\r\n",  # line endings Jinja rewrites
        None,  # no stored lock: empty, as `ignore missing` renders it
    ],
)
@pytest.mark.parametrize("keep_trailing_newline", [True, False])  # Copier's, and Jinja's default
def test_a_stored_lock_renders_as_its_include(
    lock_text: str | None, keep_trailing_newline: bool
) -> None:
    filtered = render_lock(lock_text, "{{ lock_file | stored_lock }}", keep_trailing_newline)
    assert filtered == render_lock(lock_text, INCLUDE, keep_trailing_newline)


def test_every_stored_lock_is_read_without_jinja() -> None:
    """The quick way applies to every lock: the project's name is the only Jinja in it."""
    for lock in sorted((TEMPLATE_ROOT / "locks").glob("*.lock")):
        text = lock.read_text()
        assert text.count(PROJECT_IN_LOCK) == 1, lock.name
        rest = text.replace(PROJECT_IN_LOCK, "")
        assert not any(mark in rest for mark in ("{{", "{%", "{#", "\r")), lock.name


def test_a_variants_lock_is_its_stored_lock_rendered(rendered) -> None:
    variant = {"framework": "fastapi", "database": "postgresql", "queue": "redis"}
    project: Project = rendered(variant)
    stored = (TEMPLATE_ROOT / "locks" / f"{variant_id(variant)}.lock").read_text()
    expected = (
        Environment(keep_trailing_newline=True)
        .from_string(stored)
        .render(project_slug=project.answers["project_slug"])
    )
    assert (project.path / "uv.lock").read_text() == expected
