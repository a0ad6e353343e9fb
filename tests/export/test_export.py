"""Exports: every format parses back (rdflib, pyoxigraph, pyld) to the same graph; output is
deterministic, offline and atomic; profiles and the framed JSON-LD view have the expected shape."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.errors import ExportError, ForbiddenOperationError, UsageError
from filmkg.export.formats import (
    DIST_FILES,
    EXPORT_FORMATS,
    export_format,
    export_quads,
    export_to_path,
    serialize,
    write_all,
    write_export,
)
from filmkg.io import jsonld as jsonld
from filmkg.rdf.convert import to_oxigraph, to_oxigraph_graph_name
from filmkg.resources import graph_dir

ROOT = Path(__file__).resolve().parents[2]
FORMATS = [f.name for f in EXPORT_FORMATS]
DATASET_FORMATS = [f.name for f in EXPORT_FORMATS if f.dataset]
OX_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
RDFLIB_FORMAT = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}
HERE = "https://w3id.org/filmkg/id/film/here-2024"


# -- helpers ----------------------------------------------------------------------------


def canonical(quads: Iterable[ox.Quad], *, triples: bool = False) -> set[str]:
    """The quads as a set of canonical N-Quads lines (RDFC-1.0 blank nodes): equal sets
    mean isomorphic datasets (or graphs, with ``triples``)."""
    items = [ox.Quad(q.subject, q.predicate, q.object) if triples else q for q in quads]
    dataset = ox.Dataset(items)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def parse_oxigraph(data: bytes, fmt: str) -> list[ox.Quad]:
    return list(ox.parse(data, format=OX_FORMAT[fmt]))


def parse_rdflib(data: bytes, fmt: str) -> list[ox.Quad]:
    if fmt in DATASET_FORMATS:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=RDFLIB_FORMAT[fmt])
        out = []
        for s, p, o, g in ds.quads((None, None, None, None)):
            name = to_oxigraph_graph_name(g if g != ds.default_graph.identifier else None)
            out.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name))  # type: ignore[arg-type]
        return out
    graph = rdflib.Graph()
    graph.parse(data=data, format=RDFLIB_FORMAT[fmt])
    return [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]  # type: ignore[arg-type]


def parse_pyld(data: bytes) -> list[ox.Quad]:
    from pyld import jsonld as pyld

    nquads = pyld.to_rdf(
        json.loads(data), jsonld._options(format="application/n-quads", produceGeneralizedRdf=False)
    )
    return list(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS))


def assert_round_trip(
    source: list[ox.Quad], fmt: str, data: bytes, *, rdflib_too: bool = True
) -> None:
    dataset = fmt in DATASET_FORMATS
    expected = canonical(source, triples=not dataset)
    assert canonical(parse_oxigraph(data, fmt), triples=not dataset) == expected, "pyoxigraph"
    if rdflib_too:
        assert canonical(parse_rdflib(data, fmt), triples=not dataset) == expected, "rdflib"
    if fmt == "jsonld":
        assert canonical(parse_pyld(data)) == expected, "pyld"


@pytest.fixture(scope="module")
def kg():  # type: ignore[no-untyped-def]
    return load_project()


def export_bytes(kg, fmt: str, **options: object) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    write_export(kg, fmt, buffer, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Any attempt to open a network connection fails the test."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == []


# -- the project graph in every format ------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_project_graph_round_trips_in_every_format(kg, fmt: str) -> None:  # type: ignore[no-untyped-def]
    source = list(kg.store.quads_for_pattern(None, None, None, None))
    assert_round_trip(source, fmt, export_bytes(kg, fmt))


@pytest.mark.parametrize("fmt", DATASET_FORMATS)
def test_dataset_formats_keep_every_named_graph(kg, fmt: str) -> None:  # type: ignore[no-untyped-def]
    graphs = {str(q.graph_name) for q in parse_oxigraph(export_bytes(kg, fmt), fmt)}
    assert graphs == {
        f"<https://w3id.org/filmkg/graph/{g}>"
        for g in ("here", "reconciliation", "ontology", "vocab", "inferred")
    }


def test_no_inferred_leaves_out_the_inferred_graph(kg) -> None:  # type: ignore[no-untyped-def]
    quads = parse_oxigraph(export_bytes(kg, "nquads", inferred=False), "nquads")
    assert "<https://w3id.org/filmkg/graph/inferred>" not in {str(q.graph_name) for q in quads}
    assert len(quads) == len(kg) - sum(
        1
        for _ in kg.store.quads_for_pattern(
            None, None, None, ox.NamedNode("https://w3id.org/filmkg/graph/inferred")
        )
    )


def test_turtle_is_grouped_sorted_and_uses_the_project_prefixes(kg) -> None:  # type: ignore[no-untyped-def]
    text = export_bytes(kg, "turtle").decode()
    assert text.startswith("@base <https://w3id.org/filmkg/id/> .\n@prefix affiliationkind:")
    assert "@prefix schema: <http://schema.org/> ." in text
    assert "https://schema.org/" not in text
    blocks = [b for b in text.split("\n\n")[1:] if b]
    subjects = [b.split(" ", 1)[0] for b in blocks]
    assert len(subjects) == len(set(subjects)), "each subject is written once"
    here = next(b for b in blocks if b.startswith("<film/here-2024> "))
    assert here.startswith("<film/here-2024> a ")  # rdf:type first
    assert "    filmkg:director <person/robert-zemeckis> ;" in here
    assert "\\/" not in text  # no escaped slashes: relative IRIs instead


def test_ntriples_and_nquads_are_canonical_sorted_lines(kg) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("ntriples", "nquads"):
        lines = export_bytes(kg, fmt).decode().splitlines()
        assert lines == sorted(set(lines))
        for line in lines[:50]:
            (quad,) = ox.parse(line.encode(), format=OX_FORMAT[fmt])
            assert str(quad) + " ." == line  # pyoxigraph's canonical form


def test_rdfxml_is_plain_and_valid_xml(kg) -> None:  # type: ignore[no-untyped-def]
    from defusedxml.ElementTree import fromstring

    data = export_bytes(kg, "rdfxml")
    root = fromstring(data)
    assert root.tag == "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
    assert {child.tag for child in root} == {
        "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"
    }


# -- determinism ----------------------------------------------------------------------------


def test_two_exports_in_a_row_are_byte_identical(kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = write_all(kg, tmp_path / "a")
    second = write_all(load_project(), tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second] == list(DIST_FILES)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_exports_are_identical_across_processes_and_hash_seeds(kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ours = {name: export_bytes(kg, fmt, **opts) for name, (fmt, opts) in DIST_FILES.items()}  # type: ignore[arg-type]
    script = (
        "import sys; from filmkg.export.formats import write_all; from filmkg.build.project import load_project; "
        "write_all(load_project(), sys.argv[1])"
    )
    for seed in ("1", "4242"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env)
        for name, data in ours.items():
            assert (out / name).read_bytes() == data, f"{name} differs with PYTHONHASHSEED={seed}"


def test_external_merge_sort_gives_the_same_bytes(kg) -> None:  # type: ignore[no-untyped-def]
    quads = list(export_quads(kg))
    for fmt in FORMATS:
        assert serialize(quads, fmt, chunk_size=97) == serialize(quads, fmt), fmt


def test_blank_node_labels_do_not_depend_on_input_labels_or_order() -> None:
    p = ox.NamedNode("https://e.org/p")
    one = [
        ox.Quad(ox.BlankNode("x"), p, ox.BlankNode("y")),
        ox.Quad(ox.BlankNode("y"), p, ox.Literal("v")),
    ]
    two = [
        ox.Quad(ox.BlankNode("q"), p, ox.Literal("v")),
        ox.Quad(ox.BlankNode("zz"), p, ox.BlankNode("q")),
    ]
    for fmt in FORMATS:
        assert serialize(one, fmt) == serialize(two, fmt), fmt
    assert b"_:c14n" in serialize(one, "ntriples")


# -- network --------------------------------------------------------------------------------


def test_building_every_export_makes_no_network_request(kg, tmp_path: Path, no_network) -> None:  # type: ignore[no-untyped-def]
    paths = write_all(kg, tmp_path)
    assert all(p.stat().st_size > 0 for p in paths)


def test_cli_export_makes_no_network_request(tmp_path: Path, no_network, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "--frame", "film", "-o", str(tmp_path / "f.jsonld")]) == 0
    assert main(["export", "-f", "jsonld"]) == 0
    assert json.loads(capsys.readouterr().out)["@context"]["Film"] == "filmkg:Film"


def test_the_guard_really_blocks_sockets(no_network) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("127.0.0.1", 9))
    no_network.clear()


def test_the_document_loader_refuses_remote_contexts() -> None:
    from pyld import jsonld as pyld

    doc = {"@context": "https://example.org/context.jsonld", "name": "x"}
    with pytest.raises(ForbiddenOperationError, match="is not fetched"):
        jsonld._run("expansion", pyld.expand, doc, jsonld._options())
    served = jsonld.document_loader(jsonld.CONTEXT_URL)
    assert served["document"] == jsonld.context()


# -- JSON-LD context and framing -------------------------------------------------------------


def test_shipped_context_is_generated_from_the_ontology() -> None:
    assert jsonld.context_file().read_text(encoding="utf-8") == jsonld.regenerate_context(), (
        "ontology/context.jsonld is stale; regenerate it with  PYTHONPATH=src python -c "
        "'import filmkg.io.jsonld as j; j.context_file().write_text(j.regenerate_context())'"
    )


def test_compacted_jsonld_uses_readable_keys(kg) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(export_bytes(kg, "jsonld"))
    here_graph = next(g for g in doc["@graph"] if g["id"] == "graph:here")
    credit = next(
        n for n in here_graph["@graph"] if n["id"] == "kg:credit/here-2024/tom-hanks/cast-member"
    )
    assert credit["type"] == "Credit"
    assert credit["agent"] == "kg:person/tom-hanks"
    assert credit["role"] == "creditrole:cast-member"
    assert credit["starring"] is True
    inferred = next(g for g in doc["@graph"] if g["id"] == "graph:inferred")
    here = next(n for n in inferred["@graph"] if n["id"] == "kg:film/here-2024")
    assert here["director"] == "kg:person/robert-zemeckis"
    assert "kg:person/tom-hanks" in here["cast"]
    assert here["basedOn"] == "kg:work/here-graphic-novel"


@pytest.fixture(scope="module")
def framed(kg):  # type: ignore[no-untyped-def]
    return json.loads(export_bytes(kg, "jsonld", frame="film"))


def test_framed_view_nests_credits_releases_rights_and_evidence_under_each_film(framed) -> None:  # type: ignore[no-untyped-def]
    films = {f["id"]: f for f in framed["@graph"]}
    assert set(films) == {"kg:film/here-2024", "kg:film/forrest-gump-1994"}
    here = films["kg:film/here-2024"]
    assert here["type"] == "Film"
    assert here["label"] == "Here"
    source_text = (graph_dir() / "sources" / "here-collider-2024-06-22.txt").read_text(
        encoding="utf-8"
    )

    director = next(c for c in here["credits"] if c["role"] == "creditrole:director")
    assert director["agent"]["label"] == "Robert Zemeckis"
    assert director["agent"]["exactMatch"] == "wd:Q187364"
    for evidence in director["evidence"]:
        assert evidence["quote"] in source_text
        assert evidence["source"] == "kg:source/collider-2024-06-22-here"
    assert len(here["credits"]) == 15
    assert all(c["type"] == "Credit" for c in here["credits"])

    releases = {r["id"].rsplit("/", 1)[1]: r for r in here["releases"]}
    assert set(releases) == {
        "wide-2024-11-15",
        "exclusive-2024-11-15",
        "limited-2024-11-22",
        "wide-2024-11-27",
    }
    assert releases["wide-2024-11-15"]["releaseStatus"] == "releasestatus:scheduled"
    old = releases["limited-2024-11-22"]
    assert old["releaseStatus"] == "releasestatus:superseded"
    assert old["supersededBy"] == "kg:release/here-2024/wide-2024-11-15"
    assert old["releaseDate"] == "2024-11-22"

    holders = {r["rightsHolder"]["label"] for r in here["rights"]}
    assert holders == {"Miramax", "Sony Pictures", "TriStar Pictures"}
    assert here["adaptations"][0]["sourceWork"]["label"] == "Here"
    assert here["reunions"][0]["earlierWork"] == "kg:film/forrest-gump-1994"
    assert here["technologyUses"][0]["provider"]["label"] == "Metaphysic"
    assert {"credits", "releases", "rights", "adaptations", "stories", "statements"} <= here.keys()
    # the shortcuts stay as plain links, once each (no schema.org / Wikidata copies)
    assert here["director"] == "kg:person/robert-zemeckis"
    assert not [k for k in here if k.startswith(("schema:", "wdt:", "prov:"))]


def test_framed_view_means_what_the_graph_says(kg, framed) -> None:  # type: ignore[no-untyped-def]
    """Every triple the framed view states is in the graph (the view is a faithful subset)."""
    stated = canonical(parse_pyld(json.dumps(framed).encode()), triples=True)
    everything = canonical(kg.store.quads_for_pattern(None, None, None, None), triples=True)
    assert stated <= everything
    assert len(stated) > 200


def test_frame_needs_jsonld_and_the_full_profile(kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="JSON-LD"):
        export_bytes(kg, "turtle", frame="film")
    with pytest.raises(UsageError, match="no frame"):
        export_bytes(kg, "jsonld", frame="person")


# -- the documentation excerpt ---------------------------------------------------------------

DOC = ROOT / "docs" / "exports.md"
EXCERPT = re.compile(
    r"<!-- framed-excerpt:start -->\n```json\n(.*?)```\n<!-- framed-excerpt:end -->", re.S
)


def docs_script():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "update_export_docs", ROOT / "scripts" / "update_export_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_framed_excerpt_matches_the_real_output(framed) -> None:  # type: ignore[no-untyped-def]
    match = EXCERPT.search(DOC.read_text(encoding="utf-8"))
    assert match, "docs/exports.md has no framed-excerpt block"
    assert match.group(1) == docs_script().framed_excerpt(framed), (
        "docs/exports.md is stale: run  PYTHONPATH=src python scripts/update_export_docs.py"
    )


# -- profiles -------------------------------------------------------------------------------


def profile_triples(kg, profile: str) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {
        (str(q.subject), str(q.predicate), str(q.object)) for q in export_quads(kg, profile=profile)
    }  # type: ignore[arg-type]


def test_wikidata_profile_uses_wikidata_terms_and_items(kg) -> None:  # type: ignore[no-untyped-def]
    triples = profile_triples(kg, "wikidata")
    here = f"<{HERE}>"
    wdt = "<http://www.wikidata.org/prop/direct/"
    assert (here, wdt + "P57>", "<http://www.wikidata.org/entity/Q187364>") in triples
    assert (here, wdt + "P161>", "<http://www.wikidata.org/entity/Q2263>") in triples
    assert (
        here,
        wdt + "P161>",
        "<https://w3id.org/filmkg/id/person/paul-bettany>",
    ) in triples  # no Q-id: ours
    assert (here, wdt + "P144>", "<https://w3id.org/filmkg/id/work/here-graphic-novel>") in triples
    assert (here, wdt + "P31>", "<http://www.wikidata.org/entity/Q11424>") in triples
    # the wide release of 2024-11-15 is a plan as of the article: no publication date (issue 17)
    assert not any(s == here and p == wdt + "P577>" for s, p, _ in triples)
    gump = "<http://www.wikidata.org/entity/Q134773>"
    assert (gump, wdt + "P577>", '"1994"^^<http://www.w3.org/2001/XMLSchema#gYear>') in triples
    assert (gump, wdt + "P58>", "<http://www.wikidata.org/entity/Q942932>") in triples
    predicates = {p for _, p, _ in triples}
    assert {
        wdt + p + ">"
        for p in ("P57", "P58", "P161", "P162", "P1431", "P144", "P50", "P750", "P577")
    } <= predicates
    allowed = ("<http://www.wikidata.org/prop/", "<http://www.w3.org/2000/01/rdf-schema#label>",
               "<http://www.w3.org/2004/02/skos/core#altLabel>", "<http://wikiba.se/ontology#",
               "<http://www.w3.org/ns/prov#wasDerivedFrom>",
               "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>")  # fmt: skip
    # rdf:type only for the statement form's own classes (items are typed by wdt:P31)
    assert {o for _, p, o in triples if p.endswith("#type>")} == {
        "<http://wikiba.se/ontology#Statement>",
        "<http://wikiba.se/ontology#Reference>",
    }
    assert all(p.startswith(allowed) for p in predicates)
    zemeckis = "<https://w3id.org/filmkg/id/person/robert-zemeckis>"
    assert not any(zemeckis in (s, o) for s, _, o in triples), (
        "entities with a Wikidata item use it"
    )


def test_schema_profile_uses_schema_terms_only(kg) -> None:  # type: ignore[no-untyped-def]
    triples = profile_triples(kg, "schema")
    here = f"<{HERE}>"
    s = "<http://schema.org/"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    zemeckis = "<https://w3id.org/filmkg/id/person/robert-zemeckis>"
    assert (here, rdf_type, s + "Movie>") in triples
    assert (here, s + "director>", zemeckis) in triples
    assert (here, s + "actor>", "<https://w3id.org/filmkg/id/person/tom-hanks>") in triples
    assert (
        here,
        s + "isBasedOn>",
        "<https://w3id.org/filmkg/id/work/here-graphic-novel>",
    ) in triples
    # a scheduled release is a plan, not a publication (issue 17)
    assert not any(subj == here and p == s + "datePublished>" for subj, p, _ in triples)
    gump = "<https://w3id.org/filmkg/id/film/forrest-gump-1994>"
    assert (
        gump,
        s + "datePublished>",
        '"1994"^^<http://www.w3.org/2001/XMLSchema#gYear>',
    ) in triples
    assert (here, s + "name>", '"Here"') in triples
    assert (zemeckis, s + "sameAs>", "<http://www.wikidata.org/entity/Q187364>") in triples
    assert all(p.startswith(s) or p == rdf_type for _, p, _ in triples)
    assert all(o.startswith(s) for _, p, o in triples if p == rdf_type)
    # only the most specific schema.org class, and no node that has nothing but a type
    assert (here, rdf_type, s + "CreativeWork>") not in triples
    assert not any("/credit/" in subject for subject, _, _ in triples)


def test_profiles_follow_the_ontology_alignment_of_new_properties() -> None:
    ttl = """
        @prefix filmkg: <https://w3id.org/filmkg/ontology#> .
        @prefix ex: <https://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix schema: <http://schema.org/> .
        @prefix wdt: <http://www.wikidata.org/prop/direct/> .
        ex:cinematographer rdfs:subPropertyOf schema:contributor, wdt:P344 .
        ex:film ex:cinematographer ex:person .
    """
    kg = load_project(include_data=False)
    kg.add_quads(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("https://example.org/g"))
                 for q in ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE))  # fmt: skip
    film, person = "<https://example.org/film>", "<https://example.org/person>"
    assert (film, "<http://www.wikidata.org/prop/direct/P344>", person) in profile_triples(
        kg, "wikidata"
    )
    assert (film, "<http://schema.org/contributor>", person) in profile_triples(kg, "schema")


@pytest.mark.parametrize("profile", ["wikidata", "schema"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_profiles_round_trip_in_every_format(kg, profile: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    data = export_bytes(kg, fmt, profile=profile)
    assert_round_trip(list(export_quads(kg, profile=profile)), fmt, data)  # type: ignore[arg-type]


def test_profile_needs_the_inferred_graph(kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="--no-inferred"):
        export_bytes(kg, "turtle", profile="wikidata", inferred=False)


# -- generated graphs with awkward literals (hypothesis) ---------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
# IRIs: namespaces the prefixes and the base abbreviate, and ones they do not.
NAMESPACES = [
    "https://w3id.org/filmkg/id/",
    "https://w3id.org/filmkg/ontology#",
    "http://schema.org/",
    "https://example.org/a/b/",
    "urn:x-test:",
    "http://例え.jp/ä/",
]
IRI_LOCAL = st.text(
    alphabet=st.sampled_from("abcXYZ019-._~/%:+!$&'()*,;=@éあ𝒳"), max_size=12
).filter(lambda s: "%" not in s or re.fullmatch(r"(?:[^%]|%[0-9A-F]{2})*", s) is not None)
NCNAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,8}", fullmatch=True)

iris = st.builds(lambda ns, local: ox.NamedNode(ns + local), st.sampled_from(NAMESPACES), IRI_LOCAL)
predicates = st.builds(
    lambda ns, local: ox.NamedNode(ns + local), st.sampled_from(NAMESPACES), NCNAME
)
blanks = st.sampled_from(["b0", "b1", "b2", "x"]).map(ox.BlankNode)
# Any Unicode text (hypothesis leaves out lone surrogates, which RDF cannot hold): quotes,
# backslashes, newlines, control characters, astral characters; sometimes very long.
texts = st.one_of(
    st.text(max_size=40),
    st.text(
        alphabet=st.sampled_from("\"\\\n\r\t'<>&{}@^ é𝄞😀\u2028\x00\x01\x7f\ufeff"), max_size=30
    ),
    st.text(max_size=8).map(lambda s: (s + '\n"\\x') * 700),
)
languages = st.from_regex(r"[a-zA-Z]{2,3}(-[A-Za-z]{4})?(-[A-Za-z]{2}|-[0-9]{3})?", fullmatch=True)
typed = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(
        lambda n: ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))
    ),
    st.booleans().map(lambda b: ox.Literal(str(b).lower(), datatype=ox.NamedNode(XSD + "boolean"))),
    st.dates().map(lambda d: ox.Literal(d.isoformat(), datatype=ox.NamedNode(XSD + "date"))),
    # a custom datatype keeps any lexical form, even one that looks like a number
    st.builds(
        lambda t, local: ox.Literal(t, datatype=ox.NamedNode("https://example.org/dt/" + local)),
        st.one_of(texts, st.just("007"), st.just("1.50")),
        NCNAME,
    ),
)
literals = st.one_of(
    texts.map(ox.Literal),
    st.builds(lambda t, lang: ox.Literal(t, language=lang), texts, languages),
    typed,
)
graph_names = st.one_of(st.just(ox.DefaultGraph()), iris, blanks)
quads = st.lists(
    st.builds(
        ox.Quad, st.one_of(iris, blanks), predicates, st.one_of(iris, blanks, literals), graph_names
    ),
    max_size=12,
)

XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(quad: ox.Quad) -> bool:
    terms = (quad.subject, quad.predicate, quad.object)
    return not any(XML_UNSAFE.search(t.value) for t in terms)


PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("FILMKG_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY_SETTINGS
@given(quads)
@pytest.mark.parametrize("fmt", FORMATS)
def test_generated_graphs_round_trip_in_every_format(fmt: str, quads: list[ox.Quad]) -> None:
    if fmt == "rdfxml":
        quads = [q for q in quads if xml_safe(q)]
    prefixes = {"ex": "https://example.org/a/b/", "schema": "http://schema.org/"}
    base = "https://w3id.org/filmkg/id/"
    data = serialize(quads, fmt, prefixes=prefixes, base=base)
    assert_round_trip(quads, fmt, data)
    again = serialize(list(reversed(quads)), fmt, prefixes=prefixes, base=base)
    assert again == data, "the order of the input does not matter"


@PROPERTY_SETTINGS
@given(quads)
def test_generated_graphs_with_project_prefixes_round_trip_in_turtle(quads: list[ox.Quad]) -> None:
    from filmkg.rdf.namespaces import PREFIXES

    for fmt in ("turtle", "trig"):
        data = serialize(quads, fmt, prefixes=PREFIXES, base="https://w3id.org/filmkg/id/")
        assert_round_trip(quads, fmt, data)


def test_rdfxml_refuses_what_xml_cannot_hold(tmp_path: Path) -> None:
    s, p = ox.NamedNode("https://e.org/s"), ox.NamedNode("https://e.org/p")
    with pytest.raises(ExportError, match="U\\+0001"):
        serialize([ox.Quad(s, p, ox.Literal("a\x01b"))], "rdfxml")
    with pytest.raises(ExportError, match=re.escape("property <https://e.org/p/>")):
        serialize([ox.Quad(s, ox.NamedNode("https://e.org/p/"), ox.Literal("x"))], "rdfxml")
    carriage = serialize([ox.Quad(s, p, ox.Literal("a\r\nb"))], "rdfxml")
    assert b"a&#13;\nb" in carriage
    assert_round_trip([ox.Quad(s, p, ox.Literal("a\r\nb"))], "rdfxml", carriage)


# -- formats and the command line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "expected"),
    [
        ("turtle", None, "turtle"),
        ("text/turtle", None, "turtle"),
        ("application/ld+json", None, "jsonld"),
        ("application/n-quads; charset=utf-8", None, "nquads"),
        ("NT", None, "ntriples"),
        (None, "x/y.rdf", "rdfxml"),
        (None, "out.trig", "trig"),
        (None, "films.jsonld", "jsonld"),
        ("nq", "out.ttl", "nquads"),
        (None, None, "turtle"),
    ],
)
def test_export_format_accepts_names_media_types_and_extensions(name, path, expected) -> None:  # type: ignore[no-untyped-def]
    assert export_format(name, path).name == expected


def test_cli_writes_stdout_and_files_in_every_format(tmp_path: Path, capsysbinary) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "-f", "application/n-triples"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"<https://w3id.org/filmkg/id/adaptation/here-2024> ")
    for spec in EXPORT_FORMATS:
        target = tmp_path / f"graph{spec.extension}"
        assert main(["export", "-o", str(target)]) == 0
        assert ox.parse(target.read_bytes(), format=OX_FORMAT[spec.name]) is not None
        err = capsysbinary.readouterr().err
        assert err.startswith(b"wrote 2,"), err
        assert f" as {spec.label}".encode() in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"graph{f.extension}" for f in EXPORT_FORMATS
    )


def test_cli_frame_and_profiles(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "--frame", "film"]) == 0
    assert {n["id"] for n in json.loads(capsys.readouterr().out)["@graph"]} >= {"kg:film/here-2024"}
    assert main(["export", "--profile", "wikidata", "-f", "nt"]) == 0
    assert "<http://www.wikidata.org/prop/direct/P57>" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "-f", "yaml"], "unknown export format 'yaml'"),
        (["export", "-o", "out.xyz"], "cannot tell the export format"),
        (["export", "--frame", "film", "-f", "turtle"], "--frame needs the JSON-LD format"),
        (["export", "--profile", "schema", "--no-inferred"], "leave out --no-inferred"),
        (["export", "missing.ttl"], "missing.ttl: no such file"),
    ],
)
def test_cli_bad_usage_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("filmkg: error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_cli_converts_a_users_file_and_fails_atomically(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "mine.nq"
    source.write_text(
        '<https://e.org/s> <https://e.org/p> "a\\u0001b" <https://e.org/g> .\n'
        '_:x <https://e.org/p> "ok"@en-GB .\n',
        encoding="utf-8",
    )
    assert main(["export", str(source), "-f", "trig"]) == 0
    trig = capsys.readouterr().out
    assert "<https://e.org/g> {" in trig
    assert "_:c14n0" in trig
    target = tmp_path / "mine.rdf"
    target.write_bytes(b"previous content")
    assert main(["export", str(source), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err
    assert "RDF/XML" in err
    assert "U+0001" in err
    assert target.read_bytes() == b"previous content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.nq", "mine.rdf"]


def test_export_to_path_replaces_the_file_atomically(kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "deep" / "graph.nt"
    export_to_path(kg, target)
    first = target.read_bytes()
    export_to_path(kg, target)
    assert target.read_bytes() == first
    assert [p.name for p in target.parent.iterdir()] == ["graph.nt"]


def test_jsonld_never_compacts_an_iri_into_a_confusable_compact_iri() -> None:
    """``…/id///x`` must not become ``kg:///x`` (JSON-LD reads that as an IRI of scheme kg)."""
    subject, predicate = ox.BlankNode("b"), ox.NamedNode("https://w3id.org/filmkg/id/A")
    quads = [ox.Quad(subject, predicate, ox.NamedNode("https://w3id.org/filmkg/id///x"))]
    data = serialize(quads, "jsonld")
    assert b'"kg:///x"' not in data
    assert_round_trip(quads, "jsonld", data)
