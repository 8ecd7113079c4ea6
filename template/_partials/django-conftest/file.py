{# tests/conftest.py's fixtures of pytest-django's test database on a database file (Django). #}

@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A test database in a file rather than in memory, so that the processes tests start see it."""
    connection.settings_dict["TEST"]["NAME"] = str(tmp_path_factory.mktemp("db") / "test.db")


# Autouse, so that the test database exists before any process (a worker) is started.
@pytest.fixture(scope="session", autouse=True)
def django_db_setup(django_db_setup: None) -> None:
    """pytest-django's test database, migrated; the processes tests start use it too."""
    os.environ["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"


@pytest.fixture
def unreachable_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """DATABASE_URL, and new connections in this process, name a file in a missing folder."""
    missing = str(tmp_path / "missing" / "test.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    # The test's own connection stays open, in its transaction; readiness opens new ones.
    monkeypatch.setitem(connection.settings_dict, "NAME", missing)
    return os.environ["DATABASE_URL"]


@pytest.fixture
def empty_database(tmp_path: Path) -> str:
    """A database with no table yet, as a new environment starts."""
    return f"sqlite:///{tmp_path / 'empty.db'}"
