"""Request ids, JSON errors and the OpenAPI document."""

import httpx


def test_a_request_id_is_made_when_the_caller_sends_none(client: httpx.Client) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]

    assert first
    assert first != second


def test_the_callers_request_id_is_echoed(client: httpx.Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "trace-42"})

    assert response.headers["X-Request-ID"] == "trace-42"


def test_an_unknown_route_is_a_json_404(client: httpx.Client) -> None:
    response = client.get("/no/such/route")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()


def test_the_api_is_described_by_openapi(client: httpx.Client) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/healthz" in document["paths"]
