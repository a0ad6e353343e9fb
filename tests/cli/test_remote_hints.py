"""Remote errors that say what to do (issue #18), against the real Oxigraph server."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.cli import main
from filmkg.engines.server import OxigraphServer
from servers import Misbehaving

GRAPH_HERE = "https://w3id.org/filmkg/graph/here"


@pytest.mark.server
def test_push_to_a_graph_store_url_names_the_query_url_and_writes_nothing(
    oxigraph: OxigraphServer, capsys: pytest.CaptureFixture[str]
) -> None:
    store_url = oxigraph.url + "/store"
    assert main(["push", "--endpoint", store_url, "-q"]) == 3
    err = capsys.readouterr().err.strip()
    assert err == (
        f"filmkg: error: {store_url}: the answer is a graph (application/ld+json), not SPARQL "
        f"results; use the query URL ({oxigraph.url}/sparql or {oxigraph.url}/query), not "
        "the Graph Store URL"
    )
    assert main(["sparql", "ASK { GRAPH ?g { ?s ?p ?o } }", "--endpoint", oxigraph.query_url]) == 0
    assert "false" in capsys.readouterr().out.lower()  # nothing was written


@pytest.mark.server
def test_no_union_default_graph_points_to_the_requirement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with OxigraphServer(tmp_path / "s", read_only=False, union_default_graph=False) as server:
        assert main(["push", "--endpoint", server.query_url, "-q"]) == 0
        capsys.readouterr()
        args = ["query", "film_credits", "-p", "film=Here", "--endpoint", server.query_url]
        assert main(args) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("filmkg: error: no film 'Here'; the endpoint's named graphs hold")
        assert "--union-default-graph" in err
        assert "docs/triple-store.md" in err
        graphs = [
            f"https://w3id.org/filmkg/graph/{g}" for g in ("here", "inferred", "ontology", "vocab")
        ]
        assert main([*args, *(a for g in graphs for a in ("--default-graph", g))]) == 0
        assert "Tom Hanks" in capsys.readouterr().out


def test_push_of_graph_network_says_where_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    misbehaving = Misbehaving()
    with misbehaving:
        args = ["push", "--endpoint", misbehaving.url + "/ok", "--graph"]
        assert main([*args, "https://w3id.org/filmkg/graph/network"]) == 2
    err = capsys.readouterr().err
    assert "(graph:network is derived by `filmkg build`: push dist/filmkg.trig)" in err
