"""Real servers for the tests: the Oxigraph server, and a small HTTP server that misbehaves.

The Oxigraph server is the ``oxigraph`` executable from the ``test`` extra, started on a
free loopback port over a temporary store and stopped by its own PID (terminate, then
kill). :class:`Misbehaving` is a stdlib ``http.server`` on 127.0.0.1 answering with
errors on purpose (500, 401, 429, slowness, redirects): a real server, not a mock.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from filmkg.engines.server import OxigraphServer

EMPTY_RESULTS = json.dumps(
    {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "literal", "value": "ok"}}]},
    }
).encode()


def start_oxigraph(location: Path, port: int = 0) -> OxigraphServer:
    """A read-write Oxigraph server whose default graph is the union (like ours)."""
    return OxigraphServer(location, port=port, read_only=False, union_default_graph=True).start()


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh Oxigraph server over an empty store, stopped by its PID afterwards."""
    server = start_oxigraph(tmp_path / "store")
    try:
        yield server
    finally:
        server.stop()
        assert not server.running()


@dataclass
class Seen:
    """One request a :class:`Misbehaving` server received."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class Misbehaving:
    """A loopback HTTP server whose paths fail on purpose.

    ``/ok`` SPARQL JSON results · ``/500`` an internal error · ``/503-then-ok`` two 503s,
    then results · ``/401`` a refusal echoing the Authorization header back (a careless
    server) · ``/429-then-ok`` one 429 with ``Retry-After: 1``, then results ·
    ``/429-long`` a 429 asking for an hour · ``/slow`` no answer for 5 s · ``/html`` a web
    page · ``/redirect-to/<url>`` a 307 to ``url``.
    """

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self._counts: dict[str, int] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner._handle(self)

            def do_POST(self) -> None:
                owner._handle(self)

            def do_PUT(self) -> None:
                owner._handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        path = h.path.split("?", 1)[0]
        self.seen.append(Seen(h.command, path, dict(h.headers.items())))
        count = self._counts[path] = self._counts.get(path, 0) + 1

        def send(code: int, body: bytes, ctype: str = "text/plain", **headers: str) -> None:
            h.send_response(code)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                h.send_header(k.replace("_", "-"), v)
            h.end_headers()
            h.wfile.write(body)

        results = "application/sparql-results+json"
        if path == "/ok":
            send(200, EMPTY_RESULTS, results)
        elif path == "/500":
            send(500, b"boom: the store exploded")
        elif path == "/503-then-ok":
            if count <= 2:
                send(503, b"busy")
            else:
                send(200, EMPTY_RESULTS, results)
        elif path == "/401":
            echoed = h.headers.get("Authorization", "")
            send(401, f"bad credentials {echoed}".encode(), WWW_Authenticate='Basic realm="x"')
        elif path == "/429-then-ok":
            if count == 1:
                send(429, b"slow down", Retry_After="1")
            else:
                send(200, EMPTY_RESULTS, results)
        elif path == "/429-long":
            send(429, b"slow down", Retry_After="3600")
        elif path == "/slow":
            self.release.wait(5)
            send(200, EMPTY_RESULTS, results)
        elif path == "/html":
            send(200, b"<html><body>Welcome</body></html>", "text/html")
        elif path.startswith("/redirect-to/"):
            target = h.path[len("/redirect-to/") :]
            send(307, b"", Location=target)
        else:
            send(404, b"not found")

    def __enter__(self) -> Misbehaving:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def misbehaving() -> Iterator[Misbehaving]:
    """A misbehaving loopback HTTP server (see :class:`Misbehaving`)."""
    with Misbehaving() as server:
        yield server
