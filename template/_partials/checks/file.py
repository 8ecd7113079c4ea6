{# checks.py's explain_database_error for a database file, included by the kind of database. #}

def explain_database_error(error: BaseException) -> str | None:
    """Name the problem behind a failed SQLite connection and its fix; None if it is another."""
    if "unable to open database file" in str(error):
        path = get_settings().database_url.get_secret_value().removeprefix("sqlite:///")
        return (
            f'cannot open the SQLite database file "{path}": '
            "create its folder, or change DATABASE_URL"
        )
    return None
