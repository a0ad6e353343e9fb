"""The real-server fixtures of tests/servers.py work as their docstring says."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

from servers import Comunica, ComunicaFactory, Virtuoso, unique_graph

EX = "http://example.org/"
RESULTS = "application/sparql-results+json"


def _select(url: str, query: str) -> list[dict[str, str]]:
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode({"query": query}).encode(), headers={"Accept": RESULTS}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    return [{k: v["value"] for k, v in row.items()} for row in answer["results"]["bindings"]]


def test_virtuoso_loads_counts_clears_and_takes_updates(virtuoso: Virtuoso, tmp_path: Path) -> None:
    assert virtuoso.running()
    assert virtuoso.url.startswith("http://127.0.0.1:")
    graph = unique_graph()
    data = tmp_path / "two.ttl"
    data.write_text(f'<{EX}a> <{EX}p> <{EX}b> , "it\u0027s" .\n')
    virtuoso.load(data, graph)
    assert virtuoso.count(graph) == 2
    assert graph in virtuoso.graphs()
    rows = _select(virtuoso.query_url, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert sorted(r["o"] for r in rows) == [f"{EX}b", "it's"]
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}p> <{EX}c> }} }}"
    request = urllib.request.Request(
        virtuoso.update_url, data=urllib.parse.urlencode({"update": update}).encode()
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    assert virtuoso.count(graph) == 3
    virtuoso.clear(graph)
    assert virtuoso.count(graph) == 0


def test_virtuoso_loads_quads_into_their_graphs(virtuoso: Virtuoso, tmp_path: Path) -> None:
    one, two = unique_graph(), unique_graph()
    data = tmp_path / "q.nq"
    data.write_text(f'<{EX}a> <{EX}p> <{EX}b> <{one}> .\n<{EX}a> <{EX}p> "x" <{two}> .\n')
    virtuoso.load_quads(data)
    assert (virtuoso.count(one), virtuoso.count(two)) == (1, 1)
    virtuoso.reset()
    assert not {one, two} & virtuoso.graphs()


def test_virtuoso_graph_store_put_replaces_with_digest(virtuoso: Virtuoso) -> None:
    graph = unique_graph()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, virtuoso.url, virtuoso.user, virtuoso.password)
    opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
    url = virtuoso.graph_store_auth_url + "?" + urllib.parse.urlencode({"graph-uri": graph})
    for obj in ("b", "c"):
        body = f"<{EX}a> <{EX}p> <{EX}{obj}> .\n".encode()
        request = urllib.request.Request(
            url, data=body, method="PUT", headers={"Content-Type": "text/turtle"}
        )
        with opener.open(request, timeout=30) as response:
            assert response.status in (200, 201, 204)
    assert virtuoso.count(graph) == 1


def test_virtuoso_the_fixture_clears_what_a_test_left(virtuoso: Virtuoso, tmp_path: Path) -> None:
    # runs after the tests above: none of their graphs is left
    assert not [g for g in virtuoso.graphs() if g.startswith("urn:filmkg:test:graph:")]


def test_comunica_serves_a_file_read_only(comunica: ComunicaFactory, tmp_path: Path) -> None:
    data = tmp_path / "q.nq"
    data.write_text(f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n")
    server = comunica.serve(data)
    assert comunica.serve(data) is server
    assert server.url.startswith("http://127.0.0.1:")
    rows = _select(server.query_url, "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert rows == [{"g": f"{EX}g", "o": f"{EX}b"}]
    listening = {
        c.laddr.ip for c in psutil.Process(server.pid).net_connections() if c.status == "LISTEN"
    }
    assert listening == {"127.0.0.1"}


def test_comunica_stops_by_pid(comunica: ComunicaFactory, tmp_path: Path) -> None:
    data = tmp_path / "t.ttl"
    data.write_text(f"<{EX}a> <{EX}p> <{EX}b> .\n")
    server: Comunica = comunica.serve(data, union_default_graph=True)
    pid = server.pid
    assert pid is not None
    children = psutil.Process(pid).children(recursive=True)
    server.stop()
    assert not server.running()
    _, alive = psutil.wait_procs(
        [psutil.Process(pid), *children] if psutil.pid_exists(pid) else children, timeout=10
    )
    assert not alive
