"""The variants of the template, enumerated from the choices in copier.yml (the source of truth)."""

from __future__ import annotations

import copy
import functools
import itertools
import shutil
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
MATRIX_QUESTIONS = ("framework", "database", "queue")


def load_questions() -> dict[str, Any]:
    """Read copier.yml."""
    return copy.deepcopy(parsed_questions((TEMPLATE_ROOT / "copier.yml").read_text()))


@functools.lru_cache(maxsize=1)
def parsed_questions(text: str) -> dict[str, Any]:
    """copier.yml's text parsed, once per text: the tests ask for choices hundreds of times."""
    questions: dict[str, Any] = yaml.safe_load(text)
    return questions


def choices(question: str) -> list[str]:
    """The values a question accepts, in the order copier.yml lists them."""
    offered = parsed_questions((TEMPLATE_ROOT / "copier.yml").read_text())[question]["choices"]
    return (
        list(offered.values()) if isinstance(offered, dict) else [str(value) for value in offered]
    )


def variants() -> list[dict[str, str]]:
    """Every framework x database x queue combination."""
    return [
        dict(zip(MATRIX_QUESTIONS, combination, strict=True))
        for combination in itertools.product(*(choices(question) for question in MATRIX_QUESTIONS))
    ]


def answer_pairs(variant: dict[str, str]) -> set[tuple[tuple[str, str], tuple[str, str]]]:
    """Every pair of this variant's answers to two different matrix questions."""
    return {
        ((first, variant[first]), (second, variant[second]))
        for first, second in itertools.combinations(MATRIX_QUESTIONS, 2)
    }


def pairwise_variants() -> list[dict[str, str]]:
    """A few variants in which every answer meets every answer to another question at least once.

    Chosen greedily, in the order of `variants()`: for checks whose failures come from two
    options meeting (a framework with a database, a database with a broker) rather than three.
    """
    every_variant = variants()
    missing = set().union(*(answer_pairs(variant) for variant in every_variant))
    chosen = []
    while missing:
        best = max(every_variant, key=lambda variant: len(answer_pairs(variant) & missing))
        chosen.append(best)
        missing -= answer_pairs(best)
    return chosen


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
