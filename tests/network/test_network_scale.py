"""The big-graph paths of the network and export commands: the lean collaboration graph and
``--store`` (an on-disk store made by ``filmkg build --store``)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph

from conftest import synthetic_store
from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.engines.store import KnowledgeGraph
from filmkg.network import projection as nw
from filmkg.synth import generator as synth


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """About 5k synthetic triples plus the ontology and the derived triples."""
    nt = tmp_path_factory.mktemp("synth") / "films.nt"
    synth.write_file(nt, films=45, seed=3)
    return load_project([nt], include_data=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny on-disk store, as `filmkg build --store` leaves it."""
    return synthetic_store(tmp_path_factory.mktemp("store"), films=8, seed=2)


def test_lean_and_rich_agree_on_nodes_edges_and_counts(synthetic: KnowledgeGraph) -> None:
    assert sum(1 for _ in synthetic.store.quads_for_pattern(None, None, None, None)) > 4_000
    rich = nw.collaboration_graph(synthetic, lean=False)
    lean = nw.collaboration_graph(synthetic, lean=True)
    assert rich.number_of_edges() > 1_000
    assert dict(lean.nodes(data=True)) == dict(rich.nodes(data=True))
    assert {frozenset(e) for e in lean.edges} == {frozenset(e) for e in rich.edges}
    for u, v, data in rich.edges(data=True):
        thin = lean.edges[u, v]
        assert thin["count"] == thin["weight"] == data["count"] == len(data["works"])
        years = [y for y in data["years"] if y is not None]
        assert (thin["first_year"], thin["last_year"]) == (
            (min(years), max(years)) if years else (None, None)
        )
        assert set(thin) == {"count", "weight", "first_year", "last_year"}
    assert nw.network_stats(lean) == nw.network_stats(rich)


def test_collaboration_graph_turns_lean_above_the_threshold(
    synthetic: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "works" in next(iter(nw.collaboration_graph(synthetic).edges(data=True)))[2]
    monkeypatch.setattr(nw, "LEAN_THRESHOLD", 1_000)
    assert "works" not in next(iter(nw.collaboration_graph(synthetic).edges(data=True)))[2]


def test_network_stats_and_export_read_a_store(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = nw.network_stats(nw.collaboration_graph(KnowledgeGraph.open(store), lean=True))
    assert main(["network", "stats", "--store", str(store), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(expected.as_dict()))
    out = tmp_path / "collab.graphml"
    assert main(["network", "export", "--store", str(store), "-o", str(out)]) == 0
    assert nx.read_graphml(out).number_of_edges() == expected.edges


def test_network_refuses_store_with_data(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["network", "stats", "--store", str(store), "--data", str(store / "CURRENT")]
    assert main(args) == 2
    assert "give --data or --store, not both" in capsys.readouterr().err
    assert main(["network", "stats", "--store", str(store / "nope")]) != 0


def test_export_writes_a_store_as_ntriples(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.nt"
    assert main(["export", "--store", str(store), "-o", str(out)]) == 0
    written = Graph().parse(out, format="nt")
    kg = KnowledgeGraph.open(store)
    assert len(written) == len(kg.union_graph())
    assert set(written) == set(kg.union_graph())


def test_export_refuses_files_with_store(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--store", str(store), str(store / "CURRENT")]) == 2
    assert "give FILES or --store, not both" in capsys.readouterr().err
