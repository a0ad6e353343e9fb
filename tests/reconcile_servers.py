"""Helpers and fixtures of the reconciliation tests: the Wikidata-shaped fixture
(tests/data/reconcile/wikidata.ttl) served by real servers, the Oxigraph server and
Virtuoso (the live query service is never contacted); and a forwarding proxy that fails
or stalls on purpose (429 / 503 with Retry-After, a hang).

The fixtures are registered by tests/conftest.py (``oxigraph_wikidata``,
``virtuoso_wikidata``, ``wikidata``: the last is parametrized over both servers)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from rdflib import Graph

from filmkg.engines.remote import Endpoint
from filmkg.engines.server import OxigraphServer
from servers import LoopbackHTTP, Virtuoso, answer, start_oxigraph, unique_graph

DATA = Path(__file__).resolve().parent / "data" / "reconcile"
FIXTURE = DATA / "wikidata.ttl"
GOLD = DATA / "gold.tsv"


@dataclass(frozen=True)
class Wikidata:
    """Where the fixture is served: the query URL, and the default graph to ask for."""

    name: str
    query_url: str
    default_graphs: tuple[str, ...] = ()

    def options(self) -> list[str]:
        """The CLI options that point `filmkg reconcile` at it."""
        extra = [x for g in self.default_graphs for x in ("--default-graph", g)]
        return ["--endpoint", self.query_url, *extra]


@pytest.fixture(scope="session")
def oxigraph_wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One Oxigraph server holding the fixture in a named graph (union default graph)."""
    server = start_oxigraph(tmp_path_factory.mktemp("wikidata") / "store")
    try:
        data = Graph().parse(FIXTURE).serialize(format="nt", encoding="utf-8")
        Endpoint(server.query_url).graph_put("http://www.wikidata.org/fixture", data)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_wikidata(virtuoso_server: Virtuoso) -> str:
    """The fixture loaded into a graph of its own in the session's Virtuoso."""
    graph = unique_graph("urn:filmkg:test:wikidata:")
    virtuoso_server.load(FIXTURE, graph)
    return graph


@pytest.fixture(params=["oxigraph", "virtuoso"])
def wikidata(request: pytest.FixtureRequest) -> Wikidata:
    """The fixture on each real server (Virtuoso through its default-graph-uri, since its
    default graph holds its own triples)."""
    if request.param == "oxigraph":
        server = request.getfixturevalue("oxigraph_wikidata")
        return Wikidata("oxigraph", server.query_url)
    virtuoso: Virtuoso = request.getfixturevalue("virtuoso_server")
    graph = request.getfixturevalue("virtuoso_wikidata")
    return Wikidata("virtuoso", virtuoso.query_url, (graph,))


class Proxy(LoopbackHTTP):
    """A loopback HTTP proxy to one upstream query URL that misbehaves on purpose.

    ``fail`` lists answers for the first requests (e.g. ``[429, 503]``, each sent with
    ``Retry-After: 1``); after ``hold_after`` forwarded requests every further one waits
    until :attr:`release` is set (a stall to kill a client in). ``seen`` counts requests,
    ``agents`` the User-Agent headers received.
    """

    def __init__(
        self, upstream: str, *, fail: tuple[int, ...] = (), hold_after: int | None = None
    ) -> None:
        self.upstream = upstream
        self.fail = list(fail)
        self.hold_after = hold_after
        self.forwarded = 0
        self.seen = 0
        self.held = threading.Event()
        self.agents: list[str] = []
        super().__init__()
        self.url += "/sparql"

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        self.seen += 1
        self.agents.append(h.headers.get("User-Agent", ""))
        if self.fail:
            answer(h, self.fail.pop(0), b"busy", Retry_After="1")
            return
        if self.hold_after is not None and self.forwarded >= self.hold_after:
            self.held.set()
            self.release.wait(60)
        self.forwarded += 1
        query = h.path.partition("?")[2]
        request = urllib.request.Request(
            self.upstream + (f"?{query}" if query else ""), data=body or None, method=h.command
        )
        for key in ("Content-Type", "Accept"):
            if h.headers.get(key):
                request.add_header(key, h.headers[key])
        try:
            with urllib.request.urlopen(request, timeout=30) as upstream:
                code, data, media = (
                    upstream.status,
                    upstream.read(),
                    upstream.headers["Content-Type"],
                )
        except urllib.error.HTTPError as exc:
            code, data, media = exc.code, exc.read(), "text/plain"
        answer(h, code, data, media or "application/octet-stream")
