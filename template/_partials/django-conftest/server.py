{# tests/conftest.py's fixtures of pytest-django's test database on a database server (Django). #}

@pytest.fixture(scope="session")
def database_server() -> None:
    """Stop with a hint, rather than a traceback, when the database server is not running."""
    host = connection.settings_dict["HOST"] or "localhost"
    port = int(connection.settings_dict["PORT"] or {{ db.default_port }})
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        pytest.exit(
            f"Cannot reach the database at {host}:{port} ({type(error).__name__}). "
            "Start it with `docker compose up -d db`, or point DATABASE_URL at a server.",
            returncode=1,
        )


# Autouse, so that the test database exists before any process (a worker) is started.
@pytest.fixture(scope="session", autouse=True)
def django_db_setup(database_server: None, django_db_setup: None) -> None:
    """pytest-django's `test_<name>` database, migrated; the processes tests start use it too."""
    url = urlsplit(get_settings().database_url.get_secret_value())
    os.environ["DATABASE_URL"] = url._replace(path=f"/{connection.settings_dict['NAME']}").geturl()


@pytest.fixture
def unreachable_database(monkeypatch: pytest.MonkeyPatch) -> str:
    """DATABASE_URL, and new connections in this process, point at a closed port for the test."""
    url = urlsplit(os.environ["DATABASE_URL"])
    userinfo = url.netloc.rpartition("@")[0]
    closed = url._replace(netloc=f"{userinfo}@127.0.0.1:1" if userinfo else "127.0.0.1:1").geturl()
    monkeypatch.setenv("DATABASE_URL", closed)
    # The test's own connection stays open, in its transaction; readiness opens new ones.
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    return closed


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A database with no table yet, as a new environment starts; dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_empty"
    server = database_named(connection.settings_dict["NAME"])
    try:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            cursor.execute(f"CREATE DATABASE {name}")
        yield urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        server.close()
