"""The engine protocol (filmkg.engines.protocol): the memory, on-disk, rdflib and remote
engines all implement it, and answer the same text with the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from filmkg.engines.protocol import GraphEngine, SparqlEngine
from filmkg.engines.remote import Endpoint, push
from filmkg.engines.store import KnowledgeGraph, RdflibEngine
from filmkg.errors import UsageError
from filmkg.sparql import catalogue
from servers import OxigraphServer

E = "https://e.org/"
G = E + "g"
TRIPLES = [
    (URIRef(E + "a"), URIRef(E + "p"), Literal(1)),
    (URIRef(E + "a"), URIRef(E + "q"), Literal("x", lang="en")),
    (URIRef(E + "b"), URIRef(E + "p"), URIRef(E + "a")),
]
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


def _filled(kg: KnowledgeGraph) -> KnowledgeGraph:
    kg.add_triples(G, TRIPLES)
    return kg


@pytest.fixture(params=["memory", "on-disk", "rdflib"])
def local(request: pytest.FixtureRequest, tmp_path: Path) -> GraphEngine:
    if request.param == "memory":
        return _filled(KnowledgeGraph())
    kg = _filled(KnowledgeGraph(tmp_path / "db"))
    return kg.using("rdflib") if request.param == "rdflib" else kg


def test_each_local_engine_is_a_graph_engine(local: GraphEngine) -> None:
    assert isinstance(local, GraphEngine)
    assert isinstance(local, SparqlEngine)
    assert len(local) == 3
    assert local.graph_names() == [URIRef(G)]
    assert sorted((s, p, o) for s, p, o, _ in local.quads()) == sorted(TRIPLES)
    assert local.query("ASK { ?s ?p 1 }") is True
    assert [r["o"] for r in local.select(SELECT).as_dicts()] == [1, "x", E + "a"]


def test_an_update_and_a_load_are_seen_by_every_engine(local: GraphEngine, tmp_path: Path) -> None:
    local.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{E}c> <{E}p> 2 }} }}")
    data = tmp_path / "more.nt"
    data.write_text(f"<{E}d> <{E}p> <{E}c> .\n", encoding="utf-8")
    assert local.load(data, graph=E + "h") == 1
    local.flush()
    assert len(local) == 5
    assert local.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0] == Literal(5)
    local.clear_graph(E + "h")
    assert local.graph_names() == [URIRef(G)]
    local.close()
    assert len(local) == 0


def test_rdflib_and_oxigraph_give_the_same_rows() -> None:
    kg = _filled(KnowledgeGraph())
    rdflib_engine = kg.using("rdflib")
    assert isinstance(rdflib_engine, RdflibEngine)
    assert kg.using("oxigraph") is kg
    assert rdflib_engine.select(SELECT).rows == kg.select(SELECT).rows


def test_an_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown engine 'jena'"):
        KnowledgeGraph().using("jena")  # type: ignore[arg-type]


@pytest.mark.server
def test_the_remote_engine_answers_as_the_local_ones(oxigraph: OxigraphServer) -> None:
    kg = _filled(KnowledgeGraph())
    endpoint = Endpoint(oxigraph.query_url)
    assert isinstance(endpoint, SparqlEngine)
    assert not isinstance(endpoint, GraphEngine)  # its quads stay on the server
    push(kg, endpoint)
    engines: list[SparqlEngine] = [kg, kg.using("rdflib"), endpoint]
    answers = [engine.select(SELECT).rows for engine in engines]
    assert answers[0] == answers[1] == answers[2]
    assert {engine.query("ASK { ?s ?p 1 }") for engine in engines} == {True}


def test_named_queries_run_on_any_engine(project_kg: KnowledgeGraph) -> None:
    params = {"person": "Tom Hanks"}
    on_oxigraph = catalogue.run(project_kg, "person_credits", params)
    on_rdflib = catalogue.run(project_kg.using("rdflib"), "person_credits", params)
    assert on_oxigraph.rows
    assert sorted(on_rdflib.rows) == sorted(on_oxigraph.rows)
