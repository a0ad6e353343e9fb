"""Push and remote queries against other real stores: Virtuoso 7 (Debian) and Comunica (npm).

Virtuoso differs from Oxigraph where a user meets it: its Graph Store is at
``/sparql-graph-crud`` (``-auth`` with Digest authentication), a PUT to ``/sparql`` is
never answered, booleans come back as ``"1"^^xsd:boolean``, an ASK in SELECT form, and
its default graph holds its own triples. Comunica picks its own JSON unless the standard
results types come first in ``Accept``. Queries whose answers a server gets wrong are
docs/triple-store.md's list (and the five-engine differential test's), not tested here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.engines.remote import Credentials, Endpoint, push
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import AuthenticationError, EndpointError
from filmkg.sparql import catalogue as queries
from goldens import golden_case
from servers import COMUNICA_CRASH, Comunica, ComunicaFactory, Virtuoso

WDT = "http://www.wikidata.org/prop/direct/"
SECRET = "n0t-the-dba-pa55"
#: A sample of the named queries (all 54 cases: tests/sparql/test_five_engines.py).
VIRTUOSO_RIGHT = [
    ("coworkers", {"person": "Tom Hanks"}),
    ("crew_wikidata", {"film": "Here"}),
    ("person_credits", {"person": "Robert Zemeckis"}),
    ("release_history", {"film": "Here"}),
    ("film_credits", {"film": "Here"}),
    ("based_on_wikidata", {}),
]


@pytest.fixture(scope="module")
def project() -> KnowledgeGraph:
    return load_project()


def names(kg: KnowledgeGraph) -> list[str]:
    return [str(g) for g in kg.graph_names()]


def counts(kg: KnowledgeGraph) -> dict[str, int]:
    found: dict[str, int] = dict.fromkeys(names(kg), 0)
    for *_, graph in kg.quads():
        if graph is not None:
            found[str(graph)] += 1
    return found


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def golden_rows(name: str, params: dict[str, str]) -> object:
    return golden_case(name, params)["rows"]


# -- push to Virtuoso -------------------------------------------------------------------


@pytest.mark.server
def test_push_twice_to_virtuoso_leaves_one_copy(
    virtuoso: Virtuoso, project: KnowledgeGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        code, out, err = run_cli(["push", "--endpoint", virtuoso.query_url], capsys)
        assert code == 0, err
        assert {line.split("\t")[2] for line in out.splitlines()} == {"gsp"}
    assert {g: virtuoso.count(g) for g in names(project)} == counts(project)


@pytest.mark.server
def test_push_to_virtuoso_with_digest_credentials(
    virtuoso: Virtuoso, project: KnowledgeGraph
) -> None:
    endpoint = Endpoint(
        virtuoso.query_url, credentials=Credentials(user=virtuoso.user, password=virtuoso.password)
    )
    report = push(project, endpoint)
    assert endpoint.store_url == virtuoso.graph_store_auth_url
    assert endpoint.update_url == virtuoso.url + "/sparql-auth"
    assert {g.method for g in report.graphs} == {"gsp"}
    again = push(project, endpoint, batch_size=200)  # staged in batches, moved by Update
    assert {g.method for g in again.graphs} >= {"gsp+move"}
    assert {g: virtuoso.count(g) for g in names(project)} == counts(project)
    assert not [g for g in virtuoso.graphs() if g.startswith("urn:filmkg:staging:")]


@pytest.mark.server
def test_wrong_password_on_virtuoso_is_one_line_exit_3(
    virtuoso: Virtuoso,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FILMKG_ENDPOINT_USER", "dba")
    monkeypatch.setenv("FILMKG_ENDPOINT_PASSWORD", SECRET)
    code, out, err = run_cli(["push", "--endpoint", virtuoso.url + "/sparql-auth"], capsys)
    assert code == 3
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "refused the credentials" in err
    assert SECRET not in err
    with pytest.raises(AuthenticationError):
        Endpoint(
            virtuoso.url + "/sparql-auth", credentials=Credentials(user="dba", password=SECRET)
        ).select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


@pytest.mark.server
def test_a_query_url_as_store_url_falls_back_to_update(
    virtuoso: Virtuoso, project: KnowledgeGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    # Virtuoso never answers a PUT to /sparql: the probe's GET says it is no Graph Store
    args = ["push", "--endpoint", virtuoso.query_url, "--store-url", virtuoso.query_url]
    for given in (args, ["push", "--store-url", virtuoso.query_url]):  # the endpoint too
        code, out, err = run_cli(given, capsys)
        assert code == 0, err
        assert {line.split("\t")[2] for line in out.splitlines()} == {"update"}
    assert {g: virtuoso.count(g) for g in names(project)} == counts(project)
    code, out, err = run_cli([*args, "--via", "gsp"], capsys)
    assert code == 3
    assert "found no Graph Store Protocol endpoint" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.server
def test_push_by_update_in_batches_to_virtuoso(virtuoso: Virtuoso, project: KnowledgeGraph) -> None:
    endpoint = Endpoint(virtuoso.query_url)
    for _ in range(2):
        report = push(project, endpoint, via="update", batch_size=300)
        assert "update+move" in {g.method for g in report.graphs}
    assert {g: virtuoso.count(g) for g in names(project)} == counts(project)


@pytest.mark.server
def test_a_default_virtuoso_wants_credentials_then_a_stopped_one_is_down(
    virtuoso_server: Virtuoso,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # as installed: the anonymous user may not write (Virtuoso says so in an HTTP 500)
    server = Virtuoso(tmp_path / "v", grant_updates=False).start()
    url = server.query_url
    try:
        for via in ("auto", "update"):
            code, out, err = run_cli(["push", "--endpoint", url, "--via", via], capsys)
            assert (code, out) == (3, ""), err
            assert "does not let this user write" in err or "needs credentials" in err
            assert len(err.strip().splitlines()) == 1
        monkeypatch.setenv("FILMKG_ENDPOINT_USER", server.user)
        monkeypatch.setenv("FILMKG_ENDPOINT_PASSWORD", server.password)
        code, out, err = run_cli(["push", "--endpoint", url], capsys)
        assert code == 0, err
        assert "counts verified" in err
    finally:
        server.stop()
    assert not server.running()
    code, _, err = run_cli(["push", "--endpoint", url, "--retries", "0"], capsys)
    assert code == 3
    assert "connection refused" in err
    assert len(err.strip().splitlines()) == 1


# -- queries on Virtuoso ----------------------------------------------------------------


@pytest.fixture(scope="module")
def virtuoso_loaded(
    virtuoso_server: Virtuoso, project: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Virtuoso]:
    """The session's Virtuoso holding the project graph, for this module's read-only tests."""
    data = tmp_path_factory.mktemp("vq") / "project.nq"
    data.write_bytes(project.nquads())
    virtuoso_server.reset()
    virtuoso_server.load_quads(data)
    yield virtuoso_server
    virtuoso_server.reset()


@pytest.mark.server
@pytest.mark.parametrize(("name", "params"), VIRTUOSO_RIGHT)
def test_named_queries_on_virtuoso_give_the_embedded_rows(
    virtuoso_loaded: Virtuoso, project: KnowledgeGraph, name: str, params: dict[str, str]
) -> None:
    remote = queries.run(Endpoint(virtuoso_loaded.query_url), name, params)
    embedded = queries.run(project, name, params)
    assert remote.variables == embedded.variables
    assert remote.rows == embedded.rows
    assert remote.rows, golden_rows(name, params)


@pytest.mark.server
def test_virtuoso_booleans_ask_and_construct(
    virtuoso_loaded: Virtuoso, project: KnowledgeGraph
) -> None:
    endpoint = Endpoint(virtuoso_loaded.query_url)
    # an ASK comes back as one row of `__ASK_RETVAL` 1 / 0 (an integer)
    assert endpoint.query(f"ASK {{ ?f <{WDT}P57> ?d }}") is True
    assert endpoint.query(f"ASK {{ ?f <{WDT}P57> <urn:nobody> }}") is False
    # stored booleans come back as "1"^^xsd:boolean: read as true
    graph = "urn:filmkg:test:booleans"
    endpoint_update = Endpoint(virtuoso_loaded.query_url)
    endpoint_update.update(
        f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:p> true , "0"^^<{XSD.boolean}> }} }}'
    )
    rows = endpoint.select(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?o").rows
    assert sorted(str(o) for (o,) in rows) == ["false", "true"]
    assert all(isinstance(o, Literal) and o.datatype == XSD.boolean for (o,) in rows)
    # its default graph holds its own triples too, and shows ours: the union
    assert not endpoint.lacks_union_default_graph()
    result = endpoint.query(f"CONSTRUCT {{ ?f <{WDT}P57> ?d }} WHERE {{ ?f <{WDT}P57> ?d }}")
    assert isinstance(result, Graph)
    local = Graph()
    for s, p, o, _ in project.quads():
        if p == URIRef(WDT + "P57"):
            local.add((s, p, o))
    assert isomorphic(result, local)


# -- queries on Comunica ----------------------------------------------------------------


@pytest.fixture(scope="module")
def comunica_loaded(
    comunica: ComunicaFactory, project: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Comunica:
    data = tmp_path_factory.mktemp("cq") / "project.nq"
    data.write_bytes(project.nquads())
    return comunica.serve(data, union_default_graph=True)


COMUNICA_CASES = [
    ("coworkers", {"person": "Tom Hanks"}),
    ("crew_wikidata", {"film": "Here"}),
    ("person_credits", {"person": "Robert Zemeckis"}),
    ("release_history", {"film": "Here"}),
    ("find_entities", {"text": "here"}),
    ("planned_release_as_of", {"film": "Here", "as_of": "2024-06-01"}),
    ("connected_within", {"start": "Kelly Reilly", "hops": "3"}),
]


@pytest.mark.server
@pytest.mark.parametrize(("name", "params"), COMUNICA_CASES)
def test_named_queries_on_comunica_give_the_embedded_rows(
    comunica_loaded: Comunica, project: KnowledgeGraph, name: str, params: dict[str, str]
) -> None:
    remote = queries.run(Endpoint(comunica_loaded.query_url), name, params)
    embedded = queries.run(project, name, params)
    assert remote.variables == embedded.variables
    # Comunica does not honour a multi-key ORDER BY: compare as multisets
    assert sorted(map(repr, remote.rows)) == sorted(map(repr, embedded.rows))
    assert remote.rows


@pytest.mark.server
def test_comunica_ask_and_construct(comunica_loaded: Comunica) -> None:
    endpoint = Endpoint(comunica_loaded.query_url)
    assert endpoint.query(f"ASK {{ ?f <{WDT}P57> ?d }}") is True
    assert endpoint.query(f"ASK {{ ?f <{WDT}P57> <urn:nobody> }}") is False
    result = endpoint.query(f"CONSTRUCT {{ ?f <{WDT}P57> ?d }} WHERE {{ ?f <{WDT}P57> ?d }}")
    assert isinstance(result, Graph)
    assert len(result) == 2


@pytest.mark.server
def test_comunica_refuses_a_push_in_one_line(
    comunica_loaded: Comunica, project: KnowledgeGraph
) -> None:
    with pytest.raises(EndpointError) as caught:
        push(project, Endpoint(comunica_loaded.query_url))
    assert caught.value.exit_code == 3


@pytest.mark.server
def test_a_query_that_crashes_comunica_is_exit_3(
    comunica_loaded: Comunica, capsys: pytest.CaptureFixture[str]
) -> None:
    # the last Comunica test: the crash restarts the server's worker (docs/triple-store.md)
    args = ["sparql", COMUNICA_CRASH, "--endpoint", comunica_loaded.query_url, "--retries", "0"]
    code, out, err = run_cli(args, capsys)
    assert (code, out) == (3, "")
    assert "broke off" in err
    assert len(err.strip().splitlines()) == 1


def test_push_without_a_url_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["push"], capsys)
    assert (code, out) == (2, "")
    assert "--endpoint" in err
    assert len(err.strip().splitlines()) == 1
