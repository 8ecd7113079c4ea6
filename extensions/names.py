"""Validators and filters for the names a person gives the project."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata

# Longer names would push generated lines past the line length of the generated code style.
MAX_NAME_LENGTH = 40
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Python packages names that would shadow a dependency of every generated project.
RESERVED_PACKAGE_NAMES = frozenset(
    {
        "app",
        "tests",
        "migrations",
        "alembic",
        "sqlalchemy",
        "fastapi",
        "flask",
        "django",
        "celery",
        "gunicorn",
        "uvicorn",
        "pydantic",
        "pydantic_settings",
        "redis",
        "kombu",
        "ninja",
        "whitenoise",
        "pymysql",
        "psycopg",
    }
)


def slugify(text: str) -> str:
    """Turn a human project name into a slug: ASCII, lowercase, words joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def name_problem(text: str, separator: str, example: str) -> str:
    """Say which rule a slug or package name breaks, in one short line; "" when it breaks none."""
    shown = text if len(text) <= 20 else text[:17] + "..."
    kind = "hyphens" if separator == "-" else "underscores"
    strays = sorted(set(re.sub(rf"[a-z0-9{separator}]", "", text)))
    if not text:
        return f"a name is needed, e.g. {example}"
    if len(text) > MAX_NAME_LENGTH:
        return f'"{shown}" has {len(text)} characters; at most {MAX_NAME_LENGTH} are allowed'
    if any(character.isupper() for character in strays):
        return f'"{shown}" has capital letters; use lowercase, e.g. {example}'
    if strays:
        listed = ", ".join("spaces" if stray == " " else f'"{stray}"' for stray in strays)
        return f'"{shown}" may not contain {listed}; use a-z, 0-9 and {kind}'
    if not text[0].isalpha():
        return f'"{shown}" must start with a letter, e.g. {example}'
    if text.endswith(separator) or separator * 2 in text:
        return f'"{shown}" needs single {kind} between words, e.g. {example}'
    return ""


def slug_problem(text: str) -> str:
    """Say which rule of distribution slugs text breaks; "" when it is a valid slug."""
    return name_problem(text, "-", "order-service")


def package_name_problem(text: str) -> str:
    """Say why text cannot name the generated package and console script; "" when it can."""
    problem = name_problem(text, "_", "order_service")
    if problem:
        return problem
    if keyword.iskeyword(text):
        return f'"{text}" is a Python keyword'
    if text in sys.stdlib_module_names:
        return f'"{text}" is a standard-library module'
    if text in RESERVED_PACKAGE_NAMES:
        return f'"{text}" is the name of a dependency'
    return ""


def email_problem(text: str) -> str:
    """Say why text is not an e-mail address; "" when it looks like one."""
    if EMAIL_PATTERN.match(text):
        return ""
    shown = text if len(text) <= 20 else text[:17] + "..."
    return f'"{shown}" is not an e-mail address, e.g. team@example.com'


def is_slug(text: str) -> bool:
    """Tell whether text is a valid distribution slug."""
    return not slug_problem(text)


def is_package_name(text: str) -> bool:
    """Tell whether text can name the generated Python package and its console script."""
    return not package_name_problem(text)


def is_email(text: str) -> bool:
    """Tell whether text looks like an e-mail address."""
    return not email_problem(text)
