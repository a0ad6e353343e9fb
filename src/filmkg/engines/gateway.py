"""The front of ``filmkg serve``: every answer whole or an error status, every query bounded.

The Oxigraph server streams its answers: a query that hits its time limit after the first
bytes ends a ``200 OK`` answer with half a JSON document and the words "The SPARQL
operation has been cancelled", and a ``SELECT *`` that keeps producing rows is never
stopped. So ``filmkg serve`` listens itself and sends each request on to the Oxigraph
server on a private loopback port. The :class:`Gateway` reads the whole answer first, up
to a time limit and a size limit, checks that it parses (SPARQL results or RDF, by its
media type), and only then sends it, with its length. Past a limit it closes the
connection to the Oxigraph server (which stops a streaming query), and answers with an
error status and one line saying which limit and what to do:

* ``504`` the query ran past the time limit;
* ``507`` the answer is larger than the size limit;
* ``502`` the Oxigraph server's answer was cut off or does not parse.

>>> Limits(timeout_s=30, max_bytes=2**20).describe()
'30 s and 1 MiB a query'
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pyoxigraph as ox

from filmkg.errors import AddressInUseError, EndpointError

__all__ = ["Gateway", "Limits", "check_complete"]

#: How the Oxigraph server ends an answer it cut off at its time limit.
_CANCELLED = b"The SPARQL operation has been cancelled"

#: Request headers passed on to the Oxigraph server (the others are its business, not ours).
_FORWARD = ("accept", "content-type", "content-length")

_RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


@dataclass(frozen=True)
class Limits:
    """How long one query may run and how large its answer may be."""

    timeout_s: float = 30.0
    max_bytes: int = 64 * 2**20

    def describe(self) -> str:
        """The limits in words."""
        return f"{self.timeout_s:g} s and {self.max_bytes / 2**20:g} MiB a query"


class _RefusedError(Exception):
    """An answer the gateway will not pass on: its status and one line saying why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_complete(body: bytes, media_type: str) -> None:
    """Raise :class:`ValueError` unless ``body`` is a whole answer of ``media_type``.

    SPARQL results are parsed to the end; CSV and TSV rows must end with a line break (a
    cut-off Oxigraph answer ends with its error message instead); RDF is parsed to the end.
    Other media types (the query editor's pages) are not checked.

    >>> check_complete(b'{"head":{"vars":["c"]},"results":{"bindings":[', "application/json")
    Traceback (most recent call last):
    ...
    ValueError: ...
    >>> check_complete(b"c\\r\\n1\\r\\n", "text/csv")
    """
    kind = media_type.split(";")[0].strip().lower()
    try:
        _parse_whole(body, kind)
    except SyntaxError as exc:  # pyoxigraph's parse errors
        raise ValueError(str(exc).splitlines()[-1]) from None


def _parse_whole(body: bytes, kind: str) -> None:
    if kind in _RESULT_TYPES:
        fmt = _RESULT_TYPES[kind]
        if fmt in (ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV):
            if not body.endswith(b"\n"):
                raise ValueError("the last row is not terminated")
            if fmt == ox.QueryResultsFormat.CSV:
                return  # pyoxigraph does not read CSV results back
        answer = ox.parse_query_results(body, format=fmt)
        if isinstance(answer, ox.QuerySolutions):
            for _ in answer:
                pass
        return
    rdf = ox.RdfFormat.from_media_type(kind) if kind else None
    if rdf is not None:
        for _ in ox.parse(body, format=rdf):
            pass


class Gateway:
    """An HTTP front on ``host``:``port`` for the server at ``upstream`` (``host:port``).

    Use :meth:`start` (binds at once: a taken port is :class:`AddressInUseError`, exit 7)
    and :meth:`stop`. ``port=0`` picks a free port (see :attr:`port`).
    """

    def __init__(self, upstream: tuple[str, int], *, host: str, port: int, limits: Limits) -> None:
        self.upstream = upstream
        self.host = host
        self.limits = limits
        handler = type("Handler", (_Handler,), {"gateway": self})
        try:
            self.httpd = _Server((host, port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AddressInUseError(
                    f"cannot listen on {host}:{port}: the address is in use",
                    hint="choose another port (--bind HOST:PORT, --port N), or stop the "
                    "process that listens there",
                ) from None
            raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.port: int = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    def start(self) -> Gateway:
        """Serve requests on a background thread."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.httpd.server_close()

    def fetch(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Answer:
        """Send one request on and read the whole answer within the limits."""
        deadline = time.monotonic() + self.limits.timeout_s
        connection = http.client.HTTPConnection(*self.upstream, timeout=self.limits.timeout_s)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = self._read(response, connection.sock, deadline)
        except TimeoutError:
            raise self._too_slow() from None
        except (http.client.HTTPException, ConnectionError) as exc:
            raise _RefusedError(502, f"the Oxigraph server's answer was cut off ({exc})") from None
        finally:
            connection.close()  # past a limit this also stops the query on the server
        media_type = response.getheader("Content-Type", "")
        if response.status == 200 and method != "HEAD":
            try:
                check_complete(data, media_type)
            except ValueError as exc:
                if data.endswith(_CANCELLED):  # the Oxigraph server's own time limit
                    raise self._too_slow() from None
                raise _RefusedError(
                    502, f"the Oxigraph server's answer is not whole: {exc}".split("\n")[0]
                ) from None
        return _Answer(response.status, media_type, data)

    def _read(
        self, response: http.client.HTTPResponse, sock: socket.socket | None, deadline: float
    ) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._too_slow()
            if sock is not None:
                sock.settimeout(left)
            chunk = response.read1(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.limits.max_bytes:
                raise _RefusedError(
                    507,
                    f"the answer is larger than the limit of "
                    f"{self.limits.max_bytes / 2**20:g} MiB: narrow the query (LIMIT, "
                    "FILTER) or start filmkg serve with a larger --max-answer-mib",
                )
            chunks.append(chunk)

    def _too_slow(self) -> _RefusedError:
        return _RefusedError(
            504,
            f"the query ran past the time limit of {self.limits.timeout_s:g} s: narrow it "
            "(LIMIT, FILTER) or start filmkg serve with a longer --timeout",
        )


@dataclass(frozen=True)
class _Answer:
    status: int
    media_type: str
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a port someone else listens on is an error, not shared


class _Handler(BaseHTTPRequestHandler):
    gateway: ClassVar[Gateway]
    server_version = "filmkg-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def do_HEAD(self) -> None:
        self._relay()

    def do_PUT(self) -> None:  # refused by the read-only server: its answer is passed on
        self._relay()

    def do_DELETE(self) -> None:
        self._relay()

    def do_PATCH(self) -> None:
        self._relay()

    def do_OPTIONS(self) -> None:
        self._relay()

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.gateway.limits.max_bytes:
            self._send(413, "text/plain; charset=utf-8", b"the request is too large\n")
            return
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() in _FORWARD}
        try:
            answer = self.gateway.fetch(self.command, self.path, headers, body)
        except _RefusedError as refused:
            text = f"filmkg serve: {refused.message}\n".encode()
            self._send(refused.status, "text/plain; charset=utf-8", text)
            return
        self._send(answer.status, answer.media_type, answer.body)

    def _send(self, status: int, media_type: str, body: bytes) -> None:
        with contextlib.suppress(ConnectionError):  # the client left: nothing to tell it
            self.send_response(status)
            if media_type:
                self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
