"""Copier migration: after an update, print what needs the person's attention.

Copier runs this in the updated project at the end of every `copier update` (the `after` stage of
`_migrations` in copier.yml: Copier's `_tasks` run before it merges, when no conflict exists yet).
It reports conflicts (files with markers, `.rej` files), a `pyproject.toml` that changed while
`uv.lock` did not, and `.env` values that no longer fit the answers. It only reads, and never fails
the update.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extensions.context import derived_context
from extensions.variants import variants

CONFLICT_MARKER = re.compile(r"^(<<<<<<<|>>>>>>>)( |$)", re.MULTILINE)


def git(project: Path, *arguments: str) -> list[str]:
    """Lines of a git command's output in the project; none when git fails (e.g. no repository)."""
    result = subprocess.run(
        ["git", *arguments], cwd=project, capture_output=True, text=True, check=False
    )
    return result.stdout.splitlines() if result.returncode == 0 else []


def conflicts(project: Path) -> list[str]:
    """Files the update could not merge: unmerged paths, files with markers, and `.rej` files."""
    found = {line.split("\t", 1)[1] for line in git(project, "ls-files", "-u") if "\t" in line}
    changed = git(project, "diff", "--name-only", "HEAD") + git(
        project, "ls-files", "--others", "--exclude-standard"
    )
    for name in changed:
        path = project / name
        marked = path.is_file() and CONFLICT_MARKER.search(path.read_text(errors="replace"))
        if name.endswith(".rej") or marked:
            found.add(name)
    return sorted(found)


def pyproject_changed(project: Path) -> bool:
    """Whether the update changed pyproject.toml (uv.lock is the project's: updates leave it)."""
    return bool(git(project, "diff", "--name-only", "HEAD", "--", "pyproject.toml"))


def variables_before_update(project: Path) -> set[str] | None:
    """The variables .env.example set before the update; None without a committed one."""
    committed = git(project, "show", "HEAD:.env.example")
    if not committed:
        return None
    return {line.split("=", 1)[0] for line in committed if line and not line.startswith("#")}


def read_env(path: Path) -> dict[str, str]:
    """The variables a .env file sets (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip().strip("\"'")
    return values


def stale_env_values(
    env: dict[str, str], answers: dict[str, Any], before: set[str] | None
) -> list[str]:
    """Each .env value that these answers no longer read, or read in another form; and the
    variables this update added that .env lacks (`before`: those .env.example had)."""
    declared = {variable["name"]: variable for variable in derived_context(answers)["env_vars"]}
    any_variant = {
        variable["name"]
        for variant in variants()
        for variable in derived_context({**answers, **variant})["env_vars"]
    }
    problems = []
    for name, value in env.items():
        variable = declared.get(name)
        if variable is None:
            if name in any_variant:
                problems.append(f".env: {name} is no longer read: remove it")
            continue
        schemes = variable["url_schemes"]
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if schemes and value and scheme not in schemes:
            expected = " or ".join(f"{option}://" for option in schemes)
            problems.append(f".env: {name} is {scheme or 'not'}://; these answers need {expected}")
    new = [
        name
        for name, variable in declared.items()
        if before is not None
        and name not in before | env.keys()
        and variable["development_default"] is not None
    ]
    if new:
        problems.append(f".env: new {', '.join(new)}: see .env.example")
    return problems


def report(project: Path) -> list[str]:
    """Every line that needs the person's attention after this update."""
    lines = [
        f"conflict: {name}: apply its hunks by hand, then delete it"
        if name.endswith(".rej")
        else f"conflict: {name}: combine both sides, then `git add` it"
        for name in conflicts(project)
    ]
    if pyproject_changed(project):
        lines.append(
            "pyproject.toml changed: run `uv lock` (`uv sync --locked` fails until you do)"
        )
    env_file = project / ".env"
    answers_file = project / ".copier-answers.yml"
    if env_file.is_file() and answers_file.is_file():
        recorded = yaml.safe_load(answers_file.read_text()) or {}
        answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
        lines += stale_env_values(read_env(env_file), answers, variables_before_update(project))
    return lines


def main() -> None:
    """Print the report for the project in the working directory."""
    try:
        lines = report(Path.cwd())
    except Exception as error:  # a report must never fail the update it reports on
        print(f"Update report unavailable ({type(error).__name__}: {error})")
        return
    if not lines:
        print("Update report: no conflicts; pyproject.toml unchanged; .env fits the answers.")
        return
    print(f"Update report: {len(lines)} thing(s) need you before you commit:")
    for line in lines:
        print(f"  - {line}")


if __name__ == "__main__":
    main()
