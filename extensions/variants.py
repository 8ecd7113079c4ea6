"""The variants of the template, enumerated from the choices in copier.yml (the source of truth)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
MATRIX_QUESTIONS = ("framework", "database", "queue")


def load_questions() -> dict[str, Any]:
    """Read copier.yml."""
    questions: dict[str, Any] = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    return questions


def choices(question: str) -> list[str]:
    """The values a question accepts, in the order copier.yml lists them."""
    offered = load_questions()[question]["choices"]
    return (
        list(offered.values()) if isinstance(offered, dict) else [str(value) for value in offered]
    )


def variants() -> list[dict[str, str]]:
    """Every framework x database x queue combination."""
    return [
        dict(zip(MATRIX_QUESTIONS, combination, strict=True))
        for combination in itertools.product(*(choices(question) for question in MATRIX_QUESTIONS))
    ]


def variant_id(variant: dict[str, str]) -> str:
    """A short, stable name for a variant, e.g. fastapi-postgresql-none."""
    return "-".join(variant[question] for question in MATRIX_QUESTIONS)


def snapshot(destination: Path) -> Path:
    """Copy the template as it is in the working tree (no git), so rendering is quick and local."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("copier.yml", "extensions", "template", "locks", "licenses"):
        source = TEMPLATE_ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(source, destination / name)
    return destination


def render(
    template: Path, destination: Path, answers: dict[str, Any], vcs_ref: str | None = None
) -> None:
    """Render the template (at a git ref, if given) with these answers, asking nothing."""
    from copier import run_copy

    run_copy(
        str(template),
        destination,
        data={"project_name": "Sample Service", **answers},
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref=vcs_ref,
    )
