{# settings.py's database_from_url for a database file (Django), included by the kind of database. #}

def database_from_url(url: str, timeout: float) -> dict[str, Any]:
    """Map DATABASE_URL to Django's DATABASES entry, waiting `timeout` seconds for a lock at most.

    sqlite:///relative.db names a file in the working directory, sqlite:////absolute.db any file.
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": unquote(urlsplit(url).path[1:]),
        # How long a write waits for another process's write to finish before it fails.
        "OPTIONS": {"timeout": timeout},
    }
