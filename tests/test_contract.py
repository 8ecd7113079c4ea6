"""The service contract (shared/CONTRACT.md), checked from outside on every variant.

Each test starts the project's processes the way its Procfile says, with APP_ENV=production and
fresh backing services, and talks to them over HTTP and signals only. Nothing here knows which
framework a variant uses.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from extensions.variants import choices
from tests.conftest import Project, full_variant_params, released, variant_params
from tests.faults import FaultProxy
from tests.processes import (
    Process,
    Stopping,
    env_example,
    free_port,
    procfile,
    wait_for_event,
    wait_until_serving,
)
from tests.receivers import OtlpReceiver, ReceivedSpan, SentryReceiver
from tests.services import BackingServices

pytestmark = pytest.mark.slow
every_variant = pytest.mark.parametrize("variant", variant_params())
with_queue = pytest.mark.parametrize(
    "variant", variant_params(lambda context: context["has_queue"])
)

SECRET_KEY = secrets.token_urlsafe(40)
READINESS_LIMIT = 3.0
# A body that each sample POST route accepts, for holding a request in flight.
SAMPLE_BODIES = {"/api/items": b'{"name": "in flight during shutdown"}', "/api/jobs": b"{}"}
# The documented default limit of a request body.
MAX_BODY_SIZE = 1_048_576
# More than the threads of every WSGI worker together (WEB_CONCURRENCY=2 x 4).
SLOW_CLIENTS = 24
# Seconds a job is asked to work, so that a test can signal its worker in the middle of it.
JOB_SECONDS = 4
# Where a broker gives a job held by a dead worker back only after a visibility timeout (Redis),
# keep it short, and the job time limit below it, so that redelivery is seen within seconds.
QUICK_REDELIVERY = {"JOB_TIME_LIMIT": "8", "BROKER_VISIBILITY_TIMEOUT": "10"}
# Requests counted by the Prometheus check.
SCRAPED_REQUESTS = 20
# Cases schemathesis generates per operation and phase: about half a minute per framework.
FUZZ_EXAMPLES = 50


def exports_telemetry(variant: dict[str, str]) -> bool:
    """Whether this variant's contract runs export traces and metrics to the tests' receiver.

    One variant per framework and broker, each with a database: with the first broker the first
    database, with the second one of the others, so that each database is traced somewhere.
    """
    databases = [name for name in choices("database") if name != "none"]
    brokers = [name for name in choices("queue") if name != "none"]
    if variant["queue"] not in brokers:
        return False
    framework = choices("framework").index(variant["framework"])
    broker = brokers.index(variant["queue"])
    expected = databases[0] if broker == 0 else databases[1 + framework % (len(databases) - 1)]
    return variant["database"] == expected


def reports_telemetry(variant: dict[str, str]) -> bool:
    """One variant per framework for the Prometheus and Sentry checks (PostgreSQL, first broker)."""
    return exports_telemetry(variant) and variant["database"] == choices("database")[0]


reported = pytest.mark.parametrize(
    "variant", [param for param in variant_params() if reports_telemetry(param.values[0])]
)


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    """An OTLP/HTTP receiver that every traced variant of this worker exports to."""
    receiver = OtlpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def web_concurrency() -> str:
    """Server processes per web: one, as each more is a second of CPU at every start; the HTTP
    contract test asks for two."""
    return "1"


@pytest.fixture
def production_env(
    installed: Project,
    attached: dict[str, str],
    web_concurrency: str,
    request: pytest.FixtureRequest,
) -> dict[str, str]:
    """The environment a platform would give: the documented variables, real services, secrets.

    Traced variants also export traces and metrics, quickly, to the tests' OTLP receiver.
    """
    documented = env_example(installed.path)
    telemetry = {}
    if exports_telemetry(installed.answers):
        telemetry = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": request.getfixturevalue("otlp").url,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_METRIC_EXPORT_INTERVAL": "1000",
        }
    return {
        **documented,
        **attached,
        "APP_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "RELEASE": "contract-1",
        "WEB_CONCURRENCY": web_concurrency,
        "GRACEFUL_TIMEOUT": "20",
        **(QUICK_REDELIVERY if "BROKER_VISIBILITY_TIMEOUT" in documented else {}),
        **telemetry,
    }


@pytest.fixture(scope="session")
def stopping(backing_services: BackingServices) -> Iterator[Stopping]:
    """The processes of finished tests, stopping; all gone before the backing services are
    dropped (a PostgreSQL database with a connection left cannot be)."""
    processes = Stopping()
    yield processes
    processes.close()


@pytest.fixture
def start(
    installed: Project, production_env: dict[str, str], stopping: Stopping
) -> Iterator[Callable[..., Process]]:
    """Start a process type of the Procfile; every process is sent SIGTERM at the end of the
    test, and exits while the next tests run."""
    started: list[Process] = []

    def start(process_type: str, **overrides: str) -> Process:
        command = procfile(installed.path)[process_type]
        # Each process serves its metrics on a port of its own, so that tests run side by side.
        environment = {**production_env, "METRICS_PORT": str(free_port()), **overrides}
        process = Process(installed.path, command, environment, process_type)
        started.append(process)
        return process

    yield start
    stopping.stop(started)


def release(start: Callable[..., Process], installed: Project) -> None:
    """Run the release phase if the project has one and it has not run on the variant's shared
    database yet, and require success."""
    if "release" in procfile(installed.path) and not released(installed):
        process = start("release")
        assert process.wait(timeout=120) == 0, process.describe()


@pytest.fixture
def web(
    start: Callable[..., Process], installed: Project
) -> Iterator[tuple[Process, httpx.Client]]:
    """Release, then one web process on a free port, and a client for it."""
    release(start, installed)
    port = free_port()
    process = start("web", PORT=str(port))
    wait_until_serving(process, port)
    # Closed before the process is stopped: an idle keep-alive connection would hold up its exit.
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        yield process, client


def closed_port(url: str) -> str:
    """The same URL on port 1, where nothing listens: the service is down, as the app sees it."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.port}", ":1")))


def web_with_service_down(
    start: Callable[..., Process], production_env: dict[str, str], variable: str
) -> tuple[Process, httpx.Client]:
    """A web process whose backing service `variable` points at a closed port, and a client
    that gives up after the contract's readiness limit."""
    port = free_port()
    process = start("web", PORT=str(port), **{variable: closed_port(production_env[variable])})
    wait_until_serving(process, port)
    return process, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=READINESS_LIMIT)


def with_value(params: list[Any], value: object, name: str) -> list[Any]:
    """Variant parameters extended with one more value, keeping their ids and xdist groups."""
    return [
        pytest.param(*param.values, value, id=f"{param.id}-{name}", marks=param.marks)
        for param in params
    ]


def post_routes(client: httpx.Client) -> list[str]:
    """The API's POST routes, from its OpenAPI document."""
    paths = client.get("/openapi.json").json()["paths"]
    return sorted(path for path, operations in paths.items() if "post" in operations)


@every_variant
@pytest.mark.parametrize("web_concurrency", ["2"], ids=["two-server-processes"])
def test_one_web_process_meets_the_http_contract(
    web, start, installed: Project, production_env: dict[str, str]
) -> None:
    # One process for every HTTP check: each start is a release and a server boot, which the
    # matrix would pay hundreds of times over.
    check_health_readiness_and_request_ids(web)
    check_slow_clients_cannot_hold_every_worker(web)
    check_requests_are_bounded_and_errors_short(web, installed)
    check_safe_defaults(web, installed)
    check_bad_requests_get_json_errors_never_a_500(web, installed)
    check_hostile_input_gets_a_4xx(web, installed)
    if installed.context["has_database"]:
        check_items_live_in_the_database(web)
        check_release_runs_again_while_web_serves(web, start)
    if reports_telemetry(installed.answers):
        check_metrics_are_summed_over_the_server_workers(web)
    if not exports_telemetry(installed.answers):
        check_no_connection_but_to_backing_services(web, production_env)
    check_logs_are_json_lines_on_stdout_without_secrets(web, production_env)


def check_health_readiness_and_request_ids(web) -> None:
    """/healthz, /readyz and X-Request-ID."""
    _, client = web

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "release": "contract-1"}
    assert health.headers["X-Request-ID"]

    # A first probe may find the process still warming up (imports, first connections).
    for _ in range(5):
        ready = client.get("/readyz")
        if ready.status_code == 200:
            break
        time.sleep(1)
    assert ready.status_code == 200, ready.text
    assert all(state == "ok" for state in ready.json()["services"].values())

    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    assert (
        client.get("/healthz").headers["X-Request-ID"]
        != client.get("/healthz").headers["X-Request-ID"]
    )


def check_bad_requests_get_json_errors_never_a_500(web, installed: Project) -> None:
    """Bad input and unknown routes get JSON 4xx, never a 500."""
    process, client = web

    missing = client.get("/no/such/route")
    assert missing.status_code == 404
    assert missing.json()

    if installed.context["has_database"]:
        for body in ({"name": ""}, {"name": "x" * 201}, {"name": 7}, {}, ["name"]):
            response = client.post("/api/items", json=body)
            assert response.status_code in (400, 422), (body, response.status_code, response.text)
            assert response.json()
        malformed = client.post(
            "/api/items", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        assert malformed.status_code in (400, 422)
        assert malformed.json()
        assert client.get("/api/items", params={"limit": "lots"}).status_code in (400, 422)
        assert client.get("/api/items/not-a-number").status_code in (400, 404, 422)

    assert all(line.get("status") != 500 for line in process.json_lines())


def raw_request(port: int, head: str, body: bytes = b"", timeout: float = 10) -> bytes:
    """Send a request as written, and read until the server closes or answers in full."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(head.encode() + body)
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = connection.recv(65536)
            if not chunk:
                break
            response += chunk
        return response


def port_of(client: httpx.Client) -> int:
    """The port a client talks to."""
    return int(str(client.base_url).rstrip("/").rsplit(":", 1)[1])


def check_slow_clients_cannot_hold_every_worker(web) -> None:
    """Clients that trickle their headers or body hold no worker: /healthz still answers."""
    _, client = web
    port = port_of(client)
    slow = []
    try:
        for number in range(SLOW_CLIENTS):
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            slow.append(connection)
            if number % 2:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            else:
                connection.sendall(
                    b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
                )
        time.sleep(1)
        with httpx.Client(base_url=client.base_url, timeout=READINESS_LIMIT) as prompt:
            for _ in range(4):
                assert prompt.get("/healthz").status_code == 200
    finally:
        for connection in slow:
            connection.close()


def check_requests_are_bounded_and_errors_short(web, installed: Project) -> None:
    """A body over the limit gets 413 JSON before it is sent; errors echo little of the input."""
    _, client = web
    port = port_of(client)
    path = (post_routes(client) or ["/healthz"])[0]
    oversized = raw_request(
        port,
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {MAX_BODY_SIZE + 1}\r\n\r\n",
    )
    head = oversized.partition(b"\r\n\r\n")[0]
    assert head.split()[1] == b"413", oversized[:500]
    assert b"application/json" in head.lower(), oversized[:500]

    if installed.context["has_database"]:
        long_name = "x" * 500_000
        refused = client.post("/api/items", json={"name": long_name})
        assert refused.status_code in (400, 422), refused.text[:500]
        assert len(refused.content) < 5_000, refused.text[:500]


def check_safe_defaults(web, installed: Project) -> None:
    """Security headers, HSTS over HTTPS, the host allow-list, 415 for bodies that are not JSON."""
    _, client = web
    answer = client.get("/healthz")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")
    assert answer.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in answer.headers
    over_https = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in over_https.headers.get("Strict-Transport-Security", ""), over_https.headers

    assert client.get("/docs").status_code == 404  # API docs are off in production

    elsewhere = {"Host": "attacker.example"}
    assert client.get("/healthz", headers=elsewhere).status_code == 200  # probes use pod IPs
    misaddressed = client.get("/openapi.json", headers=elsewhere)
    assert misaddressed.status_code == 400, misaddressed.text[:500]
    assert misaddressed.json()

    for path in post_routes(client):
        body = SAMPLE_BODIES.get(path, b"{}")
        plain = client.post(path, content=body, headers={"Content-Type": "text/plain"})
        assert plain.status_code == 415, (path, plain.status_code, plain.text[:500])
        assert plain.json()


def check_hostile_input_gets_a_4xx(web, installed: Project) -> None:
    """Lone surrogates, NaN and huge numbers, ids out of range, deep nesting, paths beyond
    Latin-1: 4xx, never 500."""
    _, client = web
    json_type = {"Content-Type": "application/json"}
    # An emoji in the path (UTF-8 beyond Latin-1, which WSGI's environ carries as bytes).
    for path in ("/api/items/%F0%9F%98%84", "/%F0%9F%98%84"):
        response = client.get(path)
        assert 400 <= response.status_code < 500, (path, response.text[:500])
        assert response.json()
    bodies = [b"[" * 100_000 + b"]" * 100_000, b'{"a": ' * 50_000 + b"1" + b"}" * 50_000]
    if installed.context["has_database"]:
        bodies += [b'{"name": "\\ud800"}', b'{"name": "a\\udfffb"}']
        for item_id in ("-2147483649", "-9223372036854775809", "99999999999999999999"):
            response = client.get(f"/api/items/{item_id}")
            assert 400 <= response.status_code < 500, (item_id, response.text[:500])
    for path in post_routes(client):
        if path == "/api/jobs":
            bodies += [
                b'{"seconds": ' + number + b"}" for number in (b"NaN", b"Infinity", b"1e400")
            ]
        for body in bodies:
            response = client.post(path, content=body, headers=json_type)
            assert 400 <= response.status_code < 500, (path, body[:40], response.text[:500])
            assert response.json()


def check_items_live_in_the_database(web) -> None:
    """Items CRUD through the real database."""
    _, client = web

    created = client.post("/api/items", json={"name": "contract"})
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["name"] == "contract"

    assert client.get(f"/api/items/{item['id']}").json() == item
    listed = client.get("/api/items", params={"limit": 10, "offset": 0}).json()
    assert item in listed
    assert client.delete(f"/api/items/{item['id']}").status_code == 204
    assert client.get(f"/api/items/{item['id']}").status_code == 404
    assert client.delete(f"/api/items/{item['id']}").status_code == 404


def check_release_runs_again_while_web_serves(web, start: Callable[..., Process]) -> None:
    """The release phase (migrations) is idempotent and safe while the last release serves."""
    _, client = web
    again = start("release")
    assert again.wait(timeout=120) == 0, again.describe()
    assert client.get("/api/items").status_code == 200


def scrape(process: Process) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The samples a Prometheus server would scrape from a process's METRICS_PORT."""
    response = httpx.get(f"http://127.0.0.1:{process.env['METRICS_PORT']}/metrics", timeout=5)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str):
    """The sum of the samples of one metric whose labels include these."""
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and set(labels.items()) <= set(sample_labels)
    )


def check_metrics_are_summed_over_the_server_workers(web) -> None:
    """After N requests, each on a connection of its own, the scrape counts N, whichever worker
    served them (the web process runs WEB_CONCURRENCY=2)."""
    process, client = web
    assert process.env["WEB_CONCURRENCY"] == "2"
    metric = "http_server_requests_total"
    before = total(scrape(process), metric, route="/healthz", status="200")
    base_url = str(client.base_url)
    for _ in range(SCRAPED_REQUESTS):
        assert httpx.get(f"{base_url}/healthz", timeout=10).status_code == 200
    after = total(scrape(process), metric, route="/healthz", status="200")
    assert after - before == SCRAPED_REQUESTS, (before, after)


def connections(process: Process) -> list[tuple[int, str, int]]:
    """The TCP connections the process and its children hold: (local port, remote address,
    remote port), listening sockets left out (Linux)."""
    pids = [process.popen.pid, *children(process)]
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if inode in inodes and state != "0A":  # 0A: LISTEN
                address, port = remote.rsplit(":", 1)
                found.append((int(local.rsplit(":", 1)[1], 16), address, int(port, 16)))
    return found


def check_no_connection_but_to_backing_services(web, production_env: dict[str, str]) -> None:
    """With no OTEL_* or SENTRY_DSN set, the web process talks to its clients and its backing
    services only, and says nothing about telemetry."""
    process, _ = web
    assert not any(name.startswith(("OTEL_", "SENTRY_")) for name in process.env)
    served = {int(process.env["PORT"]), int(process.env["METRICS_PORT"])}
    backing = {
        urlsplit(production_env[name]).port
        for name in ("DATABASE_URL", "BROKER_URL")
        if name in production_env and urlsplit(production_env[name]).port
    }
    unexpected = [
        connection
        for connection in connections(process)
        if connection[0] not in served and connection[2] not in backing
    ]
    assert not unexpected, unexpected
    output = (process.stdout + process.stderr).lower()
    for word in ("opentelemetry", "otlp", "sentry", "telemetry"):
        assert word not in output, f"{word} in the output\n{process.describe()}"


def check_logs_are_json_lines_on_stdout_without_secrets(
    web, production_env: dict[str, str]
) -> None:
    """Every stdout line is JSON with the contract's fields; no secret is logged. Stops web with
    SIGTERM, a request in flight, and reads every line it wrote."""
    process, client = web
    client.get("/healthz", headers={"X-Request-ID": "log-check"})
    client.get("/no/such/route")
    check_a_stop_signal_lets_the_in_flight_request_finish(web, signal.SIGTERM)

    lines = process.json_lines()
    assert lines, process.describe()
    for line in lines:
        assert {"timestamp", "level", "event", "logger"} <= set(line), line
        assert str(line["timestamp"]).endswith(("Z", "+00:00")), line
    requests = [line for line in lines if line.get("request_id") == "log-check"]
    assert requests, process.describe()
    assert {"method", "path", "status", "duration_ms"} <= set(requests[-1])
    assert requests[-1]["path"] == "/healthz"
    assert requests[-1]["status"] == 200
    assert SECRET_KEY not in process.stdout + process.stderr


@pytest.mark.parametrize("variant", full_variant_params())
def test_schemathesis_finds_nothing_with_every_check(web, tmp_path: Path) -> None:
    # Every check: no 5xx, every status and body as the OpenAPI document says, bad input
    # refused, good input accepted, Allow on 405, resources gone after DELETE, ...
    process, client = web
    for _ in range(10):  # fuzz a service that is ready: a first probe may still be warming up
        if client.get("/readyz").status_code == 200:
            break
        time.sleep(1)
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        *("run", f"{client.base_url}/openapi.json", "--checks", "all"),
        *("--max-examples", str(FUZZ_EXAMPLES), "--workers", "1", "--request-timeout", "10"),
        "--no-color",
    ]
    # In a scratch folder: schemathesis and Hypothesis keep their files in the working directory.
    run = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stdout[-12_000:] + run.stderr[-2_000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert counts and int(counts[1]) > 0, run.stdout[-4_000:]
    assert all(line.get("status", 0) < 500 for line in process.json_lines()), process.describe()


# State lives in the database; the queue does not change where, so once per framework and database.
@pytest.mark.parametrize("variant", variant_params(lambda context: not context["has_queue"]))
def test_two_web_processes_share_state_and_one_stops_cleanly_on_sigint(
    start, installed: Project
) -> None:
    release(start, installed)
    ports = [free_port(), free_port()]
    processes = [start("web", PORT=str(port)) for port in ports]
    for process, port in zip(processes, ports, strict=True):
        wait_until_serving(process, port)
    first, second = (
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) for port in ports
    )
    with first, second:
        check_shared_state(first, second, installed)
        # SIGINT (Ctrl-C) takes the path of SIGTERM, checked on every variant's web.
        check_a_stop_signal_lets_the_in_flight_request_finish((processes[0], first), signal.SIGINT)


def check_shared_state(first: httpx.Client, second: httpx.Client, installed: Project) -> None:
    """What one process writes, the other reads."""
    if installed.context["has_database"]:
        item = first.post("/api/items", json={"name": "shared"}).json()
        assert second.get(f"/api/items/{item['id']}").json() == item
        assert second.delete(f"/api/items/{item['id']}").status_code == 204
        assert first.get(f"/api/items/{item['id']}").status_code == 404
    else:
        assert first.get("/healthz").json() == second.get("/healthz").json()


def check_a_stop_signal_lets_the_in_flight_request_finish(web, signum: signal.Signals) -> None:
    """Signal web while a request is half sent: it must answer it in full, then exit 0."""
    process, client = web
    routes = [route for route in post_routes(client) if route in SAMPLE_BODIES]
    if not routes:
        # Nothing to hold in flight without a POST route: the stop itself must still be clean.
        process.signal(signum)
        assert process.wait(timeout=30) == 0, process.describe()
        return

    body = SAMPLE_BODIES[routes[0]]
    half = len(body) // 2
    with socket.create_connection(("127.0.0.1", port_of(client)), timeout=30) as connection:
        connection.sendall(
            f"POST {routes[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body[:half]
        )
        time.sleep(1)  # the server has the request and is waiting for the rest of the body
        process.signal(signum)
        time.sleep(1)
        assert process.popen.poll() is None, "the server exited with a request in flight"
        connection.sendall(body[half:])
        response = b""
        while chunk := connection.recv(65536):
            response += chunk

    status_line = response.split(b"\r\n", 1)[0]
    assert status_line.split()[1] in (b"201", b"202"), response[:500]
    assert process.wait(timeout=30) == 0, process.describe()


@pytest.mark.parametrize("variant", variant_params(lambda context: context["uses_server_database"]))
def test_readiness_fails_fast_when_the_database_is_down(
    start, installed: Project, production_env: dict[str, str]
) -> None:
    process, client = web_with_service_down(start, production_env, "DATABASE_URL")

    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["services"]["database"] != "ok"
    assert client.get("/healthz").status_code == 200
    # Requests that need the database get 503 JSON, each logged as one line without a traceback.
    for _ in range(2):
        refused = client.post("/api/items", json={"name": "nowhere to go"})
        assert refused.status_code == 503, refused.text[:500]
        assert refused.json()
        assert client.get("/api/items").status_code == 503
    lines = process.json_lines()
    assert all(line.get("status") != 500 for line in lines), process.describe()
    assert not [line for line in lines if "exc_info" in line], process.describe()
    assert "Traceback" not in process.stderr, process.describe()


@every_variant
def test_a_missing_required_variable_stops_web_with_one_line(
    installed: Project, production_env: dict[str, str]
) -> None:
    for variable in ("SECRET_KEY", "DATABASE_URL", "BROKER_URL"):
        if variable in production_env:
            assert_refused_without(installed, production_env, variable)


def assert_refused_without(
    installed: Project, production_env: dict[str, str], variable: str
) -> None:
    """Start web without one variable: it must stop at once with one line naming it."""
    environment = {name: value for name, value in production_env.items() if name != variable}
    process = Process(installed.path, procfile(installed.path)["web"], environment, "web-missing")
    try:
        code = process.wait(timeout=60)
    finally:
        process.stop()

    assert code != 0
    assert process.stderr.count("\n") == 1, process.describe()
    assert variable in process.stderr
    assert "Traceback" not in process.stderr


def queue_job(client: httpx.Client, request_id: str | None = None, **body: object) -> str:
    """POST a job to the API (with this X-Request-ID); return the job id it answered with."""
    headers = {"X-Request-ID": request_id} if request_id else {}
    response = client.post("/api/jobs", json=body, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])


@pytest.mark.parametrize(
    ("variant", "everyone"),
    [
        *with_value(
            variant_params(lambda c: c["has_queue"] and c["framework_label"] != "FastAPI"),
            False,
            "sigterm-to-main",
        ),
        # Some platforms (Heroku, systemd) signal every process of a dyno or unit, not the main
        # one. That exercises the worker only: once per broker and database.
        *with_value(
            variant_params(lambda c: c["has_queue"] and c["framework_label"] == "FastAPI"),
            True,
            "sigterm-to-every-process",
        ),
    ],
)
def test_workers_do_jobs_finish_them_on_sigterm_and_a_killed_ones_job_is_done_by_the_next(
    web, start, installed: Project, request: pytest.FixtureRequest, everyone: bool
) -> None:
    # One web and three workers in turn: each start imports the app and the worker machinery.
    # The first worker is killed, so that the wait for its job to come back runs while the
    # second one starts and stops: Redis gives the job back only after its visibility timeout.
    web_process, client = web
    first = start("worker")
    check_a_job_sent_over_the_api_is_done(web_process, client, first, installed, request)
    killed_job_id = kill_a_worker_in_the_middle_of_a_job(client, first)

    second = start("worker")
    job_id, later_job_id = check_sigterm_lets_the_worker_finish_its_job_and_take_no_new_one(
        client, second, everyone
    )
    check_the_workers_lines_name_their_job(second, job_id)

    # The job sent after SIGTERM waited in the queue for the next worker.
    third = start("worker")
    wait_for_event(third, "job.done", job_id=later_job_id)
    check_the_killed_workers_job_is_done_by_a_later_one(killed_job_id, first, second, third)


def check_a_job_sent_over_the_api_is_done(
    web_process: Process,
    client: httpx.Client,
    worker: Process,
    installed: Project,
    request: pytest.FixtureRequest,
) -> None:
    """A job queued over the API is done, with the request's id (and trace)."""
    job_id = queue_job(client)
    done = wait_for_event(worker, "job.done", job_id=job_id)
    assert done["job_name"], done

    if installed.context["has_database"]:
        item = client.post("/api/items", json={"name": "to process"}).json()
        assert item["processed"] is False
        request_id = f"job-{secrets.token_hex(8)}"
        item_job = queue_job(client, request_id, item_id=item["id"])
        item_done = wait_for_event(worker, "job.done", job_id=item_job)
        # The request id travels with the job, into the worker's lines for it.
        assert item_done.get("request_id") == request_id, item_done
        assert client.get(f"/api/items/{item['id']}").json()["processed"] is True
        if exports_telemetry(installed.answers):
            check_one_trace_from_request_to_job(
                request.getfixturevalue("otlp"), web_process, worker, item_done, installed
            )

    assert total(scrape(worker), "jobs_total", outcome="done") >= 1


def check_the_workers_lines_name_their_job(worker: Process, job_id: str) -> None:
    """Every line of a stopped worker has the contract's fields; those of a job name it."""
    lines = worker.json_lines()
    for line in lines:
        assert {"timestamp", "level", "event", "logger"} <= set(line), line
    during_job = [line for line in lines if line.get("job_id") == job_id]
    assert {line["event"] for line in during_job} >= {"job.started", "job.done"}
    assert len({line["job_name"] for line in during_job}) == 1, during_job
    assert SECRET_KEY not in worker.stdout + worker.stderr


def ancestors(span: ReceivedSpan, spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
    """The span's parent, its parent's parent, and so on, as far as they were received."""
    by_id = {candidate.span_id: candidate for candidate in spans}
    chain = []
    while span.parent_span_id in by_id:
        span = by_id[span.parent_span_id]
        chain.append(span)
    return chain


def check_one_trace_from_request_to_job(
    otlp: OtlpReceiver,
    web_process: Process,
    worker: Process,
    done: dict[str, object],
    installed: Project,
) -> None:
    """The request that queued the job, the job's run in the worker and its database query are
    one trace; the worker's lines for the job and the web's request line carry its ids."""
    trace_id = str(done.get("trace_id", ""))
    assert len(trace_id) == 32, done
    # The worker is still running: a line being written has no newline yet.
    written = [line for line in worker.stdout.splitlines(keepends=True) if line.endswith("\n")]
    job_lines = [
        parsed for parsed in map(json.loads, written) if parsed.get("job_id") == done["job_id"]
    ]
    assert {line.get("trace_id") for line in job_lines} == {trace_id}, job_lines

    def complete(spans: list[ReceivedSpan]) -> bool:
        return (
            any(span.is_server for span in spans)
            and any(span.is_consumer for span in spans)
            and any(span.is_database for span in spans)
        )

    spans = otlp.wait_for_trace(trace_id, complete)
    assert complete(spans), [(span.service, span.name, span.kind) for span in spans]
    (server,) = [span for span in spans if span.is_server]
    (job,) = [span for span in spans if span.is_consumer]
    queries = [span for span in spans if span.is_database]
    assert server in ancestors(job, spans), "the job's span is not a child of the request's"
    assert any(job in ancestors(query, spans) for query in queries), "no query inside the job"
    assert done.get("span_id") == job.span_id
    assert {span.service for span in spans} == {installed.answers["project_slug"]}

    request_lines = [
        line
        for line in web_process.json_lines()
        if line.get("request_id") == done["request_id"] and line.get("event") == "request"
    ]
    assert request_lines, web_process.describe()
    assert request_lines[-1].get("trace_id") == trace_id, request_lines[-1]
    assert request_lines[-1].get("span_id") in {span.span_id for span in spans}


@reported
def test_an_unhandled_error_is_reported_to_sentry_without_secrets(
    start, installed: Project, attached_for: Callable[[Project], dict[str, str]]
) -> None:
    # A database without the items table: creating an item fails in the app, unhandled.
    empty = urlsplit(attached_for(installed)["DATABASE_URL"])
    # The tests' PostgreSQL trusts loopback clients: any password goes, and none may be reported.
    password = f"pw-{secrets.token_hex(12)}"
    netloc = f"{empty.username}:{password}@{empty.hostname}:{empty.port}"
    database_url = urlunsplit(empty._replace(netloc=netloc))
    receiver = SentryReceiver()
    try:
        port = free_port()
        process = start("web", PORT=str(port), DATABASE_URL=database_url, SENTRY_DSN=receiver.dsn())
        wait_until_serving(process, port)
        failed = httpx.post(f"http://127.0.0.1:{port}/api/items", json={"name": "x"}, timeout=10)
        assert failed.status_code == 500, failed.text

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not receiver.events():
            time.sleep(0.2)
        events = receiver.events()
        assert events, process.describe()
        assert {event.get("release") for event in events} == {"contract-1"}
        assert {event.get("environment") for event in events} == {"production"}
        sent = b"".join(receiver.payloads)
        assert SECRET_KEY.encode() not in sent
        assert password.encode() not in sent
    finally:
        receiver.close()


def children(process: Process) -> list[int]:
    """The ids of the process's child processes (Linux)."""
    pid = process.popen.pid
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def kill_a_worker_in_the_middle_of_a_job(client: httpx.Client, worker: Process) -> str:
    """SIGKILL a worker while it works on a job; return the job's id."""
    job_id = queue_job(client, seconds=JOB_SECONDS)
    wait_for_event(worker, "job.started", job_id=job_id)
    worker.signal(signal.SIGKILL)
    worker.wait(timeout=10)
    return job_id


def check_sigterm_lets_the_worker_finish_its_job_and_take_no_new_one(
    client: httpx.Client, worker: Process, everyone: bool
) -> tuple[str, str]:
    """SIGTERM (to every process of the worker, or to its main one) while it works on a job: it
    finishes the job, exits 0 and leaves the job sent meanwhile queued; return both jobs' ids."""
    job_id = queue_job(client, seconds=JOB_SECONDS)
    wait_for_event(worker, "job.started", job_id=job_id)

    for pid in children(worker) if everyone else []:
        os.kill(pid, signal.SIGTERM)
    worker.signal(signal.SIGTERM)
    time.sleep(1)
    assert worker.popen.poll() is None, "the worker quit with a job in hand\n" + worker.describe()
    later_job_id = queue_job(client)

    assert worker.wait(timeout=JOB_SECONDS + 30) == 0, worker.describe()
    wait_for_event(worker, "job.done", timeout=1, job_id=job_id)
    assert all(line.get("job_id") != later_job_id for line in worker.json_lines())
    return job_id, later_job_id


def check_the_killed_workers_job_is_done_by_a_later_one(
    job_id: str, killed: Process, stopped: Process, last: Process
) -> None:
    """The job of the killed worker is done by the worker after it (RabbitMQ gives the job back
    as the connection drops) or by the last one (Redis, after its visibility timeout)."""
    if not any(
        line["event"] == "job.done" and line.get("job_id") == job_id
        for line in stopped.json_lines()
    ):
        try:
            wait_for_event(last, "job.done", timeout=90, job_id=job_id)
        except AssertionError as error:
            # The job's trail may be in the earlier workers' lines: which took it, and when.
            raise AssertionError(
                f"{error}\n--- the killed worker ---\n{killed.describe()}"
                f"\n--- the worker stopped with SIGTERM ---\n{stopped.describe()}"
            ) from None
    assert all(
        line["event"] != "job.done" for line in killed.json_lines() if line.get("job_id") == job_id
    )


@with_queue
def test_the_scheduler_keeps_no_state_on_disk_and_stops_cleanly(start, installed: Project) -> None:
    before = set(installed.path.iterdir())
    scheduler = start("scheduler")
    # Logged once Celery's own handlers are in place; a SIGTERM before that exits 0 as well, as
    # the project's own tests check, but only this point can be waited for from outside.
    wait_for_event(scheduler, "beat: Starting...")
    assert scheduler.popen.poll() is None, scheduler.describe()

    scheduler.signal(signal.SIGTERM)
    assert scheduler.wait(timeout=30) == 0, scheduler.describe()
    assert scheduler.json_lines(), scheduler.describe()
    written = set(installed.path.iterdir()) - before
    assert written == {scheduler.stdout_path, scheduler.stderr_path}


@with_queue
def test_readiness_fails_fast_when_the_broker_is_down(
    start, installed: Project, production_env: dict[str, str]
) -> None:
    _, client = web_with_service_down(start, production_env, "BROKER_URL")

    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["services"]["broker"] != "ok"
    assert client.get("/healthz").status_code == 200
    refused = client.post("/api/jobs", json={})
    assert refused.status_code == 503, refused.text
    assert refused.json()

    environment = {**production_env, "BROKER_URL": closed_port(production_env["BROKER_URL"])}
    check = Process(installed.path, f"{installed.package} check", environment, "check")
    try:
        assert check.wait(timeout=30) == 1, check.describe()
    finally:
        check.stop()
    assert check.stderr.count("\n") == 1, check.describe()
    assert "broker" in check.stderr


# The broker's behaviour is the worker library's, whatever serves HTTP: once per broker.
once_per_broker = pytest.mark.parametrize(
    "variant",
    variant_params(
        lambda context: (
            context["has_queue"]
            and context["framework_label"] == "FastAPI"
            and not context["has_database"]
        )
    ),
)


@once_per_broker
def test_a_worker_whose_broker_restarts_consumes_again_or_exits(
    web, start, production_env: dict[str, str]
) -> None:
    _, client = web
    proxy = FaultProxy.to(production_env["BROKER_URL"])
    try:
        worker = start("worker", BROKER_URL=proxy.url(production_env["BROKER_URL"]))
        busy = [queue_job(client, seconds=JOB_SECONDS) for _ in range(2)]
        for job_id in busy:
            wait_for_event(worker, "job.started", job_id=job_id)

        # The broker goes away while both jobs run, and is back a moment later.
        proxy.refuse()
        proxy.cut()
        time.sleep(JOB_SECONDS)
        proxy.refuse(False)
        later = queue_job(client)

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and worker.popen.poll() is None:
            if any(line.get("job_id") == later for line in worker.json_lines()):
                break
            time.sleep(0.5)
        if worker.popen.poll() is None:
            wait_for_event(worker, "job.done", timeout=1, job_id=later)
        else:
            # A worker may exit instead, for its supervisor to start a fresh one.
            assert worker.popen.returncode != 0, worker.describe()
            wait_for_event(start("worker"), "job.done", job_id=later)
    finally:
        proxy.close()


@once_per_broker
def test_a_stuck_worker_fails_its_liveness_check(
    start, installed: Project, production_env: dict[str, str], tmp_path: Path
) -> None:
    # A scratch folder of its own: the heartbeat lives in the temporary directory.
    environment = {"TMPDIR": str(tmp_path), "WORKER_HEARTBEAT_TIMEOUT": "2"}
    worker = start("worker", **environment)

    def alive() -> int:
        check = Process(
            installed.path,
            f"{installed.package} worker-alive",
            {**production_env, **environment},
            "worker-alive",
        )
        try:
            return check.wait(timeout=30)
        finally:
            check.stop()

    deadline = time.monotonic() + 30
    while alive() != 0:
        assert time.monotonic() < deadline, worker.describe()
        time.sleep(0.5)

    worker.signal(signal.SIGSTOP)
    try:
        time.sleep(3)
        assert alive() == 1, worker.describe()
    finally:
        worker.signal(signal.SIGCONT)
    time.sleep(1)
    assert alive() == 0, worker.describe()


@pytest.mark.parametrize(
    "variant",
    variant_params(lambda context: context["uses_server_database"] and not context["has_queue"]),
)
def test_a_frozen_database_gets_503_within_the_bounds_and_never_blocks_healthz(
    start, installed: Project, production_env: dict[str, str]
) -> None:
    proxy = FaultProxy.to(production_env["DATABASE_URL"])
    try:
        through_proxy = {
            "DATABASE_URL": proxy.url(production_env["DATABASE_URL"]),
            "DATABASE_TIMEOUT": "2",
            "REQUEST_TIMEOUT": "4",
        }
        release(lambda process_type: start(process_type, **through_proxy), installed)
        port = free_port()
        process = start("web", PORT=str(port), **through_proxy)
        wait_until_serving(process, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert client.post("/api/items", json={"name": "before"}).status_code == 201
            proxy.freeze()
            started = time.monotonic()
            ready = client.get("/readyz", timeout=READINESS_LIMIT)
            assert ready.status_code == 503, ready.text[:500]
            refused = client.post("/api/items", json={"name": "frozen"})
            assert refused.status_code == 503, refused.text[:500]
            assert refused.json()
            assert time.monotonic() - started < READINESS_LIMIT + 4 + 2
            assert client.get("/healthz", timeout=1).status_code == 200
            proxy.freeze(False)
    finally:
        proxy.close()


# Publishing gives up within 14 s (contract.md, "Retrying POST /api/jobs"); a little slack on top.
PUBLISH_LIMIT = 14 + 2


@once_per_broker
def test_a_job_retried_with_its_idempotency_key_after_a_frozen_broker_runs_once(
    start, production_env: dict[str, str]
) -> None:
    proxy = FaultProxy.to(production_env["BROKER_URL"])
    try:
        through_proxy = {"BROKER_URL": proxy.url(production_env["BROKER_URL"])}
        port = free_port()
        web = start("web", PORT=str(port), **through_proxy)
        wait_until_serving(web, port)
        worker = start("worker", WORKER_CONCURRENCY="1")
        key = secrets.token_hex(16)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=PUBLISH_LIMIT) as client:
            proxy.freeze()
            refused = client.post("/api/jobs", json={}, headers={"Idempotency-Key": key})
            assert refused.status_code == 503, refused.text
            assert refused.json()
            assert client.get("/healthz", timeout=1).status_code == 200
            proxy.freeze(False)

            job_id = queue_job_with_key(client, key)
            assert queue_job_with_key(client, key) == job_id
            bad = client.post("/api/jobs", json={}, headers={"Idempotency-Key": "x" * 101})
            assert bad.status_code in (400, 422), bad.text
            assert bad.json()
            later = queue_job_with_key(client, secrets.token_hex(16))
        # One worker, one job at a time, in the order queued: once the later job is done, any
        # second run of the first would have been logged.
        wait_for_event(worker, "job.done", job_id=later)
        runs = [line for line in worker.json_lines() if line.get("job_id") == job_id]
        assert [line["event"] for line in runs if line["event"] == "job.done"] == ["job.done"]
    finally:
        proxy.close()


def queue_job_with_key(client: httpx.Client, key: str) -> str:
    """POST a job with this Idempotency-Key; return the job id it answered with."""
    response = client.post("/api/jobs", json={}, headers={"Idempotency-Key": key})
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])
