"""Copier migration: carry answers given under an old question name over to the new one.

Copier runs this before every update (see `_migrations` in copier.yml) with the project's answers
file as argument. When a question is renamed, add `"old_name": "new_name"` to RENAMED_ANSWERS;
when one is removed, add its name to REMOVED_ANSWERS; when a choice's value is renamed, add
`("question", "old value"): "new value"` to RENAMED_CHOICES. Keep every entry for good: a project
may skip any number of releases.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

RENAMED_ANSWERS: dict[str, str] = {}
REMOVED_ANSWERS: set[str] = set()
RENAMED_CHOICES: dict[tuple[str, str], str] = {}


def migrate(answers: dict[str, object]) -> dict[str, object]:
    """Return the answers with old names and values replaced by the current ones."""
    migrated = {}
    for name, value in answers.items():
        if name in REMOVED_ANSWERS:
            continue
        current_name = RENAMED_ANSWERS.get(name, name)
        if current_name != name and current_name in answers:
            continue  # answered under both names: the current one wins
        if isinstance(value, str):
            value = RENAMED_CHOICES.get((current_name, value), value)
        migrated[current_name] = value
    return migrated


def main(answers_file: str) -> None:
    """Rewrite the answers file in place, keeping its header comment."""
    path = Path(answers_file)
    text = path.read_text()
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    answers = yaml.safe_load(text) or {}
    migrated = migrate(answers)
    if migrated != answers:
        path.write_text(header + yaml.safe_dump(migrated, sort_keys=False, allow_unicode=True))


if __name__ == "__main__":
    main(sys.argv[1])
