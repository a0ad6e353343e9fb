"""The on-disk store path: bulk loading, opening read-only, building a project store."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParseError, SourceNotFoundError
from filmkg.rdf.namespaces import GRAPH
from filmkg.synth import generator as synth


def test_bulk_load_reads_the_same_triples_as_load(tmp_path: Path) -> None:
    nt = tmp_path / "films.nt"
    synth.write_file(nt, films=20, seed=4)
    on_disk = KnowledgeGraph(tmp_path / "store")
    on_disk.bulk_load(nt, graph=GRAPH.synthetic)
    in_memory = KnowledgeGraph()
    in_memory.load(nt, graph=GRAPH.synthetic)
    assert set(on_disk.store) == set(in_memory.store)


def test_bulk_load_reports_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text('<https://e.org/a> <https://e.org/b> "c" .\n<https://e.org/a> <b> "c" .\n')
    with pytest.raises(ParseError, match=r"bad\.nt:2:"):
        KnowledgeGraph(tmp_path / "store").bulk_load(bad, graph=GRAPH.synthetic)
    with pytest.raises(SourceNotFoundError):
        KnowledgeGraph(tmp_path / "store2").bulk_load(tmp_path / "nope.nt", graph=GRAPH.x)


def test_open_reads_a_built_store_and_refuses_a_missing_one(tmp_path: Path) -> None:
    nt = tmp_path / "films.nt"
    synth.write_file(nt, films=10, seed=4)
    built = load_project([nt], include_data=False, store_path=tmp_path / "store")
    size = len(built)
    built.store.flush()
    del built
    kg = KnowledgeGraph.open(tmp_path / "store")
    assert len(kg) == size
    assert GRAPH.inferred in kg.graph_names()
    assert GRAPH.films in kg.graph_names()
    with pytest.raises(SourceNotFoundError, match="no filmkg store"):
        KnowledgeGraph.open(tmp_path / "elsewhere")


def test_project_store_on_disk_equals_the_in_memory_build(tmp_path: Path) -> None:
    nt = tmp_path / "films.nt"
    synth.write_file(nt, films=10, seed=5)
    on_disk = load_project([nt], store_path=tmp_path / "store")
    in_memory = load_project([nt])
    assert set(on_disk.store) == set(in_memory.store)


def test_bulk_load_refuses_ill_typed_literals_with_their_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text(
        '<https://e.org/a> <https://e.org/b> "2024-11-15"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
        '<https://e.org/a> <https://e.org/c> "2024-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    )
    with pytest.raises(ParseError, match=r'bad\.nt:2:37: "2024-13-45" is not a valid xsd:date'):
        KnowledgeGraph(tmp_path / "store").bulk_load(bad, graph=GRAPH.synthetic)


def test_cli_build_and_validate_an_on_disk_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmkg.cli import main

    nt = tmp_path / "films.nt"
    synth.write_file(nt, films=8, seed=2)
    store = tmp_path / "store"
    assert main(["build", "--store", str(store), str(nt)]) == 0
    assert "conforms" in capsys.readouterr().err
    assert main(["validate", "--store", str(store)]) == 0
    assert "no findings" in capsys.readouterr().out
    kg = KnowledgeGraph.open(store)
    assert GRAPH.films in kg.graph_names()
    del kg
    # a graph that does not conform leaves the old store as it was
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix filmkg: <https://w3id.org/filmkg/ontology#> .\n"
        "<https://w3id.org/filmkg/id/credit/x> a filmkg:Credit .\n"
    )
    assert main(["build", "--store", str(store), str(nt), str(bad)]) == 1
    assert "does not conform" in capsys.readouterr().err
    kg = KnowledgeGraph.open(store)
    assert GRAPH.bad not in kg.graph_names()
    assert main(["validate", "--store", str(tmp_path / "none")]) == 2


def test_fast_credit_rows_equal_the_generic_path(tmp_path: Path) -> None:
    from filmkg.network import projection as network

    nt = tmp_path / "films.nt"
    synth.write_file(nt, films=25, seed=3)
    kg = load_project([nt])
    fast = network.credit_rows(kg)  # pyoxigraph solutions straight to rows
    generic = network.credit_rows(kg, engine="rdflib")
    assert fast == generic
    assert len(fast) > 200
    person = fast[0].person
    assert network.credit_rows(kg, person=person) == [r for r in fast if r.person == person]


def test_from_picks_the_dataset_on_both_engines(project_kg) -> None:  # type: ignore[no-untyped-def]
    """FROM restricts the default graph; without it the default graph is the union."""
    base = "PREFIX filmkg: <https://w3id.org/filmkg/ontology#> SELECT (COUNT(*) AS ?n) {}"
    credits = "WHERE { ?c a filmkg:Credit }"
    for engine in ("oxigraph", "rdflib"):
        counts = [
            project_kg.select(base.format(clause) + credits, engine=engine).as_dicts()[0]["n"]
            for clause in (
                "",
                "FROM <https://w3id.org/filmkg/graph/here> ",
                "FROM <https://w3id.org/filmkg/graph/ontology> ",
            )
        ]
        assert counts == [20, 20, 0], engine


def _unreplayed_log_bytes(store: Path) -> int:
    """Bytes of the newest write-ahead log: what the next open would have to replay."""
    logs = sorted(store.glob("*.log"))
    return logs[-1].stat().st_size if logs else 0


def test_every_store_write_ends_compacted(tmp_path: Path) -> None:
    """build --store, import --into and sparql --allow-update leave nothing to replay."""
    from filmkg.build.dist import build_store
    from filmkg.cli import main
    from filmkg.importers.mapping import load_mapping
    from filmkg.importers.pipeline import import_into

    nt = tmp_path / "films.nt"
    synth.write_file(nt, films=30, seed=4)
    # the control: a write without compaction leaves its log for every open to replay
    raw = KnowledgeGraph(tmp_path / "raw")
    raw.load(nt, graph=GRAPH.synthetic)
    del raw
    assert _unreplayed_log_bytes(tmp_path / "raw") > 100_000
    store = tmp_path / "built"
    assert build_store(store, (nt,), include_data=False).report.conforms
    assert _unreplayed_log_bytes(store) < 1_000
    imported = tmp_path / "imported"
    data = Path(__file__).parents[1] / "data" / "import"
    import_into(imported, data / "my-films.csv", load_mapping(data / "my-films.toml"))
    assert _unreplayed_log_bytes(imported) < 1_000
    update = "INSERT DATA { GRAPH <https://e.org/g> { <https://e.org/a> <https://e.org/b> 1 } }"
    assert main(["sparql", "--store", str(imported), "--allow-update", update]) == 0
    assert _unreplayed_log_bytes(imported) < 1_000
