"""The lists of Django's settings whose items depend on the variant, in the order Django needs.

The admin and what it stands on (users, sessions, messages) keep their state in the database:
a variant without one leaves them out. Their middleware are Django's, limited to the admin's pages
(admin_middleware.py). Django's security and clickjacking middleware are left out: the request
guard in front of every framework (guard.py) sets the same headers on every response.
"""

from __future__ import annotations

from typing import Any

# Each setting's items in order, with whether the item needs a database.
DJANGO_LISTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "installed_apps": (
        ("django.contrib.admin", True),
        ("django.contrib.auth", True),
        ("django.contrib.contenttypes", True),
        ("django.contrib.sessions", True),
        ("django.contrib.messages", True),
        ("django.contrib.staticfiles", False),
        ("ninja", False),
        ("{package}.items", True),
    ),
    "middleware": (
        ("{package}.middleware.log_requests", False),
        ("{package}.middleware.json_errors", False),
        ("{package}.middleware.probes_from_any_host", False),
        ("whitenoise.middleware.WhiteNoiseMiddleware", False),
        ("{package}.admin_middleware.AdminSessionMiddleware", True),
        ("django.middleware.common.CommonMiddleware", False),
        ("django.middleware.csrf.CsrfViewMiddleware", False),
        ("{package}.admin_middleware.AdminAuthenticationMiddleware", True),
        ("{package}.admin_middleware.AdminMessageMiddleware", True),
    ),
    "context_processors": (
        ("django.template.context_processors.request", False),
        ("django.contrib.auth.context_processors.auth", True),
        ("django.contrib.messages.context_processors.messages", True),
    ),
}


# The API's routers (django-ninja imports them by path), with whether each needs a database or
# a broker.
API_ROUTERS: tuple[tuple[str, str, str], ...] = (
    ("/api/items", "{package}.items.api.router", "database"),
    ("/api/jobs", "{package}.api.jobs.router", "broker"),
)


def django_lists(package: str, has_database: bool, has_queue: bool) -> dict[str, Any]:
    """The items of each list this variant's settings.py has, as `django_<setting>` facts.

    And `django_api_routers`, the API's routers by prefix.
    """
    needed = {"database": has_database, "broker": has_queue}
    lists: dict[str, Any] = {
        f"django_{setting}": [
            item.format(package=package)
            for item, needs_database in items
            if has_database or not needs_database
        ]
        for setting, items in DJANGO_LISTS.items()
    }
    lists["django_api_routers"] = {
        prefix: router.format(package=package)
        for prefix, router, needs in API_ROUTERS
        if needed[needs]
    }
    return lists
