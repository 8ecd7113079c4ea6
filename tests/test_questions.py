"""The questions refuse bad answers with a message that says what is allowed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from extensions.names import (
    email_problem,
    is_package_name,
    is_slug,
    package_name_problem,
    slug_problem,
    slugify,
)
from extensions.variants import choices

# Copier shows a validator's message under the prompt: it must name the broken rule and fit a
# terminal of 80 columns, together with the two-character marker in front of it.
TERMINAL_WIDTH = 80


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "  "}, "may not be empty"),
        ({"project_slug": ""}, "a name is needed"),
        ({"project_slug": "Bad-Slug"}, "has capital letters"),
        ({"project_slug": "bad_slug"}, 'may not contain "_"'),
        ({"project_slug": "order service"}, "may not contain spaces"),
        ({"project_slug": "2-services"}, "must start with a letter"),
        ({"project_slug": "trailing-"}, "single hyphens between words"),
        ({"project_slug": "double--hyphen"}, "single hyphens between words"),
        ({"project_slug": "a" * 41}, "has 41 characters; at most 40"),
        ({"package_name": "order-service"}, 'may not contain "-"'),
        ({"package_name": "café"}, 'may not contain "é"'),
        ({"package_name": "Orders"}, "has capital letters"),
        ({"package_name": "_orders"}, "must start with a letter"),
        ({"package_name": "order__service"}, "single underscores between words"),
        ({"package_name": "o" * 200}, "has 200 characters; at most 40"),
        ({"package_name": "json"}, '"json" is a standard-library module'),
        ({"package_name": "class"}, '"class" is a Python keyword'),
        ({"package_name": "celery"}, '"celery" is the name of a dependency'),
        ({"author_email": "not-an-address"}, "is not an e-mail address"),
        ({"python_version": "3.9"}, "3.13"),
        ({"database": "oracle"}, "postgresql"),
        ({"queue": "kafka"}, "none"),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, dict) else None,
)
def test_a_bad_answer_is_refused_with_the_rule_it_breaks(
    generate, answers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        generate(**answers)

    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("problem", "name"),
    [
        (slug_problem, "Bad Slug With A Very Long Name Indeed, Much Too Long"),
        (package_name_problem, "p" * 300),
        (package_name_problem, "Ça-va?"),
        (package_name_problem, "multiprocessing"),
        (email_problem, "someone at a very long domain name that goes on and on"),
    ],
)
def test_a_refusal_fits_one_terminal_line(problem: Callable[[str], str], name: str) -> None:
    message = problem(name)

    assert message
    assert "\n" not in message
    assert len(message) + 2 <= TERMINAL_WIDTH, message


def test_an_unknown_framework_is_refused_with_the_choices(generate) -> None:
    with pytest.raises(ValueError) as refused:
        generate(framework="rails")

    for framework in choices("framework"):
        assert framework in str(refused.value)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Order Service", "order-service"),
        ("  Café  Crème 2 ", "cafe-creme-2"),
        ("API/v2", "api-v2"),
    ],
)
def test_the_slug_is_derived_from_the_name(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert is_slug(slug)


def test_the_default_package_name_follows_the_slug(generate) -> None:
    project = generate(project_name="Order Service", database="none")

    assert project.answers["project_slug"] == "order-service"
    assert project.answers["package_name"] == "order_service"
    assert (project.path / "src" / "order_service" / "cli.py").is_file()


@pytest.mark.parametrize("name", ["orders", "order_service", "svc2"])
def test_good_package_names_are_accepted(name: str) -> None:
    assert is_package_name(name)
