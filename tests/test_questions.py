"""The questions refuse bad answers with a message that says what is allowed."""

from __future__ import annotations

import pytest

from extensions.names import is_package_name, is_slug, slugify
from extensions.variants import choices


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "  "}, "may not be empty"),
        ({"project_slug": "Bad_Slug"}, "lowercase ASCII letters, digits and single hyphens"),
        ({"project_slug": "trailing-"}, "not ending with a hyphen"),
        ({"project_slug": "a" * 41}, "at most 40"),
        ({"package_name": "order-service"}, "single underscores"),
        ({"package_name": "json"}, "standard-library module"),
        ({"package_name": "class"}, "Python keyword"),
        ({"package_name": "fastapi"}, "dependency's name"),
        ({"author_email": "not-an-address"}, "is not an e-mail address"),
        ({"python_version": "3.9"}, "3.13"),
        ({"database": "oracle"}, "postgresql"),
        ({"queue": "kafka"}, "none"),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, dict) else None,
)
def test_a_bad_answer_is_refused_with_what_is_allowed(
    generate, answers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        generate(**answers)

    assert message in str(refused.value)


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
