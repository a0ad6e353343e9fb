"""Real servers for the tests: Oxigraph, Virtuoso, Comunica, and an HTTP server that misbehaves.

Every server runs as a separate process on 127.0.0.1 and a free port, over a temporary
directory, and is stopped by its own PID (terminate, then kill; the fixtures assert it
stopped). A server whose program is missing makes the tests that need it *skip*, saying
what to install; ``bash scripts/test.sh`` installs them and sets
``FILMKG_REQUIRE_SERVERS=1``, which turns such a skip into a failure (so CI runs them).

The interface (stable: the differential, reconciliation and push tests build on it):

``oxigraph`` (function scope) — a fresh read-write :class:`~filmkg.engines.server.OxigraphServer`
    over an empty store, its default graph the union of the named graphs. Or
    :func:`start_oxigraph` yourself.

``virtuoso_server`` (session scope) / ``virtuoso`` (function scope, the same server
    emptied of every graph the test did not find there) — a :class:`Virtuoso` (Debian's
    ``virtuoso-opensource-7-bin``, 7.2.5) with SPARQL Update granted to the anonymous
    ``SPARQL`` user. Attributes: ``url``, ``query_url`` and ``update_url`` (both
    ``/sparql``), ``auth_query_url`` (``/sparql-auth``, Digest), ``graph_store_url``
    (``/sparql-graph-crud``, anonymous), ``graph_store_auth_url``
    (``/sparql-graph-crud-auth``, Digest), ``user`` / ``password`` (``dba``/``dba``),
    ``pid``. Helpers: ``load(path, graph)`` (Turtle / N-Triples into one named graph),
    ``load_quads(path)`` (N-Quads / TriG, each quad into its graph), ``clear(graph)``,
    ``reset()`` (drop every graph created since start), ``graphs()``, ``count(graph)``,
    ``isql(sql)``. Tests that share ``virtuoso_server`` must use graph names of their own
    (``unique_graph()``); Virtuoso's default graph is *not* empty (its own ~4,000
    system triples), so query named graphs.

``comunica`` (session scope) — a :class:`ComunicaFactory`: ``comunica.serve(path, …)``
    serves RDF files (Turtle, N-Triples, N-Quads, TriG…) read-only with
    ``comunica-sparql-file-http`` (``@comunica/query-sparql-file``, pinned in
    :data:`COMUNICA_VERSION`, installed by scripts/test.sh into ``.tools/``) and returns a
    :class:`Comunica` with ``query_url`` and ``pid``. The same files and options give the
    same server again (treat served files as read-only); all stop at the end of the session.
    Starting takes several seconds: serve once per module or session.

``misbehaving`` — :class:`Misbehaving`, a stdlib ``http.server`` on 127.0.0.1 answering
    with errors on purpose (500, 401, 429, slowness, redirects): a real server, not a mock.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

import pytest

from filmkg.engines.server import OxigraphServer, free_port, stop_process
from filmkg.engines.watchdog import die_with_parent

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


def answer(
    h: BaseHTTPRequestHandler, code: int, body: bytes, ctype: str = "text/plain", **headers: str
) -> None:
    """Send one whole answer (``Retry_After="1"`` becomes the header ``Retry-After: 1``)."""
    h.send_response(code)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in headers.items():
        h.send_header(k.replace("_", "-"), v)
    h.end_headers()
    h.wfile.write(body)


class LoopbackHTTP:
    """A stdlib HTTP server on a free 127.0.0.1 port whose GET, POST and PUT requests all go
    to :meth:`_handle`; a context manager that serves in a thread and shuts down on exit
    (setting :attr:`release`, so that a stalled request ends too)."""

    def __init__(self) -> None:
        self.release = threading.Event()
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
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class Misbehaving(LoopbackHTTP):
    """A loopback HTTP server whose paths fail on purpose.

    ``/ok`` SPARQL JSON results · ``/500`` an internal error · ``/503-then-ok`` two 503s,
    then results · ``/401`` a refusal echoing the Authorization header back (a careless
    server) · ``/429-then-ok`` one 429 with ``Retry-After: 1``, then results ·
    ``/429-long`` a 429 asking for an hour · ``/slow`` no answer for 5 s · ``/html`` a web
    page · ``/redirect-to/<url>`` a 307 to ``url``.
    """

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._counts: dict[str, int] = {}
        super().__init__()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        path = h.path.split("?", 1)[0]
        self.seen.append(Seen(h.command, path, dict(h.headers.items())))
        count = self._counts[path] = self._counts.get(path, 0) + 1

        def send(code: int, body: bytes, ctype: str = "text/plain", **headers: str) -> None:
            answer(h, code, body, ctype, **headers)

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


@pytest.fixture
def misbehaving() -> Iterator[Misbehaving]:
    """A misbehaving loopback HTTP server (see :class:`Misbehaving`)."""
    with Misbehaving() as server:
        yield server


# -- Virtuoso and Comunica ------------------------------------------------------------------
REPO = Path(__file__).resolve().parent.parent
#: The Comunica release the tests pin (scripts/test.sh installs exactly this one).
COMUNICA_VERSION = "4.5.0"
COMUNICA_BIN = REPO / ".tools" / "node_modules" / ".bin" / "comunica-sparql-file-http"
_LOOPBACK_JS = Path(__file__).resolve().parent / "data" / "servers" / "loopback.cjs"
_GRANTS_SQL = Path(__file__).resolve().parent / "data" / "servers" / "virtuoso-grants.sql"
_VIRTUOSO_INI = Path(__file__).resolve().parent / "data" / "servers" / "virtuoso.ini"
_GRAPH_NUMBERS = itertools.count(1)


def unique_graph(prefix: str = "urn:filmkg:test:graph:") -> str:
    """A graph IRI no other test of this session uses.

    >>> unique_graph().startswith("urn:filmkg:test:graph:")
    True
    """
    return f"{prefix}{os.getpid()}-{next(_GRAPH_NUMBERS)}"


def _missing(what: str, how: str) -> None:
    """Skip the test (fail it when scripts/test.sh promised the servers)."""
    message = f"{what} is not installed; {how} (bash scripts/test.sh installs it)"
    if os.environ.get("FILMKG_REQUIRE_SERVERS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _wait_http(url: str, process: subprocess.Popen[bytes], log: Path, wait: float) -> None:
    """Wait until ``url`` answers 200 (or the process dies, or ``wait`` seconds pass)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + wait
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), opener.open(url, timeout=2.0) as response:
            if response.status == 200:
                return
        if time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"{url}: no answer within {wait:g} s: {log.read_text()[-2000:]}")
        time.sleep(0.1)


class _ServerProcess:
    """A server process of the tests, started in a session of its own (dying with the test
    run), waited for until ``query_url`` answers ``ASK {}``, and stopped by its PID."""

    query_url: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self.process.pid if self.process is not None else None

    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def _launch(
        self,
        args: list[str],
        log: Path,
        wait: float,
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                args,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        probe = self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        _wait_http(probe, self.process, log, wait)

    def stop(self, grace: float = 10.0) -> int | None:
        """Stop the server by its PID: terminate, then kill after ``grace`` seconds."""
        if self.process is None:
            return None
        code = stop_process(self.process, grace)
        self.process = None
        return code


class Virtuoso(_ServerProcess):
    """A Virtuoso 7 server (``virtuoso-t +foreground``) over a directory of its own.

    Both its ports (SQL and HTTP) are free ports on 127.0.0.1; the anonymous ``SPARQL``
    user may update (tests only) unless ``grant_updates=False`` (a default installation:
    only ``dba``, through the Digest ``-auth`` endpoints). See the module docstring.
    """

    user = "dba"
    password = "dba"

    def __init__(self, root: Path, *, grant_updates: bool = True) -> None:
        self.root = root
        self.grant_updates = grant_updates
        self.sql_port = free_port()
        self.http_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.query_url = self.update_url = self.url + "/sparql"
        self.auth_query_url = self.url + "/sparql-auth"
        self.graph_store_url = self.url + "/sparql-graph-crud"
        self.graph_store_auth_url = self.url + "/sparql-graph-crud-auth"
        self._baseline: set[str] = set()

    def start(self, wait: float = 120.0) -> Virtuoso:
        """Write virtuoso.ini, start the server, wait for /sparql, grant SPARQL Update."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "www").mkdir(exist_ok=True)
        ini = _VIRTUOSO_INI.read_text().format(
            root=self.root, sql_port=self.sql_port, http_port=self.http_port
        )
        (self.root / "virtuoso.ini").write_text(ini)
        self._launch(
            ["virtuoso-t", "+foreground", "+configfile", str(self.root / "virtuoso.ini")],
            self.root / "server.log",
            wait,
            cwd=self.root,
        )
        if self.grant_updates:
            self.isql(_GRANTS_SQL.read_text())
        self._baseline = self.graphs()
        return self

    def isql(self, sql: str) -> str:
        """Run SQL statements (``;``-separated) as ``dba`` with ``isql-vt``; their output."""
        script = self.root / f"isql-{next(_GRAPH_NUMBERS)}.sql"
        script.write_text(sql)
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", self.user, self.password, str(script)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        script.unlink()
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql failed: {result.stdout[-2000:]} {result.stderr[-2000:]}")
        return result.stdout

    def _sql_string(self, text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def load(self, path: Path, graph: str) -> None:
        """Load a Turtle or N-Triples file into the named graph ``graph`` (added to it)."""
        copy = self.root / f"load-{next(_GRAPH_NUMBERS)}{path.suffix}"
        shutil.copyfile(path, copy)
        self.isql(
            f"DB.DBA.TTLP (file_to_string_output ({self._sql_string(str(copy))}), '', "
            f"{self._sql_string(graph)}, 0);\ncheckpoint;\n"
        )
        copy.unlink()

    def load_quads(self, path: Path) -> None:
        """Load an N-Quads or TriG file, each statement into its own graph."""
        copy = self.root / f"load-{next(_GRAPH_NUMBERS)}{path.suffix}"
        shutil.copyfile(path, copy)
        self.isql(
            f"DB.DBA.TTLP (file_to_string_output ({self._sql_string(str(copy))}), '', "
            f"'urn:filmkg:test:default', 512);\ncheckpoint;\n"
        )
        copy.unlink()

    def graphs(self) -> set[str]:
        """The named graphs that hold at least one triple."""
        out = self.isql("SPARQL SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } };")
        return {line.strip() for line in out.splitlines() if re.match(r"^\s*\w+:\S+\s*$", line)}

    def count(self, graph: str) -> int:
        """How many triples the named graph ``graph`` holds."""
        iri = graph.replace(">", "%3E")
        out = self.isql(f"SPARQL SELECT COUNT(*) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }};")
        numbers = [line.strip() for line in out.splitlines() if line.strip().isdigit()]
        return int(numbers[-1])

    def clear(self, graph: str) -> None:
        """Remove every triple of the named graph ``graph``."""
        iri = graph.replace(">", "%3E")
        self.isql(f"SPARQL CLEAR GRAPH <{iri}>;")

    def reset(self) -> None:
        """Clear every graph that was not there when the server started."""
        for graph in sorted(self.graphs() - self._baseline):
            self.clear(graph)

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.running() else "stopped"
        return f"Virtuoso({self.url!r}, {state})"


def require_virtuoso() -> None:
    """Skip the test when Virtuoso is not installed (fail it under FILMKG_REQUIRE_SERVERS)."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        _missing("Virtuoso (virtuoso-t, isql-vt)", "apt-get install virtuoso-opensource-7-bin")


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """One Virtuoso for the whole session (use graph names of your own)."""
    require_virtuoso()
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso")).start()
    try:
        yield server
    finally:
        server.stop()
        assert not server.running()


@pytest.fixture
def virtuoso(virtuoso_server: Virtuoso) -> Iterator[Virtuoso]:
    """The session's Virtuoso, with every graph a test added cleared before and after."""
    virtuoso_server.reset()
    yield virtuoso_server
    virtuoso_server.reset()


class Comunica(_ServerProcess):
    """``comunica-sparql-file-http`` serving files read-only on 127.0.0.1 (see the module doc)."""

    def __init__(self, files: tuple[Path, ...], root: Path, *, union_default_graph: bool) -> None:
        self.files = files
        self.root = root
        self.port = free_port()
        self.union_default_graph = union_default_graph
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = self.url + "/sparql"

    def start(self, executable: str, wait: float = 120.0) -> Comunica:
        """Start the server and wait until it answers ``ASK {}``."""
        args = [executable, "--port", str(self.port), "--workers", "1"]
        if self.union_default_graph:
            args.append("--unionDefaultGraph")
        env = {**os.environ, "NODE_OPTIONS": f"--require {_LOOPBACK_JS}"}
        self._launch(
            [*args, *map(str, self.files)], self.root / f"comunica-{self.port}.log", wait, env=env
        )
        return self

    def stop(self, grace: float = 10.0) -> int | None:
        """Stop the server by its PID (its worker follows it); assert it is gone."""
        process = self.process
        code = super().stop(grace)
        if process is not None:
            with contextlib.suppress(ProcessLookupError):  # a worker left behind: its group
                os.killpg(process.pid, signal.SIGKILL)
        return code


#: Comunica 4.5.0: a FILTER NOT EXISTS inside an OPTIONAL, beside an OPTIONAL sub-select,
#: kills the server's worker (TypeError in MaterializeBindings, from ActorRdfJoinMultiBind);
#: the answer breaks off with !ERROR!. film_based_on had that shape; no upstream report found.
COMUNICA_CRASH = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT * WHERE { ?s rdfs:label ?l . "
    "OPTIONAL { ?s a ?k . FILTER NOT EXISTS { ?s a ?n . ?n rdfs:subClassOf ?k } } "
    "OPTIONAL { { SELECT ?s ?x WHERE { ?s rdfs:comment ?x } } } }"
)


class ComunicaFactory:
    """Serves files with Comunica; one server per (files, options), stopped by :meth:`close`."""

    def __init__(self, executable: str, root: Path) -> None:
        self.executable = executable
        self.root = root
        self.servers: dict[tuple[tuple[Path, ...], bool], Comunica] = {}

    def serve(self, *files: Path, union_default_graph: bool = False) -> Comunica:
        """A read-only SPARQL endpoint over ``files`` (started on first use)."""
        key = (tuple(Path(f).resolve() for f in files), union_default_graph)
        server = self.servers.get(key)
        if server is None or not server.running():
            server = Comunica(key[0], self.root, union_default_graph=union_default_graph)
            self.servers[key] = server.start(self.executable)
        return server

    def close(self) -> None:
        """Stop every server this factory started."""
        for server in self.servers.values():
            server.stop()
            assert not server.running()
        self.servers.clear()


def comunica_executable() -> str | None:
    """``comunica-sparql-file-http`` from ``.tools/`` (scripts/test.sh), else from PATH."""
    if COMUNICA_BIN.is_file() and shutil.which("node"):
        return str(COMUNICA_BIN)
    return shutil.which("comunica-sparql-file-http")


@pytest.fixture(scope="session")
def comunica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ComunicaFactory]:
    """A :class:`ComunicaFactory` for the session (its servers stop when it ends)."""
    executable = comunica_executable()
    if executable is None:
        _missing(
            f"Comunica ({COMUNICA_BIN.relative_to(REPO)})",
            f"npm install --prefix .tools @comunica/query-sparql-file@{COMUNICA_VERSION}",
        )
        raise AssertionError("unreachable")
    factory = ComunicaFactory(executable, tmp_path_factory.mktemp("comunica"))
    try:
        yield factory
    finally:
        factory.close()
