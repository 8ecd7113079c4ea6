{# checks.py's explain_database_error for a database server, included by the kind of database. #}

# What the database driver's connection errors say, by cause.
MISSING_DATABASE = re.compile("{{ db.missing_database_error }}")
REFUSED_CREDENTIALS = re.compile("{{ db.refused_credentials_error }}")
UNREACHABLE = re.compile("{{ db.unreachable_error }}")


def explain_database_error(error: BaseException) -> str | None:
    """Name the problem behind a failed database connection and its fix; None if it is another.

    The ORM wraps the driver's error, whose text tells an unreachable server, a missing database
    and refused credentials apart.
    """
    text = str(getattr(error, "orig", None) or error.__cause__ or error)
    url = urlsplit(get_settings().database_url.get_secret_value())
    server = f"{url.hostname or 'localhost'}:{url.port or {{ db.default_port }}}"
    if MISSING_DATABASE.search(text):
        return (
            f'database "{url.path.lstrip("/")}" does not exist on {server}: '
            "create it with `{{ package_name }} createdb`"
        )
    if REFUSED_CREDENTIALS.search(text):
        return (
            f'the server at {server} refused user "{url.username or ""}": '
            "set the right user and password in DATABASE_URL (.env in development)"
        )
    if UNREACHABLE.search(text):
        return (
            f"no database server answers at {server}: start it "
            "(`docker compose up -d db`) or point DATABASE_URL at a running one (.env)"
        )
    return None
