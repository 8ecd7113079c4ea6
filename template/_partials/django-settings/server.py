{# settings.py's database_from_url for a database server (Django), included by the kind of database. #}

def database_from_url(url: str, timeout: float) -> dict[str, Any]:
    """Map DATABASE_URL, as platforms hand it out, to Django's DATABASES entry.

    A query fails after `timeout` seconds; connecting gives up after 2, so that readiness answers
    within 3 seconds even when the database does not.

    Query parameters become driver options, e.g. {{ db.url_query_example }}.
    """
    parts = urlsplit(url)
    return {
        "ENGINE": "{{ db.django_engine }}",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
{%- if not db.has_read_timeout %}
        "OPTIONS": {
            "connect_timeout": 2,
            # The server cancels a statement that runs longer than this.
            "options": f"-c statement_timeout={int(timeout * 1000)}",
            **dict(parse_qsl(parts.query)),
        },
{%- else %}
        "OPTIONS": {
            "connect_timeout": 2,
            # A server that has gone quiet fails the query after this long.
            "read_timeout": timeout,
            "write_timeout": timeout,
            **dict(parse_qsl(parts.query)),
        },
{%- endif %}
        # Each worker thread keeps its connection for a minute, checked before it is reused.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
