"""Request ids, JSON errors and the OpenAPI document."""

import json
import re
import uuid
from typing import Any

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


# What every operation may answer besides its own results (the request guard in front of the app,
# the framework's refusals), and what an operation that takes input may answer too.
EVERY_OPERATION_ERRORS = {"400", "408", "413", "503"}
BODY_ERRORS = {"415", "422"}
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
JSON = {"Content-Type": "application/json"}


def operations(client: httpx.Client) -> list[tuple[str, str, dict[str, Any]]]:
    """Each operation of the OpenAPI document: (method, path, operation)."""
    document = client.get("/openapi.json").json()
    return [
        (method, path, operation)
        for path, by_method in document["paths"].items()
        for method, operation in by_method.items()
        if method in HTTP_METHODS
    ]


class BodyOperation:
    """An operation that takes a JSON body, and what a request to it must carry besides."""

    def __init__(self, method: str, path: str, operation: dict[str, Any], document: Any) -> None:
        """Resolve the body's schema; note the headers the operation requires."""
        self.method = method
        self.path = path
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        self.schema: dict[str, Any] = schema
        self.required_headers = [
            parameter["name"]
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "header" and parameter.get("required")
        ]

    def send(self, client: httpx.Client, content: bytes) -> httpx.Response:
        """Send this body as JSON, with a fresh value for each header the operation requires."""
        headers = {**JSON, **{name: uuid.uuid4().hex for name in self.required_headers}}
        return client.request(self.method, self.path, content=content, headers=headers)


def body_operations(client: httpx.Client) -> list[BodyOperation]:
    """Each operation that takes a JSON body."""
    document = client.get("/openapi.json").json()
    return [
        BodyOperation(method, path, operation, document)
        for method, path, operation in operations(client)
        if "requestBody" in operation
    ]


def types_of(schema: dict[str, Any]) -> set[str]:
    """The JSON types a property's schema allows."""
    return {option.get("type", "") for option in schema.get("anyOf", [schema])}


def test_every_operation_documents_every_error_it_may_answer(client: httpx.Client) -> None:
    for method, path, operation in operations(client):
        documented = set(operation["responses"])
        expected = set(EVERY_OPERATION_ERRORS)
        if operation.get("parameters"):
            expected.add("422")
        if "requestBody" in operation:
            assert operation["requestBody"].get("required"), (method, path)
            expected |= BODY_ERRORS
        assert expected <= documented, (method, path, sorted(expected - documented))
        for status in documented - {"default"}:
            if int(status) >= 400:
                assert operation["responses"][status].get("content"), (method, path, status)


def test_a_wrong_method_gets_405_naming_every_method_of_the_path(client: httpx.Client) -> None:
    paths: dict[str, set[str]] = {}
    for method, path, _ in operations(client):
        paths.setdefault(re.sub(r"\{\w+\}", "1", path), set()).add(method.upper())
    for path, methods in paths.items():
        wrong = next(method for method in ("PUT", "PATCH", "DELETE") if method not in methods)
        response = client.request(wrong, path)

        assert response.status_code == 405, (wrong, path)
        allowed = {method.strip() for method in response.headers["Allow"].split(",")}
        assert methods <= allowed, (path, response.headers["Allow"])


def wrong_types(schema: dict[str, Any]) -> list[object]:
    """Values of other JSON types than a property's schema allows, that lax parsers would take."""
    types = types_of(schema)
    if types & {"integer", "number"}:
        return [True, "1"]
    return [1, True] if "string" in types else []


def test_a_json_body_is_taken_as_typed(client: httpx.Client) -> None:
    for operation in body_operations(client):
        valid = {name: "x" for name in operation.schema.get("required", [])}
        for name, field in operation.schema["properties"].items():
            for value in wrong_types(field):
                response = operation.send(client, json.dumps({**valid, name: value}).encode())

                assert response.status_code == 422, (operation.path, name, value, response.text)


def test_a_whole_number_written_with_a_fraction_is_an_integer(client: httpx.Client) -> None:
    # JSON Schema's integer: 1.0 is one, as 1 is.
    for operation in body_operations(client):
        for name, field in operation.schema["properties"].items():
            if "integer" in types_of(field):
                response = operation.send(client, json.dumps({name: 1.0}).encode())

                assert response.status_code < 400, (operation.path, name, response.text)


def test_a_null_body_is_refused(client: httpx.Client) -> None:
    for operation in body_operations(client):
        response = operation.send(client, b"null")

        assert response.status_code in (400, 422), (operation.path, response.text)
        assert response.json()
