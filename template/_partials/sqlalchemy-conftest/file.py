{# tests/conftest.py's fixtures of the test database on a database file (FastAPI, Flask). #}

@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new SQLite file for this test session."""
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture
def unreachable_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL names a file in a folder that does not exist, for the length of the test."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'test.db'}")
    reset_caches()
    yield os.environ["DATABASE_URL"]
    monkeypatch.undo()
    reset_caches()


@pytest.fixture
def empty_database(tmp_path: Path) -> str:
    """A database with no table yet, as a new environment starts."""
    return f"sqlite:///{tmp_path / 'empty.db'}"
