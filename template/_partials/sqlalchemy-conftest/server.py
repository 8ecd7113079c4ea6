{# tests/conftest.py's fixtures of the test database on a database server (FastAPI, Flask). #}

def server_url(url: URL) -> URL:
    """The same server, connected to the database every server has, for CREATE/DROP DATABASE."""
    return url.set(database="{{ db.admin_database }}")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh `<name>_test` database next to the one DATABASE_URL names, dropped at the end."""
    url = get_engine().url
    test_url = url.set(database=f"{url.database}_test")
    admin = create_engine(server_url(url), isolation_level="AUTOCOMMIT")
    name = test_url.database
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as error:
        reason = type(error.orig).__name__
        pytest.exit(
            f"Cannot reach the database at {url.host}:{url.port} ({reason}). "
            "Start it with `docker compose up -d db`, or point DATABASE_URL at a server.",
            returncode=1,
        )
    yield test_url.render_as_string(hide_password=False)
    reset_caches()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


@pytest.fixture
def unreachable_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL points at a closed port for the length of the test."""
    closed = get_engine().url.set(host="127.0.0.1", port=1)
    monkeypatch.setenv("DATABASE_URL", closed.render_as_string(hide_password=False))
    reset_caches()
    yield os.environ["DATABASE_URL"]
    monkeypatch.undo()
    reset_caches()


@pytest.fixture
def empty_database(migrated_database: str) -> Iterator[str]:
    """A database with no table yet, as a new environment starts; dropped at the end."""
    url = make_url(migrated_database)
    empty_url = url.set(database=f"{url.database}_empty")
    admin = create_engine(server_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {empty_url.database}"))
        connection.execute(text(f"CREATE DATABASE {empty_url.database}"))
    yield empty_url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {empty_url.database}"))
    admin.dispose()
