{# tests/conftest.py's fixture of a broker that is down (every framework, queue ≠ none). #}

@pytest.fixture
def unreachable_broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """BROKER_URL, and the job app of this process, point at a closed port for the test."""
    # Nothing listens on port 1: a broker that is down, as the app sees it.
    closed = "{{ broker.closed_url }}"
    monkeypatch.setenv("BROKER_URL", closed)
    get_settings.cache_clear()
    configure(get_settings())
    yield closed
    monkeypatch.undo()
    get_settings.cache_clear()
    configure(get_settings())
