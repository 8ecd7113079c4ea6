"""MkDocs hook: render the options and environment pages from copier.yml and extensions/."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extensions.context import derived_context
from extensions.variants import MATRIX_QUESTIONS, load_questions, variants


def options_table() -> str:
    """One row per question of copier.yml, with its help, choices and default."""
    rows = ["| question | what it asks | choices | default |", "| --- | --- | --- | --- |"]
    for name, question in load_questions().items():
        if name.startswith("_"):
            continue
        offered = question.get("choices")
        if isinstance(offered, dict):
            listed = ", ".join(f"`{value}`" for value in offered.values())
        elif offered:
            listed = ", ".join(f"`{value}`" for value in offered)
        else:
            listed = "free text, validated" if "validator" in question else "free text"
        default = question.get("default", "")
        shown = (
            f"`{default}`" if default and "{{" not in str(default) else "derived" if default else ""
        )
        rows.append(f"| `{name}` | {question.get('help', '')} | {listed} | {shown} |")
    return "\n".join(rows)


def when_read(including: list[dict[str, str]], every: list[dict[str, str]]) -> str:
    """Say which answers make a variant read a variable, e.g. "database: postgresql, mysql"."""
    if len(including) == len(every):
        return "always"
    for question in MATRIX_QUESTIONS:
        values = {variant[question] for variant in including}
        if [v for v in every if v[question] in values] == including:
            return f"{question}: " + ", ".join(sorted(values))
    return f"{len(including)} of {len(every)} variants"


def environment_table() -> str:
    """Every environment variable any variant reads, and which answers make it read it."""
    every = variants()
    found: dict[str, tuple[dict[str, Any], list[dict[str, str]]]] = {}
    for variant in every:
        for variable in derived_context({**variant, "package_name": "pkg"})["env_vars"]:
            found.setdefault(variable["name"], (variable, []))[1].append(variant)
    rows = [
        "| variable | meaning | development default | required in production | read when |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, (variable, including) in found.items():
        default = variable["development_default"]
        shown = f"`{default}`" if default is not None else "unset"
        required = "yes" if variable["required_in_production"] else "no"
        when = when_read(including, every)
        rows.append(f"| `{name}` | {variable['meaning']} | {shown} | {required} | {when} |")
    return "\n".join(rows)


PLACEHOLDERS = {"<!-- options -->": options_table, "<!-- environment -->": environment_table}


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace each placeholder comment with its generated table."""
    for placeholder, render in PLACEHOLDERS.items():
        if placeholder in markdown:
            markdown = markdown.replace(placeholder, render())
    return markdown
