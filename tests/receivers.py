"""Real receivers of telemetry for the tests: OTLP over HTTP and the Sentry envelope protocol.

Each is a small HTTP server on a free loopback port, in a thread, that keeps what it was sent.
The OTLP payloads are decoded with the official protobuf messages (opentelemetry-proto).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span


@dataclass(frozen=True)
class ReceivedSpan:
    """One span as received, with the service that sent it and its attributes as plain values."""

    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]

    @property
    def is_server(self) -> bool:
        """An HTTP request served by the web process."""
        return self.kind == Span.SPAN_KIND_SERVER

    @property
    def is_consumer(self) -> bool:
        """A job run by a worker."""
        return self.kind == Span.SPAN_KIND_CONSUMER

    @property
    def is_database(self) -> bool:
        """A query sent to the database."""
        return any(name in self.attributes for name in ("db.system", "db.system.name"))


def _plain(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind not in (None, "array_value", "kvlist_value") else str(value)


def _decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


class _Receiver:
    """A threaded HTTP server on 127.0.0.1 that hands each POST to `handle`."""

    def __init__(self, handle: Callable[[str, bytes], bytes]) -> None:
        """Start serving at once, on a free port."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = _decoded(self.rfile.read(length), self.headers.get("Content-Encoding", ""))
                with owner.lock:
                    owner.requests += 1
                answer = handle(self.path, body)
                self.send_response(200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: object) -> None:
                pass

        self.lock = threading.Lock()
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        """The base URL a service is given."""
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


class OtlpReceiver(_Receiver):
    """An OTLP/HTTP (protobuf) receiver of traces and metrics, as a collector would be."""

    def __init__(self) -> None:
        """Start serving; spans and metric names accumulate until the receiver is closed."""
        self.spans: list[ReceivedSpan] = []
        self.metric_names: set[str] = set()
        super().__init__(self._handle)

    def _handle(self, path: str, body: bytes) -> bytes:
        if path == "/v1/traces":
            request = ExportTraceServiceRequest.FromString(body)
            received = []
            for resource_spans in request.resource_spans:
                resource = {a.key: _plain(a.value) for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        received.append(
                            ReceivedSpan(
                                service=str(resource.get("service.name")),
                                name=span.name,
                                kind=span.kind,
                                trace_id=span.trace_id.hex(),
                                span_id=span.span_id.hex(),
                                parent_span_id=span.parent_span_id.hex(),
                                attributes={a.key: _plain(a.value) for a in span.attributes},
                            )
                        )
            with self.lock:
                self.spans += received
            return ExportTraceServiceResponse().SerializeToString()
        if path == "/v1/metrics":
            request = ExportMetricsServiceRequest.FromString(body)
            names = {
                metric.name
                for resource_metrics in request.resource_metrics
                for scope_metrics in resource_metrics.scope_metrics
                for metric in scope_metrics.metrics
            }
            with self.lock:
                self.metric_names |= names
            return ExportMetricsServiceResponse().SerializeToString()
        return b""

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        """The spans of one trace received so far."""
        with self.lock:
            return [span for span in self.spans if span.trace_id == trace_id]

    def wait_for_trace(
        self, trace_id: str, complete: Callable[[list[ReceivedSpan]], bool], timeout: float = 30
    ) -> list[ReceivedSpan]:
        """Poll until the spans of a trace satisfy `complete`; return them either way."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not complete(self.trace(trace_id)):
            time.sleep(0.2)
        return self.trace(trace_id)


class SentryReceiver(_Receiver):
    """A Sentry-protocol server: takes envelopes (and legacy store requests) and keeps them raw."""

    def __init__(self) -> None:
        """Start serving; payloads accumulate until the receiver is closed."""
        self.payloads: list[bytes] = []
        super().__init__(self._handle)

    def _handle(self, path: str, body: bytes) -> bytes:
        with self.lock:
            self.payloads.append(body)
        return b'{"id": "00000000000000000000000000000000"}'

    def dsn(self, project: int = 1) -> str:
        """A DSN pointing at this server."""
        return f"http://public0123456789@127.0.0.1:{self.port}/{project}"

    def events(self) -> list[dict[str, Any]]:
        """The error events received, from the envelopes' items of type event."""
        events = []
        with self.lock:
            payloads = list(self.payloads)
        for payload in payloads:
            lines = payload.split(b"\n")
            # An envelope: a header line, then pairs of item header and item payload.
            for header, item in zip(lines[1::2], lines[2::2], strict=False):
                if header.strip() and json.loads(header).get("type") == "event":
                    events.append(json.loads(item))
        return events
