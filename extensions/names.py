"""Validators and filters for the names a person gives the project."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
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


def is_slug(text: str) -> bool:
    """Tell whether text is a valid distribution slug."""
    return len(text) <= MAX_NAME_LENGTH and bool(SLUG_PATTERN.match(text))


def is_package_name(text: str) -> bool:
    """Tell whether text can name the generated Python package and its console script."""
    return (
        len(text) <= MAX_NAME_LENGTH
        and bool(PACKAGE_PATTERN.match(text))
        and not keyword.iskeyword(text)
        and text not in sys.stdlib_module_names
        and text not in RESERVED_PACKAGE_NAMES
    )


def is_email(text: str) -> bool:
    """Tell whether text looks like an e-mail address."""
    return bool(EMAIL_PATTERN.match(text))
