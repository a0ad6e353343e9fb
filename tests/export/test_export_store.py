"""Streamed exports of a store in its own index order (``order="store"``, big stores)."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given

from conftest import synthetic_store
from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import UsageError
from filmkg.export import formats as ex
from filmkg.rdf.namespaces import PREFIXES
from test_export import PROPERTY_SETTINGS, assert_round_trip, export_bytes, quads

STREAMED = list(ex.STREAM_FORMATS)
BASE = "https://w3id.org/filmkg/id/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small on-disk store, as `filmkg build --store` leaves it (blank-node free)."""
    return synthetic_store(tmp_path_factory.mktemp("store"), films=6, seed=4)


def stored(path: Path) -> list[ox.Quad]:
    return list(KnowledgeGraph.open(path).store)


def dump(kg: KnowledgeGraph, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    ex.dump_store(kg, fmt, out, **options)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize("fmt", STREAMED)
def test_store_order_round_trips_a_store(store: Path, fmt: str) -> None:
    kg = KnowledgeGraph.open(store)
    data = export_bytes(kg, fmt, order="store")
    assert_round_trip(stored(store), fmt, data)
    assert data == export_bytes(kg, fmt, order="store"), "same store, same bytes"


def test_store_order_turtle_has_one_sorted_header_and_relative_data_iris(store: Path) -> None:
    text = export_bytes(KnowledgeGraph.open(store), "trig", order="store").decode()
    header = [line for line in text.splitlines() if line.startswith("@")]
    assert header[0] == f"@base <{BASE}> ."
    assert header[1:] == sorted(header[1:])
    assert len(header) == len({p for p, ns in PREFIXES.items() if ns != BASE}) + 1
    assert text.index("graph:inferred {") < text.index("graph:ontology {")
    assert "<film/" in text
    assert not re.search(r"(^|\s)kg:", text)


def test_no_inferred_leaves_out_the_inferred_graph_when_streaming(store: Path) -> None:
    kg = KnowledgeGraph.open(store)
    inferred = "https://w3id.org/filmkg/graph/inferred"
    expected = [q for q in stored(store) if q.graph_name != ox.NamedNode(inferred)]
    assert len(expected) < len(stored(store))
    for fmt in STREAMED:
        assert_round_trip(expected, fmt, export_bytes(kg, fmt, order="store", inferred=False))


def test_store_order_does_not_depend_on_the_load_order(tmp_path: Path) -> None:
    """Same quads (no blank nodes) → same bytes, however they were loaded (on disk)."""
    quads = [q for q in load_project().store if not ex._has_blank(q)]
    outputs = set()
    for seed in (1, 2):
        random.Random(seed).shuffle(quads)
        kg = KnowledgeGraph(tmp_path / f"s{seed}")
        kg.store.extend(quads)
        kg.store.flush()
        outputs.add(tuple(dump(kg, fmt, prefixes=PREFIXES, base=BASE) for fmt in STREAMED))
        del kg
    assert len(outputs) == 1


@PROPERTY_SETTINGS
@given(quads)
def test_generated_graphs_round_trip_when_streamed(quads: list[ox.Quad]) -> None:
    kg = KnowledgeGraph()
    kg.store.extend(quads)
    prefixes = {**PREFIXES, "ex": "https://example.org/a/b/"}
    # pyoxigraph writes an IRI ending in "." as `filmkg:A\.`, valid Turtle that rdflib 7's
    # parser rejects (it reads `a\.b` but not a trailing `\.`): pyoxigraph alone checks those.
    dotted = any(
        isinstance(t, ox.NamedNode) and t.value.endswith(".")
        for q in quads
        for t in (q.subject, q.predicate, q.object, q.graph_name)
    )
    for fmt in STREAMED:
        data = dump(kg, fmt, prefixes=prefixes, base=BASE)
        rdflib_too = not dotted or fmt in ("ntriples", "nquads")
        assert_round_trip(quads, fmt, data, rdflib_too=rdflib_too)


def test_auto_streams_only_big_stores(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kg = KnowledgeGraph.open(store)
    assert ex.choose_order(kg, "nt") == "sorted"
    assert export_bytes(kg, "nt", order="auto") == export_bytes(kg, "nt")
    monkeypatch.setattr(ex, "STREAM_THRESHOLD", 100)
    assert ex.choose_order(kg, "nt") == "store"
    assert export_bytes(kg, "nt", order="auto") == export_bytes(kg, "nt", order="store")
    assert ex.choose_order(kg, "rdfxml") == "sorted"
    assert ex.choose_order(kg, "nt", profile="wikidata") == "sorted"
    assert ex.choose_order(KnowledgeGraph(), "nt") == "sorted", "in memory: always sorted"


@pytest.mark.parametrize(
    ("fmt", "options", "message"),
    [
        ("jsonld", {}, "JSON-LD cannot be streamed"),
        ("rdfxml", {}, "RDF/XML cannot be streamed"),
        ("nt", {"profile": "schema"}, "full graph as stored"),
    ],
)
def test_store_order_refuses_what_cannot_stream(
    store: Path, fmt: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        ex.choose_order(KnowledgeGraph.open(store), fmt, "store", **options)  # type: ignore[arg-type]


def test_cli_store_order(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "all.ttl"
    assert main(["export", "--store", str(store), "--order", "store", "-o", str(out)]) == 0
    assert_round_trip(stored(store), "turtle", out.read_bytes())
    monkeypatch.setattr(ex, "STREAM_THRESHOLD", 100)
    auto = tmp_path / "auto.ttl"
    assert main(["export", "--store", str(store), "-o", str(auto)]) == 0
    assert auto.read_bytes() == out.read_bytes()
    capsys.readouterr()
    assert main(["export", "--store", str(store), "--order", "store", "-f", "jsonld"]) == 2
    assert "JSON-LD cannot be streamed" in capsys.readouterr().err


def test_header_filter_and_graph_writer_survive_any_chunking() -> None:
    text = b'@base <https://e.org/> .\n@prefix ex: <https://e.org/> .\nex:a ex:p "@prefix x" .\n'
    for size in (1, 2, 7, len(text)):
        out = io.BytesIO()
        writer = ex._Directives(out)
        for i in range(0, len(text), size):
            writer.write(text[i : i + size])
        assert out.getvalue() == b'ex:a ex:p "@prefix x" .\n'
    lines = b'<https://e.org/a> <https://e.org/p> "x .\\n" .\n<https://e.org/b> <p> <o> .\n'
    for size in (1, 3, len(lines)):
        out = io.BytesIO()
        graph = ex._InGraph(out, ox.NamedNode("https://e.org/g"))
        for i in range(0, len(lines), size):
            graph.write(lines[i : i + size])
        graph.close()
        assert out.getvalue() == lines.replace(b" .\n", b" <https://e.org/g> .\n")
