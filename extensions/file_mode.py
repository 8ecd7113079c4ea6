"""Copier asks git about the destination's `core.fileMode` once per rendering, not once per file.

Copier 9.19 carries the template's executable bits into the destination's git index when that
repository ignores file modes (`core.fileMode` false: git would not see the `chmod`). For that it
runs `git config --type=bool --get core.fileMode` in the destination after writing each file,
whenever git is on PATH, and does nothing more unless the answer is `false`: 75 git processes per
copy of this template, the same question with the same answer each time (0.15 s of CPU, a fifth
of all that `copier copy` spends).

Only Copier's renderings write files and ask (`Worker._render_template`), and nothing in one
changes the destination's configuration, so the answer is asked once per rendering and kept by
the worker until the rendering ends. Where it is `false`, every file goes through Copier's own
method as before (it asks again, then corrects the index); elsewhere Copier's method would have
returned after asking, and is not called. `copier update`, which renders three times (the old
version, the project, the new version), asks once in each.

This leans on private methods of Copier, so it applies only where they were read and tested: the
Copier releases in `COPIER_VERSIONS`, whose `Worker` has both methods with the arguments used
here. With any other Copier nothing is changed, and tests/test_rendering_shortcuts.py fails when
the template's own Copier is such a one, so that whoever upgrades it reads the methods again.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

# Where this module's wrappers keep Copier's method (another version of this module may have
# installed them: the newest one loaded wraps Copier's method, never another wrapper).
ORIGINAL = "copier_original"

COPIER_VERSIONS = ("9.19.",)
"""The Copier releases whose `_sync_git_index_executable_bit` this module was checked against."""

# Where a worker keeps, during a rendering, the answer of each destination it asked: whether
# `core.fileMode` is false there (in the worker's __dict__, as its cached properties are).
ANSWERS = "_file_mode_is_false"


def applies() -> bool:
    """Whether the optimisation is (or would be) in place: a Copier this module knows."""
    return _worker_methods() is not None


def _worker_methods() -> tuple[type, Callable[..., Any], Callable[..., Any]] | None:
    """Copier's Worker and its two methods, unwrapped, if this Copier is one this module knows."""
    try:
        import copier
        from copier._main import Worker
    except ImportError:
        return None
    if not str(getattr(copier, "__version__", "")).startswith(COPIER_VERSIONS):
        return None
    sync = _original(getattr(Worker, "_sync_git_index_executable_bit", None))
    render = _original(getattr(Worker, "_render_template", None))
    if sync is None or render is None:
        return None
    if list(inspect.signature(sync).parameters) != ["self", "dst_relpath", "src_mode"]:
        return None
    if list(inspect.signature(render).parameters) != ["self"]:
        return None
    return Worker, sync, render


def _original(method: Any) -> Callable[..., Any] | None:
    """Copier's own method behind this module's wrapper, if any; None if it is not a function."""
    method = getattr(method, ORIGINAL, method)
    return method if inspect.isfunction(method) else None


def file_mode_is_false(destination: Path) -> bool:
    """Copier's own question, asked as Copier asks it: is `core.fileMode` false in the folder?"""
    from copier._vcs import get_git
    from plumbum import ProcessExecutionError

    try:
        answer = get_git(context_dir=destination)(
            "config", "--type=bool", "--get", "core.fileMode"
        ).strip()
    except ProcessExecutionError:
        return False
    return bool(answer == "false")


def install() -> None:
    """Put the once-per-rendering question in front of Copier's methods (again: idempotent)."""
    found = _worker_methods()
    if found is None:
        return
    worker, sync, render = found

    def render_template(self: Any) -> None:
        # A rendering asks afresh (a task of an earlier run may have made the repository).
        self.__dict__.pop(ANSWERS, None)
        try:
            render(self)
        finally:
            self.__dict__.pop(ANSWERS, None)

    def sync_git_index_executable_bit(self: Any, dst_relpath: Path, src_mode: int) -> None:
        # Installed while a rendering had begun (a template without questions makes its Jinja
        # environment there), the answers last to the worker's next rendering, which clears them.
        answers = self.__dict__.setdefault(ANSWERS, {})
        destination = self.subproject.local_abspath
        if destination not in answers:
            answers[destination] = file_mode_is_false(destination)
        if answers[destination]:
            sync(self, dst_relpath, src_mode)

    setattr(render_template, ORIGINAL, render)
    setattr(sync_git_index_executable_bit, ORIGINAL, sync)
    worker._render_template = render_template  # type: ignore[attr-defined]
    worker._sync_git_index_executable_bit = sync_git_index_executable_bit  # type: ignore[attr-defined]


class FileModeOncePerRendering(Extension):
    """Installs the once-per-rendering question when Copier makes the template's environment."""

    def __init__(self, environment: Environment) -> None:
        """Install (or install again, the newest version of this module winning)."""
        super().__init__(environment)
        install()
