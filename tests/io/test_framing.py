"""The direct JSON-LD compaction and framing (filmkg.io.framing) against pyld itself.

pyld is the reference: on the project graph, a synthetic graph and generated graphs the
direct path must give the same document, value for value and in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.export import formats
from filmkg.io import framing
from filmkg.io import jsonld as jsonld
from filmkg.synth import generator

FILMKG = "https://w3id.org/filmkg/ontology#"
KG = "https://w3id.org/filmkg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _sorted(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """In the order the exports give them (canonical, by graph and subject)."""
    canonical = formats.canonical_quads(quads)
    return list(formats._ordered(canonical, formats.key_graph_subject, formats.SORT_CHUNK))


def _pyld_compacted(quads: list[ox.Quad]) -> jsonld.JsonObject:
    ctx = jsonld.context()
    jsonld._drop_confusable_prefixes(ctx, quads)
    expanded = jsonld.expanded_from_quads(quads)
    result: jsonld.JsonObject = pyld.compact(expanded, ctx, jsonld._options(skipExpansion=True))
    return result


def _view(graph: list[jsonld.JsonObject]) -> bytes:
    """The framed document as written (nodes under properties the frame does not name
    collapsed into references: the direct path never embeds them)."""
    frame, ctx = jsonld.load_frame("film"), jsonld.context()["@context"]
    nodes = jsonld._split_reverse(graph)
    return jsonld.dumps({"@graph": [jsonld._prune(n, frame, ctx) for n in nodes]})


def _same_as_pyld(quads: list[ox.Quad]) -> None:
    frame = jsonld.load_frame("film")
    direct = jsonld._frame_direct(pyld, quads, frame)
    assert _view(direct) == _view(jsonld._frame_pyld(pyld, quads, frame))
    assert jsonld.dumps(jsonld.compact_quads(quads)) == jsonld.dumps(_pyld_compacted(quads))


@pytest.fixture(scope="module")
def project() -> KnowledgeGraph:
    return load_project()


def test_the_project_graph_frames_and_compacts_as_pyld_does(project: KnowledgeGraph) -> None:
    quads = _sorted(formats.framing_quads(project))
    assert len(jsonld._frame_direct(pyld, quads, jsonld.load_frame("film"))) >= 2
    _same_as_pyld(quads)
    _same_as_pyld(_sorted(project.match()))


def test_a_synthetic_graph_frames_as_pyld_does(tmp_path: Path) -> None:
    data = tmp_path / "s.nt"
    generator.write_file(data, films=12, seed=3)
    kg = load_project((data,))
    _same_as_pyld(_sorted(formats.framing_quads(kg)))


def test_blank_nodes_go_to_pyld() -> None:
    quads = [
        ox.Quad(ox.NamedNode(KG + "film/f"), ox.NamedNode(RDF_TYPE), ox.NamedNode(FILMKG + "Film")),
        ox.Quad(ox.BlankNode("b"), ox.NamedNode(FILMKG + "work"), ox.NamedNode(KG + "film/f")),
    ]
    with pytest.raises(framing._NeedsPyldError):
        jsonld._frame_direct(pyld, quads, jsonld.load_frame("film"))
    framed = jsonld.frame_quads(quads, "film")  # pyld frames it
    assert framed["@graph"][0]["id"] == "kg:film/f"


def test_a_frame_of_another_shape_is_not_done_directly() -> None:
    compactor = framing.Compactor(pyld.JsonLdProcessor(), jsonld.context(), jsonld._options())
    with pytest.raises(framing._NeedsPyldError):
        framing.frame_nodes({}, {"@type": "Film", "label": {}}, compactor)
    with pytest.raises(framing._NeedsPyldError):
        framing.Compactor(pyld.JsonLdProcessor(), {"@context": {"@language": "en"}}, {})


# -- generated graphs ---------------------------------------------------------------------------

NODES = [
    *(KG + f"film/f{i}" for i in range(3)),
    *(KG + f"credit/c{i}" for i in range(4)),
    KG + "person/p0",
    KG + "person/p1",
    KG + "evidence/e0",
    KG + "reunion/r0",
    "https://example.org/x/y",
    "https://w3id.org/filmkg/ontology#Film",
]
PREDICATES = [
    FILMKG + p
    for p in (
        "work",
        "agent",
        "evidence",
        "laterWork",
        "earlierWork",
        "about",
        "subject",
        "note",
        "releaseYear",
        "starring",
        "member",
        "gapYears",
        "sourceWork",
    )
] + ["http://www.w3.org/2000/01/rdf-schema#label", "https://example.org/p"]
TYPES = [FILMKG + t for t in ("Film", "Credit", "Release", "Reunion", "Person")] + [
    "http://schema.org/Movie"
]
LITERALS = [
    ox.Literal("Here"),
    ox.Literal("Ici", language="fr"),
    ox.Literal("note", language="en"),
    ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("1994", datatype=ox.NamedNode(XSD + "gYear")),
    ox.Literal("2024-06-22", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")),
]
GRAPHS = ["https://w3id.org/filmkg/graph/a", "https://w3id.org/filmkg/graph/b", KG + "film/f0"]

node = st.sampled_from(NODES).map(ox.NamedNode)
graph = st.sampled_from(GRAPHS).map(ox.NamedNode)
typed = st.tuples(node, st.sampled_from(TYPES).map(ox.NamedNode), graph).map(
    lambda t: ox.Quad(t[0], ox.NamedNode(RDF_TYPE), t[1], t[2])
)
link = st.tuples(node, st.sampled_from(PREDICATES).map(ox.NamedNode), node, graph).map(
    lambda t: ox.Quad(*t)
)
literal_predicates = [p for p in PREDICATES if not p.endswith(("work", "Work", "about", "subject"))]
valued = st.tuples(
    node, st.sampled_from(literal_predicates).map(ox.NamedNode), st.sampled_from(LITERALS), graph
).map(lambda t: ox.Quad(*t))


film = st.sampled_from(NODES[:3]).map(ox.NamedNode)
films = st.tuples(film, graph).map(
    lambda t: ox.Quad(t[0], ox.NamedNode(RDF_TYPE), ox.NamedNode(FILMKG + "Film"), t[1])
)
# what the frame nests under a film, and what it embeds in those
reverse = [FILMKG + p for p in ("work", "laterWork", "earlierWork", "about", "subject")]
pointing = st.tuples(node, st.sampled_from(reverse).map(ox.NamedNode), film, graph).map(
    lambda t: ox.Quad(*t)
)
embedded = [FILMKG + p for p in ("agent", "evidence", "sourceWork")]
described = st.tuples(
    node, st.sampled_from(embedded).map(ox.NamedNode), st.one_of(node, film), graph
).map(lambda t: ox.Quad(*t))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(films, typed, link, valued, pointing, pointing, described),
        min_size=1,
        max_size=40,
    )
)
def test_generated_graphs_frame_and_compact_as_pyld_does(quads: list[ox.Quad]) -> None:
    _same_as_pyld(_sorted(set(quads)))


def _quad(s: str, p: str, o: str | ox.Literal, g: str = GRAPHS[0]) -> ox.Quad:
    obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, ox.NamedNode(g))


F0, F1, C0 = KG + "film/f0", KG + "film/f1", KG + "credit/c0"
CASES = {
    "an embed back to the film is a reference": [
        _quad(F0, RDF_TYPE, FILMKG + "Film"),
        _quad(C0, FILMKG + "work", F0),
        _quad(C0, FILMKG + "sourceWork", F0),
    ],
    "a node pointing at the film with nothing the sub-frame names": [
        _quad(F0, RDF_TYPE, FILMKG + "Film"),
        _quad(C0, FILMKG + "about", F0),
        _quad(C0, FILMKG + "note", ox.Literal("x")),
        _quad(KG + "credit/c1", FILMKG + "work", F0),
    ],
    "one reunion, both films; one credit, two films; two graphs": [
        _quad(F0, RDF_TYPE, FILMKG + "Film"),
        _quad(F1, RDF_TYPE, FILMKG + "Film", GRAPHS[1]),
        _quad(KG + "reunion/r0", FILMKG + "earlierWork", F0),
        _quad(KG + "reunion/r0", FILMKG + "laterWork", F1, GRAPHS[1]),
        _quad(KG + "reunion/r0", FILMKG + "evidence", KG + "evidence/e0"),
        _quad(KG + "evidence/e0", FILMKG + "quote", ox.Literal("q")),
        _quad(C0, FILMKG + "work", F0),
        _quad(C0, FILMKG + "work", F1, GRAPHS[1]),
        _quad(C0, FILMKG + "agent", KG + "person/p0"),
        _quad(C0, RDF_TYPE, FILMKG + "Credit"),
        _quad(C0, RDF_TYPE, "http://schema.org/Role", GRAPHS[1]),
    ],
}


@pytest.mark.parametrize("case", list(CASES))
def test_handmade_cases_frame_as_pyld_does(case: str) -> None:
    _same_as_pyld(_sorted(CASES[case]))
