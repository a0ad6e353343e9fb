"""Guards for ad-hoc SPARQL (filmkg.sparql.safety) and their use in KnowledgeGraph.query."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from filmkg.engines.store import ENGINES, Engine, KnowledgeGraph
from filmkg.errors import (
    ForbiddenOperationError,
    InputLimitError,
    InternalError,
    QuerySyntaxError,
    ResourceLimitError,
)
from filmkg.io.jsonld import offline_document_loader
from filmkg.sparql.limited import GraphSource, limited_query, run_with_limits
from filmkg.sparql.results import QueryResult
from filmkg.sparql.safety import QueryInfo, check_query, may_touch_outside

G = "https://e.org/g"
P = URIRef("https://e.org/p")


@pytest.fixture
def kg() -> KnowledgeGraph:
    """300 triples in one named graph."""
    graph = KnowledgeGraph()
    graph.add_triples(G, [(URIRef(f"https://e.org/s{i:03d}"), P, Literal(i)) for i in range(300)])
    return graph


# -- check_query ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { } LOAD <file:///etc/passwd>",
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { ?a ?b ?c }" }',
        "SELECT * WHERE { ?s <http://e.org/SERVICE> ?o }",
        "PREFIX service: <http://e.org/> SELECT ?service WHERE { ?service service:load ?from }",
        'ASK { ?s ?p """\nINSERT DATA { <a> <b> <c> }\n""" }',
    ],
)
def test_keywords_in_comments_strings_iris_and_names_fool_nothing(sparql: str) -> None:
    info = check_query(sparql)
    assert info.services == ()
    assert info.updates == ()
    assert info.dataset == ()


@pytest.mark.parametrize(
    ("sparql", "endpoint"),
    [
        (
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            "http://127.0.0.1:9/sparql",
        ),
        ("select * where { service silent <http://a.example/> { ?s ?p ?o } }", "http://a.example/"),
        (
            "PREFIX e: <http://e.org/> SELECT * { OPTIONAL { SERVICE e:x { ?s ?p ?o } } }",
            "http://e.org/x",
        ),
        ("SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <http://f/> { ?s ?p ?o } } }", "http://f/"),
        ("SELECT * { { SELECT ?s { SERVICE <http://sub/> { ?s ?p ?o } } } }", "http://sub/"),
        ("SELECT * { VALUES ?e { <http://v/> } SERVICE ?e { ?s ?p ?o } }", "?e"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://c/> { ?s ?p ?o } }", "http://c/"),
    ],
)
def test_service_is_refused_naming_the_endpoint_and_the_flag(sparql: str, endpoint: str) -> None:
    with pytest.raises(ForbiddenOperationError) as info:
        check_query(sparql)
    message = str(info.value)
    assert message.startswith(f"SERVICE <{endpoint}> is refused")
    assert "--allow-service" in message
    assert check_query(sparql, allow_service=True).services == (endpoint,)


@pytest.mark.parametrize(
    ("sparql", "operation"),
    [
        ("INSERT DATA { <http://a/> <http://b/> <http://c/> }", "INSERT DATA"),
        ("DELETE DATA { <http://a/> <http://b/> <http://c/> }", "DELETE DATA"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
        ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://g/>", "DROP"),
        ("CREATE GRAPH <http://g/>", "CREATE"),
        ("COPY <http://a/> TO <http://b/>", "COPY"),
        ("MOVE <http://a/> TO <http://b/>", "MOVE"),
        ("ADD <http://a/> TO <http://b/>", "ADD"),
    ],
)
def test_updates_are_refused_unless_allowed(sparql: str, operation: str) -> None:
    with pytest.raises(
        ForbiddenOperationError, match=rf"^SPARQL update \({operation}\) is refused.*--allow-update"
    ):
        check_query(sparql)
    assert check_query(sparql, allow_update=True).updates == (operation,)


def test_load_needs_its_own_flag() -> None:
    sparql = "LOAD <file:///etc/passwd> INTO GRAPH <http://g/>"
    for allow_update in (False, True):
        with pytest.raises(
            ForbiddenOperationError, match=r"^LOAD <file:///etc/passwd> is refused.*--allow-load"
        ):
            check_query(sparql, allow_update=allow_update)
    assert check_query(sparql, allow_load=True) == QueryInfo("UPDATE", updates=("LOAD",))


@pytest.mark.parametrize(
    ("sparql", "iri"),
    [
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "file:///etc/passwd"),
        (
            "PREFIX e: <http://e.org/> SELECT * FROM NAMED e:n WHERE { GRAPH ?g { ?s ?p ?o } }",
            "http://e.org/n",
        ),
        ("DELETE { ?s ?p ?o } USING <http://u/> WHERE { ?s ?p ?o }", "http://u/"),
        ("WITH <http://w/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "http://w/"),
    ],
)
def test_dataset_clauses_are_refused_unless_allowed(sparql: str, iri: str) -> None:
    with pytest.raises(ForbiddenOperationError, match=rf"^FROM <{iri}> is refused.*--allow-from"):
        check_query(sparql, allow_update=True)
    assert iri in check_query(sparql, allow_update=True, allow_from=True).dataset


def test_syntax_error_has_line_and_column() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        check_query("PREFIX e: <http://e.org/>\nSELECT ?s\nWHERE { ?s e:p }")
    assert info.value.line == 3
    assert info.value.column is not None
    assert str(info.value).startswith("<query>:3:")


def test_deeply_nested_query_is_a_clean_error() -> None:
    sparql = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o " + "} " * 3000
    with pytest.raises((InputLimitError, QuerySyntaxError)):
        check_query(sparql)


def test_prefilter_is_conservative() -> None:
    assert not may_touch_outside("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    assert not may_touch_outside(
        "#+ summary: people who worked with others\nSELECT ?s { ?s ?p ?o }"
    )
    assert may_touch_outside("# a comment\nSELECT * { SERVICE <http://x/> { ?s ?p ?o } }")
    assert may_touch_outside("SELECT * { ?s <http://e.org/#a> ?o } # SERVICE")
    for word in ("SERVICE", "load", "From", "USING", "with", "insert", "DELETE", "clear", "drop"):
        assert may_touch_outside(f"SELECT ?s WHERE {{ ?s ?p '{word}' }}")


def test_offline_document_loader_refuses_every_url() -> None:
    with pytest.raises(ForbiddenOperationError, match="inline the context"):
        offline_document_loader("file:///etc/passwd", {})


# -- KnowledgeGraph.query -----------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_knowledge_graph_refuses_service_unless_allowed(kg: KnowledgeGraph, engine: Engine) -> None:
    sparql = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    with pytest.raises(ForbiddenOperationError, match="allow-service"):
        kg.query(sparql, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_knowledge_graph_refuses_updates_in_query(kg: KnowledgeGraph, engine: Engine) -> None:
    with pytest.raises(ForbiddenOperationError):
        kg.query("CLEAR ALL", engine=engine)
    with pytest.raises(ForbiddenOperationError, match="allow-load"):
        kg.query("LOAD <file:///etc/passwd>", engine=engine)
    assert len(kg) == 300


@pytest.mark.parametrize("engine", ENGINES)
def test_from_picks_a_graph_of_the_store_on_both_engines(
    kg: KnowledgeGraph, engine: Engine
) -> None:
    result = kg.query(f"SELECT (COUNT(*) AS ?n) FROM <{G}> WHERE {{ ?s ?p ?o }}", engine=engine)
    assert isinstance(result, QueryResult)
    assert result.rows == [(Literal(300),)]


def test_from_a_graph_rdflib_would_fetch_is_refused(kg: KnowledgeGraph) -> None:
    sparql = "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"
    with pytest.raises(ForbiddenOperationError, match=r"^FROM <file:///etc/passwd> names no graph"):
        kg.query(sparql, engine="rdflib")
    kg.select(sparql)  # oxigraph only ever uses graphs of its store: nothing to refuse


def test_update_refuses_load_but_runs_inserts(kg: KnowledgeGraph) -> None:
    with pytest.raises(ForbiddenOperationError, match="allow-load"):
        kg.update("LOAD <file:///etc/passwd> INTO GRAPH <http://g/>")
    kg.update(f"INSERT DATA {{ GRAPH <{G}> {{ <https://e.org/x> <https://e.org/p> 1 }} }}")
    assert len(kg) == 301


@pytest.mark.parametrize("engine", ENGINES)
def test_max_rows_stops_a_big_result(kg: KnowledgeGraph, engine: Engine) -> None:
    sparql = "SELECT ?s WHERE { ?s ?p ?o }"
    assert len(kg.select(sparql, engine=engine).rows) == 300
    with pytest.raises(
        ResourceLimitError, match=r"^query stopped after 100 results \(limit: --max-rows"
    ):
        kg.query(sparql, engine=engine, max_rows=100)
    with pytest.raises(ResourceLimitError):
        kg.query("CONSTRUCT WHERE { ?s ?p ?o }", engine=engine, max_rows=299)


# -- run_with_limits / limited_query ---------------------------------------------------------------

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("engine", ENGINES)
def test_runaway_cross_join_is_stopped(kg: KnowledgeGraph, engine: Engine) -> None:
    source = GraphSource.snapshot(kg)
    limited_query(source, "ASK { ?s ?p ?o }", timeout_s=30)  # start the worker machinery
    started = time.monotonic()
    with pytest.raises(ResourceLimitError) as info:
        limited_query(source, CROSS_JOIN, engine=engine, timeout_s=1)
    elapsed = time.monotonic() - started
    assert str(info.value) == "query stopped after 1 s (limit: --timeout / FILMKG_QUERY_TIMEOUT)"
    # the worker was killed, not waited for (27 million rows take far longer); generous
    # bound for a busy machine: startup of the worker is not counted in the limit
    assert elapsed < 10


@pytest.mark.parametrize("engine", ENGINES)
def test_limited_query_gives_the_same_answer_as_a_direct_call(
    kg: KnowledgeGraph, engine: Engine
) -> None:
    sparql = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(?o < 5) } ORDER BY ?o"
    bindings = {"p": P}
    direct = kg.select(sparql, bindings, engine=engine)
    limited = limited_query(GraphSource.snapshot(kg), sparql, bindings, engine=engine, timeout_s=60)
    assert limited == direct
    assert len(direct.rows) == 5


def test_limited_query_enforces_max_rows_in_the_worker(kg: KnowledgeGraph) -> None:
    with pytest.raises(ResourceLimitError, match="after 10 results"):
        limited_query(GraphSource.snapshot(kg), "SELECT * { ?s ?p ?o }", timeout_s=60, max_rows=10)


def test_limited_query_checks_the_text_before_starting_a_worker(kg: KnowledgeGraph) -> None:
    with pytest.raises(ForbiddenOperationError):
        limited_query(GraphSource.snapshot(kg), "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")
    with pytest.raises(ForbiddenOperationError):
        limited_query(GraphSource.snapshot(kg), "DROP ALL")


def test_errors_in_the_worker_keep_their_location(kg: KnowledgeGraph) -> None:
    sparql = 'SELECT * { ?s ?p ?o FILTER(?o = "a"^^<relative>) }'  # rdflib parses it, not oxigraph
    with pytest.raises(QuerySyntaxError) as direct:
        kg.query(sparql)
    with pytest.raises(QuerySyntaxError) as limited:
        limited_query(GraphSource.snapshot(kg), sparql, timeout_s=60)
    assert str(limited.value) == str(direct.value)
    assert vars(limited.value) == vars(direct.value)


def test_graph_sources_open_the_same_graph(tmp_path: Path, kg: KnowledgeGraph) -> None:
    data = tmp_path / "data.nt"
    data.write_text(
        "".join(f'<https://e.org/s{i}> <https://e.org/p> "{i}" .\n' for i in range(300))
    )
    on_disk = KnowledgeGraph(tmp_path / "store")
    on_disk.load(data, graph=G)
    del on_disk  # release the store's lock: the worker opens it read-only
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for source in (
        GraphSource.snapshot(kg),
        GraphSource(files=((str(data), G),)),
        GraphSource(store_path=str(tmp_path / "store")),
    ):
        result = limited_query(source, count, timeout_s=60)
        assert isinstance(result, QueryResult)
        assert result.rows == [(Literal(300),)]
    with pytest.raises(ValueError, match="exactly one"):
        GraphSource()


def test_run_with_limits_kills_a_sleeping_function() -> None:
    with pytest.raises(ResourceLimitError, match=r"^query stopped after 0.5 s"):
        run_with_limits(time.sleep, 60, timeout_s=0.5)


def test_run_with_limits_reports_a_dead_worker() -> None:
    with pytest.raises(InternalError, match="worker process died"):
        run_with_limits(os._exit, 3, timeout_s=30)


def test_run_with_limits_refuses_a_long_result() -> None:
    assert run_with_limits(list, range(5), timeout_s=30, max_rows=5) == [0, 1, 2, 3, 4]
    with pytest.raises(ResourceLimitError, match="after 4 results"):
        run_with_limits(list, range(5), timeout_s=30, max_rows=4)


def test_security_md_names_every_flag_the_errors_name() -> None:
    security = (Path(__file__).parents[2] / "SECURITY.md").read_text()
    for flag in (
        "--allow-service",
        "--allow-load",
        "--allow-update",
        "--allow-from",
        "--timeout",
        "--max-rows",
    ):
        assert flag in security
