"""Remote endpoints against real servers: the Oxigraph server, and one that misbehaves.

Every test here talks HTTP to a process on 127.0.0.1; nothing is mocked.
"""

from __future__ import annotations

import gc
import io
import itertools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.engines.remote import (
    USER_AGENT,
    Credentials,
    Endpoint,
    PushProgress,
    RetryPolicy,
    load_credentials,
    push,
    staging_graph,
)
from filmkg.engines.server import OxigraphServer, free_port
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import AuthenticationError, EndpointError, ForbiddenOperationError, UsageError
from filmkg.io.loading import parse_bytes
from filmkg.sparql import catalogue as queries
from filmkg.sparql.terms import to_sparql
from filmkg.synth import generator as synth
from goldens import CASES, golden_case
from servers import Misbehaving, start_oxigraph

SECRET = "pa55-w0rd-xyzzy"
TOKEN = "t0ken-plugh-42"


@pytest.fixture(scope="module")
def project() -> KnowledgeGraph:
    return load_project()


@pytest.fixture(scope="module")
def loaded(
    tmp_path_factory: pytest.TempPathFactory, project: KnowledgeGraph
) -> Iterator[OxigraphServer]:
    """One Oxigraph server holding the project graph, shared by the read-only tests."""
    server = start_oxigraph(tmp_path_factory.mktemp("loaded") / "store")
    try:
        push(project, Endpoint(server.query_url))
        yield server
    finally:
        server.stop()


def graph_in_store(endpoint: Endpoint, graph: str) -> Graph:
    result = endpoint.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {to_sparql(URIRef(graph))} {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, Graph)
    return result


def local_graph(kg: KnowledgeGraph, graph: str) -> Graph:
    g = Graph()
    for s, p, o, name in kg.quads():
        if name is not None and str(name) == graph:
            g.add((s, p, o))
    return g


def graphs_in_store(endpoint: Endpoint) -> list[str]:
    rows = endpoint.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g").rows
    return [str(g) for (g,) in rows]


def synthetic(films: int, seed: int) -> KnowledgeGraph:
    out = io.StringIO()
    synth.write(out, films=films, seed=seed, fmt="nq")
    kg = KnowledgeGraph()
    kg.add_quads(parse_bytes(out.getvalue().encode(), fmt="nq"))
    return kg


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- the named queries, remote and embedded ------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize(("name", "params"), CASES)
def test_named_query_gives_the_embedded_rows(
    name: str, params: dict[str, str], loaded: OxigraphServer, project: KnowledgeGraph
) -> None:
    remote = queries.run(Endpoint(loaded.query_url), name, params)
    # an example may expect no rows (a filter that must exclude); the golden answer says so
    expected = golden_case(name, params)["rows"]
    assert bool(remote.rows) == bool(expected), f"{name}: rows where none are expected, or none"
    for engine in ("oxigraph", "rdflib"):
        embedded = queries.run(project, name, params, engine=engine)  # type: ignore[arg-type]
        assert remote.variables == embedded.variables
        assert remote.rows == embedded.rows, engine


@pytest.mark.server
def test_ask_construct_and_describe_convert_to_rdflib(loaded: OxigraphServer) -> None:
    endpoint = Endpoint(loaded.query_url)
    assert endpoint.query("ASK { ?s a <https://w3id.org/filmkg/ontology#Film> }") is True
    assert endpoint.query("ASK { ?s a <https://e.org/Nothing> }") is False
    film = URIRef("https://w3id.org/filmkg/id/film/here-2024")
    described = endpoint.query(f"DESCRIBE {to_sparql(film)}")
    assert isinstance(described, Graph)
    assert (film, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Here")) in (
        described
    )


@pytest.mark.server
def test_an_update_is_not_a_query(loaded: OxigraphServer) -> None:
    with pytest.raises(ForbiddenOperationError):
        Endpoint(loaded.query_url).query("DROP ALL")


@pytest.mark.server
def test_dataset_from_the_protocol_when_the_default_graph_is_not_the_union(
    tmp_path: Path, project: KnowledgeGraph
) -> None:
    server = OxigraphServer(tmp_path / "s", read_only=False, union_default_graph=False).start()
    try:
        push(project, Endpoint(server.query_url))
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert Endpoint(server.query_url).select(count).as_dicts() == [{"n": 0}]
        assert Endpoint(server.query_url).lacks_union_default_graph()
        # someone else's triple in the default graph does not make it show ours
        Endpoint(server.query_url).update("INSERT DATA { <urn:x:a> <urn:x:p> <urn:x:b> }")
        assert Endpoint(server.query_url).lacks_union_default_graph()
        names = [str(g) for g in project.graph_names()]
        scoped = Endpoint(server.query_url, default_graphs=names)
        assert scoped.select(count).as_dicts() == [{"n": len(project)}]
        assert not scoped.lacks_union_default_graph()
        expected = queries.run(project, "film_credits", {"film": "Here"})
        assert queries.run(scoped, "film_credits", {"film": "Here"}).rows == expected.rows
    finally:
        server.stop()


@pytest.mark.server
@pytest.mark.parametrize(
    "args",
    [
        ["query", "film_credits", "-p", "film=Here", "-f", "json"],
        ["query", "person_credits", "-p", "person=Tom Hanks", "-f", "csv"],
        ["sparql", "SELECT ?f ?d WHERE { ?f wdt:P57 ?d } ORDER BY ?f ?d", "-f", "tsv"],
        ["sparql", "# DROP ALL is only a comment here\nASK { ?f wdt:P57 ?d }", "-f", "json"],
        ["sparql", "CONSTRUCT { ?f wdt:P57 ?d } WHERE { ?f wdt:P57 ?d }", "-f", "ntriples"],
    ],
    ids=["query-json", "query-csv", "sparql-tsv", "sparql-ask", "sparql-construct"],
)
def test_cli_endpoint_output_is_the_embedded_output(
    loaded: OxigraphServer, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, embedded, err = run_cli(args, capsys)
    assert code == 0, err
    code, remote, err = run_cli([*args, "--endpoint", loaded.query_url], capsys)
    assert code == 0, err
    assert remote == embedded
    assert embedded.strip()


@pytest.mark.server
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["sparql", "DROP ALL"], 2, "SPARQL Update, not a query"),
        (["sparql", "SELECT * WHERE { ?s ?p ?o }", "--max-rows", "10"], 4, "more than the limit"),
        (["sparql", "SELECT * WHERE { ?s ?p ?o }", "--engine", "rdflib"], 2, "--engine cannot"),
        (["query", "film_credits", "-p", "film=Here", "--store", "x"], 2, "--store cannot"),
        (["query", "person_credits", "-p", 'person=Tom "} DROP ALL'], 2, "no person"),
        (["sparql", "SELECT * WHERE { ?s ?p }"], 3, "HTTP 400"),
    ],
)
def test_cli_endpoint_refusals(
    loaded: OxigraphServer,
    project: KnowledgeGraph,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    got, out, err = run_cli([*args, "--endpoint", loaded.query_url], capsys)
    assert (got, out) == (code, "")
    assert err.startswith("filmkg: error: ")
    assert message in err
    count = Endpoint(loaded.query_url).count_triples([str(g) for g in project.graph_names()])
    assert sum(count.values()) == len(project)  # nothing was dropped


# -- push -----------------------------------------------------------------------------


@pytest.mark.server
def test_push_twice_leaves_exactly_one_copy(
    oxigraph: OxigraphServer, project: KnowledgeGraph
) -> None:
    endpoint = Endpoint(oxigraph.query_url)
    first = push(project, endpoint)
    second = push(project, endpoint)
    assert first == second
    assert {g.method for g in first.graphs} == {"gsp"}
    names = [str(g) for g in project.graph_names()]
    assert graphs_in_store(endpoint) == names
    assert endpoint.count_triples(names) == {g.graph: g.triples for g in first.graphs}
    assert sum(endpoint.count_triples(names).values()) == len(project)
    for name in names:
        assert isomorphic(graph_in_store(endpoint, name), local_graph(project, name))


@pytest.mark.server
@pytest.mark.parametrize(
    ("via", "batch_size", "method"),
    [("gsp", 50, "gsp+move"), ("update", 100_000, "update"), ("update", 50, "update+move")],
)
def test_push_in_batches_and_by_update_gives_the_same_graph(
    oxigraph: OxigraphServer, project: KnowledgeGraph, via: str, batch_size: int, method: str
) -> None:
    endpoint = Endpoint(oxigraph.query_url)
    seen: list[PushProgress] = []
    report = push(project, endpoint, via=via, batch_size=batch_size, progress=seen.append)  # type: ignore[arg-type]
    assert {g.method for g in report.graphs} == {method}
    assert seen[-1].sent == seen[-1].total
    names = [str(g) for g in project.graph_names()]
    assert graphs_in_store(endpoint) == names  # no staging graph left behind
    for name in names:
        assert isomorphic(graph_in_store(endpoint, name), local_graph(project, name))


@pytest.mark.server
def test_push_replaces_only_the_graphs_it_pushes(
    oxigraph: OxigraphServer, project: KnowledgeGraph
) -> None:
    endpoint = Endpoint(oxigraph.query_url)
    other = KnowledgeGraph()
    other.add_triples(
        "https://e.org/other", [(URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal(1))]
    )
    push(other, endpoint)
    here = "https://w3id.org/filmkg/graph/here"
    report = push(project, endpoint, graphs=[here])
    assert [g.graph for g in report.graphs] == [here]
    assert graphs_in_store(endpoint) == ["https://e.org/other", here]
    with pytest.raises(UsageError, match="no named graph"):
        push(project, endpoint, graphs=["https://e.org/not-there"])


@pytest.mark.server
@pytest.mark.parametrize("via", ["gsp", "update"])
def test_blank_nodes_stay_whole_across_batches(oxigraph: OxigraphServer, via: str) -> None:
    kg = KnowledgeGraph()
    ex = "https://e.org/"
    triples = []
    for chain in range(5):  # five chains of 12 blank nodes, batches of 7 triples
        nodes = [BNode() for _ in range(12)]
        triples.append((URIRef(f"{ex}head{chain}"), URIRef(ex + "next"), nodes[0]))
        for a, b in itertools.pairwise(nodes):
            triples.append((a, URIRef(ex + "next"), b))
            triples.append((a, URIRef(ex + "value"), Literal(chain)))
    triples += [(URIRef(f"{ex}s{i}"), URIRef(ex + "p"), Literal(i)) for i in range(20)]
    kg.add_triples(ex + "g", triples)
    endpoint = Endpoint(oxigraph.query_url)
    push(kg, endpoint, batch_size=7, via=via)  # type: ignore[arg-type]
    assert isomorphic(graph_in_store(endpoint, ex + "g"), local_graph(kg, ex + "g"))


@pytest.mark.server
def test_interrupted_push_then_rerun_ends_with_exactly_the_graph(tmp_path: Path) -> None:
    location = tmp_path / "store"
    server = start_oxigraph(location)
    old, new = synthetic(films=12, seed=1), synthetic(films=12, seed=2)
    (name,) = (str(g) for g in new.graph_names())
    fast = RetryPolicy(retries=1, backoff=0.01)
    push(old, Endpoint(server.query_url, retry=fast))
    total = len(new)
    assert total > 1000

    def crash_after_first_batch(p: PushProgress) -> None:
        if p.batch == 1:
            server.kill()  # SIGKILL by PID, between two batches

    with pytest.raises(EndpointError, match="connection refused"):
        push(
            new,
            Endpoint(server.query_url, retry=fast),
            batch_size=200,
            progress=crash_after_first_batch,
        )
    assert not server.running()

    server = start_oxigraph(location, port=server.port)  # same store, same port
    try:
        endpoint = Endpoint(server.query_url, retry=fast)
        # the graph was never half-replaced: readers still see the old one in full
        assert isomorphic(graph_in_store(endpoint, name), local_graph(old, name))
        assert endpoint.count_triples([staging_graph(name)])[staging_graph(name)] == 200
        report = push(new, endpoint, batch_size=200)
        assert report.triples == total
        assert graphs_in_store(endpoint) == [name]  # staging graph gone
        assert isomorphic(graph_in_store(endpoint, name), local_graph(new, name))
    finally:
        server.stop()


@pytest.mark.server
def test_cli_push_prints_each_graph_and_verifies(
    oxigraph: OxigraphServer, project: KnowledgeGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        ["push", "--endpoint", oxigraph.query_url, "--batch-size", "300"], capsys
    )
    assert code == 0, err
    lines = [line.split("\t") for line in out.splitlines()]
    assert [g for g, _, _ in lines] == [str(g) for g in project.graph_names()]
    assert sum(int(n) for _, n, _ in lines) == len(project)
    assert "counts verified" in err
    assert "batch 2/" in err


@pytest.mark.server
def test_cli_push_from_an_on_disk_store(
    oxigraph: OxigraphServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kg = KnowledgeGraph(tmp_path / "built")
    kg.add_quads(synthetic(films=3, seed=5).store)
    expected = {str(g): len(local_graph(kg, str(g))) for g in kg.graph_names()}
    del kg
    gc.collect()  # close the store before the command opens it
    args = ["push", "--endpoint", oxigraph.query_url, "--store", str(tmp_path / "built"), "-q"]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    assert {g: int(n) for g, n, _ in (line.split("\t") for line in out.splitlines())} == expected
    code, _, err = run_cli([*args, "extra.ttl"], capsys)
    assert code == 2
    assert "not both" in err


# -- injection ------------------------------------------------------------------------

PROBE = queries.parse_named_query(
    "probe",
    "#+ summary: Subjects whose value is exactly the parameter\n"
    "#+ description: Injection probe.\n"
    "#+ param: value literal required Any string\n"
    "SELECT ?s WHERE { GRAPH <https://e.org/probe> { ?s <https://e.org/value> ?value } }"
    " ORDER BY ?s",
)


@pytest.mark.server
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=40), via=st.sampled_from(["gsp", "update"]))
def test_a_bound_string_only_ever_matches_itself(
    oxigraph: OxigraphServer, text: str, via: str
) -> None:
    hostile = [
        text,
        text + '"} ; DROP ALL ; SELECT * {',
        text + "\\",
        text + '\n\\"',
        "\\u0022" + text,
        "'''" + text + '"""',
    ]
    kg = KnowledgeGraph()
    ex = "https://e.org/"
    kg.add_triples(
        ex + "probe",
        [(URIRef(f"{ex}s{i}"), URIRef(ex + "value"), Literal(v)) for i, v in enumerate(hostile)],
    )
    kg.add_triples(ex + "canary", [(URIRef(ex + "c"), URIRef(ex + "p"), Literal("alive"))])
    endpoint = Endpoint(oxigraph.query_url)
    push(kg, endpoint, via=via)  # type: ignore[arg-type]
    assert isomorphic(graph_in_store(endpoint, ex + "probe"), local_graph(kg, ex + "probe"))
    for i, value in enumerate(hostile):
        rows = queries.run(endpoint, PROBE, {"value": Literal(value)}).rows
        expected = sorted({URIRef(f"{ex}s{j}") for j, v in enumerate(hostile) if v == value})
        assert [s for (s,) in rows] == expected, (i, value)
    assert endpoint.count_triples([ex + "canary"]) == {ex + "canary": 1}


# -- failures: one line, exit 3, no secrets --------------------------------------------


def assert_clean_failure(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 3, err
    assert out == ""
    assert err.startswith("filmkg: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for secret in (SECRET, TOKEN):
        assert secret not in err
    for fragment in fragments:
        assert fragment in err


@pytest.fixture
def secrets_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMKG_ENDPOINT_USER", "alice")
    monkeypatch.setenv("FILMKG_ENDPOINT_PASSWORD", SECRET)


@pytest.mark.server
def test_down_endpoint(capsys: pytest.CaptureFixture[str], secrets_in_env: None) -> None:
    where = f"127.0.0.1:{free_port()}"
    args = ["push", "--endpoint", f"http://{where}/query", "--retries", "0", "-q"]
    code, out, err = run_cli(args, capsys)
    assert_clean_failure(code, out, err, "connection refused", where)


@pytest.mark.server
def test_wrong_url_is_a_404(
    oxigraph: OxigraphServer, capsys: pytest.CaptureFixture[str], secrets_in_env: None
) -> None:
    url = oxigraph.url + "/nowhere"
    code, out, err = run_cli(
        ["push", "--endpoint", url, "--store-url", url, "--update-url", url, "-q"], capsys
    )
    assert_clean_failure(code, out, err, "HTTP 404", "/nowhere")


@pytest.mark.server
def test_server_error_is_retried_then_reported(
    misbehaving: Misbehaving, capsys: pytest.CaptureFixture[str], secrets_in_env: None
) -> None:
    endpoint = Endpoint(misbehaving.url + "/500", retry=RetryPolicy(retries=2, backoff=0.01))
    with pytest.raises(EndpointError, match=r"HTTP 500.*the store exploded") as info:
        endpoint.select("SELECT * WHERE { ?s ?p ?o }")
    assert len(misbehaving.seen) == 3  # one try, two retries
    assert "try again later" not in str(info.value)
    assert info.value.hint == (
        "the server failed the same way on all 3 attempts, so waiting will not help: "
        "check the server's log, and the query"
    )
    recovering = Endpoint(
        misbehaving.url + "/503-then-ok", retry=RetryPolicy(retries=2, backoff=0.01)
    )
    assert recovering.select("SELECT ?x WHERE {}").as_dicts() == [{"x": "ok"}]


@pytest.mark.server
@pytest.mark.parametrize(
    ("path", "expected"),
    [("/500", "HTTP 500 Internal Server Error: boom"), ("/429-long", "asks to wait 3600 s")],
)
def test_cli_server_failures_are_one_line(
    misbehaving: Misbehaving,
    capsys: pytest.CaptureFixture[str],
    secrets_in_env: None,
    path: str,
    expected: str,
) -> None:
    args = ["push", "--endpoint", misbehaving.url + path, "--retries", "0", "-q"]
    code, out, err = run_cli(args, capsys)
    assert_clean_failure(code, out, err, expected)


@pytest.mark.server
def test_retry_after_is_honoured(misbehaving: Misbehaving) -> None:
    endpoint = Endpoint(misbehaving.url + "/429-then-ok")
    waits: list[float] = []
    sleep = endpoint._sleep
    endpoint._sleep = lambda s: (waits.append(s), sleep(s))[1]  # type: ignore[method-assign]
    assert endpoint.select("SELECT ?x WHERE {}").as_dicts() == [{"x": "ok"}]
    assert waits == [1.0]
    with pytest.raises(EndpointError, match="asks to wait 3600 s, more than the 60 s limit"):
        Endpoint(misbehaving.url + "/429-long").select("SELECT ?x WHERE {}")


@pytest.mark.server
def test_timeout(misbehaving: Misbehaving, capsys: pytest.CaptureFixture[str]) -> None:
    url = misbehaving.url + "/slow"
    code, out, err = run_cli(
        ["push", "--endpoint", url, "--timeout", "0.3", "--retries", "0", "-q"], capsys
    )
    assert_clean_failure(code, out, err, "no answer within 0.3 s")


@pytest.mark.server
@pytest.mark.parametrize("auth", ["basic", "token", "file", "url"])
def test_401_never_shows_the_credentials(
    misbehaving: Misbehaving,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    auth: str,
) -> None:
    url = misbehaving.url + "/401"
    args = ["push", "--endpoint", url, "--retries", "0", "-q"]
    if auth == "basic":
        monkeypatch.setenv("FILMKG_ENDPOINT_USER", "alice")
        monkeypatch.setenv("FILMKG_ENDPOINT_PASSWORD", SECRET)
    elif auth == "token":
        monkeypatch.setenv("FILMKG_ENDPOINT_TOKEN", TOKEN)
    elif auth == "file":
        creds = tmp_path / "creds"
        creds.write_text(f"# mine\nFILMKG_ENDPOINT_TOKEN='{TOKEN}'\n")
        args += ["--credentials-file", str(creds)]
    else:
        args[2] = url.replace("http://", f"http://alice:{SECRET}@")
    code, out, err = run_cli(args, capsys)
    assert_clean_failure(code, out, err, "HTTP 401", "refused the credentials")
    sent = misbehaving.seen[-1].headers["Authorization"]
    assert sent.startswith("Bearer " if auth in ("token", "file") else "Basic ")


@pytest.mark.server
def test_401_without_credentials_says_how_to_give_them(
    misbehaving: Misbehaving, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(AuthenticationError, match="FILMKG_ENDPOINT_TOKEN"):
        Endpoint(misbehaving.url + "/401").select("SELECT * WHERE {}")


@pytest.mark.server
def test_not_a_sparql_endpoint(misbehaving: Misbehaving) -> None:
    with pytest.raises(EndpointError, match="not SPARQL JSON results"):
        Endpoint(misbehaving.url + "/html").select("SELECT * WHERE {}")


@pytest.mark.server
def test_user_agent_and_no_credentials_across_origins(
    misbehaving: Misbehaving, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Misbehaving() as elsewhere:
        url = f"{misbehaving.url}/redirect-to/{elsewhere.url}/ok"
        endpoint = Endpoint(url, credentials=Credentials(token=TOKEN))
        assert endpoint.select("SELECT ?x WHERE {}").as_dicts() == [{"x": "ok"}]
        (first,) = misbehaving.seen
        (second,) = elsewhere.seen
    assert first.headers["User-Agent"] == USER_AGENT
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert second.headers["User-Agent"] == USER_AGENT
    assert "Authorization" not in second.headers  # a redirect must not carry the token away


# -- credentials (no server) -----------------------------------------------------------


def test_credentials_come_from_a_file_or_the_environment(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    creds.write_text(f"FILMKG_ENDPOINT_USER=alice\nexport FILMKG_ENDPOINT_PASSWORD={SECRET}\n")
    basic = load_credentials(file=creds)
    assert (basic.user, basic.password) == ("alice", SECRET)
    assert SECRET not in repr(basic)
    assert load_credentials({"FILMKG_ENDPOINT_TOKEN": TOKEN}).token == TOKEN
    creds.write_text(f"PASSWORD={SECRET}\n")
    with pytest.raises(Exception, match=r"creds:1: expected KEY=VALUE") as info:
        load_credentials(file=creds)
    assert SECRET not in str(info.value)
    with pytest.raises(UsageError, match="both a user and a password"):
        load_credentials({"FILMKG_ENDPOINT_USER": "alice"})
    with pytest.raises(UsageError, match="both a token and a user"):
        Credentials(user="a", password="b", token="c")


def test_bad_endpoint_urls_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for url in ("ftp://example.org/sparql", "not a url", "http://:99999/x"):
        with pytest.raises(UsageError):
            Endpoint(url)
    code, _, err = run_cli(["push", "--endpoint", f"file:///etc/{SECRET}"], capsys)
    assert code == 2
    assert "not an http(s) URL" in err


def test_endpoint_cli_commands_import_nothing_heavy() -> None:
    code = (
        "import sys; from filmkg.cli import main; main(['push', '--help']); "
        "main(['serve', '--help']); "
        "assert 'pyshacl' not in sys.modules and 'networkx' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_update_and_store_urls_default_to_the_endpoint_or_its_siblings() -> None:
    e = Endpoint("http://127.0.0.1:1/ds")
    assert (e.update_url, e.store_url) == ("http://127.0.0.1:1/ds", "http://127.0.0.1:1/ds")
    assert ox.NamedNode(staging_graph("https://e.org/g")).value.startswith("urn:filmkg:staging:")
