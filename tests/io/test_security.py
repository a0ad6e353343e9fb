"""Hostile input: bombs, remote resources and canaries (issue 7).

Each bomb is generated on the fly and must be refused with a clean one-line error well
within the 5 s time-out (pytest-timeout stops a hang; a crash would end the subprocess).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from filmkg.engines.store import Engine
from filmkg.errors import ForbiddenOperationError, InputLimitError
from filmkg.io.loading import parse_bytes, parse_file

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _rdfxml(dtd: str, value: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{dtd}\n]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF}"><rdf:Description rdf:about="https://e.org/s">'
        f"<rdf:value>{value}</rdf:value></rdf:Description></rdf:RDF>\n"
    ).encode()


@pytest.mark.timeout(5)
def test_rdfxml_billion_laughs_is_refused() -> None:
    dtd = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = _rdfxml(dtd, "&lol9;")  # 3 GB once expanded
    assert len(bomb) < 1200
    with pytest.raises(InputLimitError, match="XML entities would expand to 3,000,000,000 bytes"):
        parse_bytes(bomb, fmt="rdfxml", path="laughs.rdf")


@pytest.mark.timeout(5)
def test_rdfxml_quadratic_blowup_is_refused() -> None:
    # one large entity used many times: no nesting, but 50 kB expanding to 500 MB
    bomb = _rdfxml(f'<!ENTITY a "{"x" * 50_000}">', "&a;" * 10_000)
    with pytest.raises(InputLimitError) as info:
        parse_bytes(bomb, fmt="rdfxml", path="quadratic.rdf")
    assert str(info.value).startswith(
        "quadratic.rdf: XML entities would expand to 500,000,000 bytes;"
    )
    assert "FILMKG_MAX_XML_ENTITY_EXPANSION" in str(info.value)


@pytest.mark.timeout(5)
def test_rdfxml_external_entity_is_refused() -> None:
    bomb = _rdfxml('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;")
    with pytest.raises(
        ForbiddenOperationError, match=r"^x.rdf:3: external XML entity &x; is refused"
    ):
        parse_bytes(bomb, fmt="rdfxml", path="x.rdf")


@pytest.mark.timeout(5)
@pytest.mark.parametrize("fmt", ["nt", "nq"])
def test_long_line_bomb_is_refused(fmt: str) -> None:
    bomb = b'<https://e.org/s> <https://e.org/p> "' + b"a" * 4_000_000 + b'" .\n'
    with pytest.raises(InputLimitError) as info:
        parse_bytes(bomb, fmt=fmt, path=f"long.{fmt}")
    assert str(info.value).startswith(
        f"long.{fmt}:1: line of 4,000,040 bytes is longer than allowed;"
    )


@pytest.mark.timeout(5)
@pytest.mark.parametrize("depth", [123, 3_500, 1_000_000])
@pytest.mark.parametrize(
    ("fmt", "opening", "closing"),
    [("ttl", "(", ")"), ("ttl", "[ <https://e.org/p> ", "]"), ("trig", "(", ")")],
)
def test_turtle_nesting_bomb_is_refused(fmt: str, opening: str, closing: str, depth: int) -> None:
    bomb = f"<https://e.org/s> <https://e.org/p> {opening * depth}1{closing * depth} .".encode()
    if fmt == "trig":
        bomb = b"<https://e.org/g> { " + bomb + b" }"
    with pytest.raises(
        InputLimitError, match=r"^deep\.\w+:1: nesting deeper than 100 levels; limit 100"
    ):
        parse_bytes(bomb, fmt=fmt, path=f"deep.{fmt}")


_JSON_LD_BOMB = textwrap.dedent(
    """
    import sys
    from filmkg.errors import InputLimitError
    from filmkg.io.loading import parse_bytes
    depth, kind = int(sys.argv[1]), sys.argv[2]
    if kind == "object":
        body = b'"https://e.org/p": {' * depth + b'"@id": "https://e.org/o"' + b"}" * depth
    else:
        body = b'"https://e.org/p": ' + b"[" * depth + b"1" + b"]" * depth
    bomb = b'{"@id": "https://e.org/s", ' + body + b"}"
    try:
        parse_bytes(bomb, fmt="jsonld", path="deep.jsonld")
    except InputLimitError as exc:
        print(exc)
    """
)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("depth", [3_500, 100_000])
@pytest.mark.parametrize("kind", ["object", "array"])
def test_json_ld_nesting_bomb_is_refused_without_a_crash(depth: int, kind: str) -> None:
    # pyoxigraph's JSON-LD parser segfaults at ~3,500 levels: run it in a child process
    # so that a regression fails this test instead of killing the test run
    done = subprocess.run(
        [sys.executable, "-c", _JSON_LD_BOMB, str(depth), kind],
        capture_output=True,
        text=True,
        timeout=9,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deep.jsonld:1: nesting deeper than 100 levels; limit 100")


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    ("name", "bomb"),
    [
        (
            "deep.jsonld",
            b'{"@id": "https://e.org/s", "https://e.org/p": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        ),
        ("deep.ttl", b"<https://e.org/s> <https://e.org/p> " + b"(" * 5000 + b")" * 5000 + b" ."),
        ("long.nt", b'<https://e.org/s> <https://e.org/p> "' + b"a" * 2_000_000 + b'" .\n'),
    ],
)
def test_bulk_load_checks_the_limits_too(tmp_path: Path, name: str, bomb: bytes) -> None:
    from filmkg.engines.store import KnowledgeGraph

    path = tmp_path / name
    path.write_bytes(bomb)
    kg = KnowledgeGraph(tmp_path / "store")
    with pytest.raises(InputLimitError, match=f"^{path}:1: "):
        kg.bulk_load(path, graph="https://e.org/g")
    assert len(kg) == 0


# -- canaries: nothing reaches the network or reads a file nobody named ---------------------------

CANARY_TTL = b"<https://e.org/canary> <https://e.org/was> <https://e.org/read> .\n"


@dataclass
class Canary:
    """A loopback HTTP server and a named pipe that record every request and every read."""

    url: str
    file: Path
    requests: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)

    def assert_untouched(self) -> None:
        assert self.requests == [], f"the canary server was contacted: {self.requests}"
        assert self.reads == [], f"the canary file was read: {self.reads}"


@pytest.fixture
def canary(tmp_path: Path) -> Iterator[Canary]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        timeout = 5

        def _answer(self) -> None:
            requests.append(f"{self.command} {self.path}")
            accept = self.headers.get("Accept", "")
            if "sparql-results" in accept:
                body, kind = (
                    b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}',
                    "application/sparql-results+json",
                )
            elif "json" in accept:
                body, kind = (
                    b'{"@context": {"name": "https://schema.org/name"}}',
                    "application/ld+json",
                )
            else:
                body, kind = CANARY_TTL, "text/turtle"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def do_HEAD(self) -> None:
            self._answer()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    serving = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    serving.start()

    # The canary file is a named pipe: whoever opens it to read blocks until the watcher
    # below sees it (by opening the write end), records the read and hands over the data.
    fifo = tmp_path / "canary.ttl"
    os.mkfifo(fifo)
    stop = threading.Event()
    canary = Canary(
        url=f"http://127.0.0.1:{server.server_address[1]}/", file=fifo, requests=requests
    )

    def watch() -> None:
        while not stop.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.002)
                continue
            canary.reads.append(str(fifo))
            with contextlib.suppress(OSError):
                os.write(fd, CANARY_TTL)
            os.close(fd)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    yield canary
    stop.set()
    server.shutdown()
    server.server_close()
    serving.join(5)
    watcher.join(5)


def test_the_canaries_do_see_a_request_and_a_read(canary: Canary) -> None:
    """Positive control: the canaries notice what the other tests say never happens."""
    from rdflib import Graph

    assert len(Graph().parse(str(canary.file), format="turtle")) == 1  # rdflib reads a plain path
    assert set(canary.reads) == {str(canary.file)}
    with urllib.request.urlopen(canary.url + "ctx", timeout=5) as answer:
        assert answer.status == 200
    assert canary.requests == ["GET /ctx"]


def test_the_pytest_guard_stops_connections_past_loopback() -> None:
    import conftest

    with socket.socket() as sock, pytest.raises(PermissionError, match="only loopback"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed; refused before any packet
    assert conftest._OUTSIDE.pop() == "socket.connect '192.0.2.1'"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_loading_turtle_follows_no_base_and_no_import(canary: Canary, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "data.ttl",
        f"@base <{canary.url}> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<onto> owl:imports <{canary.url}onto.ttl>, <{canary.file.as_uri()}> .\n"
        "<s> <p> <o> .\n",
    )
    quads = parse_file(path)
    assert str(quads[0].subject.value) == canary.url + "onto"
    canary.assert_untouched()


@pytest.mark.parametrize("where", ["url", "file", "import", "list"])
def test_loading_json_ld_fetches_no_context(canary: Canary, tmp_path: Path, where: str) -> None:
    context = {
        "url": f'"{canary.url}context.jsonld"',
        "file": f'"{canary.file.as_uri()}"',
        "import": f'{{"@import": "{canary.url}import.jsonld"}}',
        "list": f'[{{"name": "https://schema.org/name"}}, "{canary.url}second.jsonld"]',
    }[where]
    path = _write(
        tmp_path, "data.jsonld", f'{{"@context": {context}, "@id": "https://e.org/s", "name": "x"}}'
    )
    with pytest.raises(ForbiddenOperationError, match="is not fetched"):
        parse_file(path)
    canary.assert_untouched()


def test_loading_rdfxml_resolves_no_external_entity(canary: Canary, tmp_path: Path) -> None:
    for target in (canary.url + "entity", canary.file.as_uri()):
        path = tmp_path / "data.rdf"
        path.write_bytes(_rdfxml(f'<!ENTITY x SYSTEM "{target}">', "&x;"))
        with pytest.raises(ForbiddenOperationError):
            parse_file(path)
    canary.assert_untouched()


def test_validating_follows_no_import(
    canary: Canary, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmkg.cli import main

    path = _write(
        tmp_path,
        "data.ttl",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://e.org/onto> a owl:Ontology ; owl:imports <{canary.url}onto.ttl>, <{canary.file.as_uri()}> .\n",
    )
    assert main(["validate", str(path)]) in (0, 1)
    capsys.readouterr()
    canary.assert_untouched()


@pytest.mark.parametrize("engine", ["pyshacl", "sparql"])
def test_validating_with_user_shapes_runs_no_service(
    canary: Canary, tmp_path: Path, engine: str
) -> None:
    from filmkg.build.project import load_project
    from filmkg.validation.report import validate

    shapes = _write(
        tmp_path,
        "shapes.ttl",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://e.org/shapes> owl:imports <{canary.url}more-shapes.ttl> .\n"
        "<https://e.org/AnyShape> a sh:NodeShape ; sh:targetSubjectsOf <https://e.org/p> ;\n"
        f'  sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{canary.url}sparql> {{ $this ?p ?o }} }}" ] .\n',
    )
    data = _write(tmp_path, "data.ttl", "<https://e.org/s> <https://e.org/p> 1 .\n")
    with pytest.raises(
        ForbiddenOperationError, match=r"^shapes: the SPARQL of <https://e.org/AnyShape> is refused"
    ):
        validate(load_project([data], include_data=False), [shapes], engine=engine)
    canary.assert_untouched()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_querying_reaches_nothing(canary: Canary, engine: Engine) -> None:
    from filmkg.engines.store import KnowledgeGraph

    kg = KnowledgeGraph()
    kg.add_quads(parse_bytes(b'<https://e.org/s> <https://e.org/p> "1" .', fmt="nt"))
    refused = [
        f"SELECT * WHERE {{ SERVICE <{canary.url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <{canary.url}silent> {{ ?s ?p ?x }} }} }}",
        f"LOAD <{canary.url}data.ttl>",
        f"LOAD <{canary.file.as_uri()}>",
    ]
    if engine == "rdflib":  # rdflib fetches a FROM graph it does not have; oxigraph never does
        refused += [
            f"SELECT * FROM <{canary.url}data.ttl> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{canary.file.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        ]
    for sparql in refused:
        with pytest.raises(ForbiddenOperationError):
            kg.query(sparql, engine=engine)
    with pytest.raises(ForbiddenOperationError):
        kg.update(f"LOAD <{canary.url}data.ttl>")
    if engine == "oxigraph":
        for sparql in (
            f"SELECT * FROM <{canary.url}data.ttl> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{canary.file.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        ):
            kg.query(sparql, engine=engine)
    canary.assert_untouched()
    # positive control: when the caller allows SERVICE, the canary sees the request
    with contextlib.suppress(Exception):
        kg.query(refused[0], engine=engine, allow_service=True)
    assert canary.requests


def test_limited_query_reaches_nothing(canary: Canary) -> None:
    from filmkg.sparql.limited import GraphSource, limited_query

    source = GraphSource(nquads=b"<https://e.org/s> <https://e.org/p> <https://e.org/o> .\n")
    for sparql in (
        f"SELECT * WHERE {{ SERVICE <{canary.url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{canary.file.as_uri()}> WHERE {{ ?s ?p ?o }}",
    ):
        with pytest.raises(ForbiddenOperationError):
            limited_query(source, sparql, engine="rdflib", timeout_s=30)
    canary.assert_untouched()


def test_pyld_with_the_offline_loader_fetches_no_context(canary: Canary) -> None:
    from pyld import jsonld

    from filmkg.io.jsonld import offline_document_loader

    document = {"@context": canary.url + "context.jsonld", "@id": "https://e.org/s", "name": "x"}
    with pytest.raises(jsonld.JsonLdError) as info:
        jsonld.expand(document, options={"documentLoader": offline_document_loader})
    assert isinstance(info.value.__cause__, ForbiddenOperationError)
    canary.assert_untouched()
