"""The strict term serialiser: any string is a safe, exact parameter on every engine."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef

from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParameterError
from filmkg.sparql.terms import check_iri, escape_string, to_sparql, values_block

HOSTILE = [
    '"',
    "\\",
    '\\"',
    'a\nb\\"',
    '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #',
    "'''\"\"\"",
    "} ; DROP ALL",
    "\\u0022",
    "\\u005C",
    "\\U00000022",
    "\\\\u0041",
    "\\u0001F600",
    "\\u0041BCDE",
    "\x00\x01\x1f\x7f",
    "\r\n\t\b\f",
    "😀 𝔘 \U0010fffd",
    "{ ?x } . ; ,",
    "# comment\n",
    "<https://e.org/x>",
    "",
]

EX = "https://e.org/"


def _kg_with(values: list[str]) -> KnowledgeGraph:
    kg = KnowledgeGraph()
    kg.add_triples(
        EX + "g",
        [(URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(v)) for i, v in enumerate(values)],
    )
    return kg


def _matches(kg: KnowledgeGraph, value: Literal, engine: str) -> list[str]:
    text = (
        "SELECT ?s WHERE { "
        + values_block({"v": value})
        + f" ?s <{EX}p> ?o FILTER (?o = ?v) }} ORDER BY ?s"
    )
    return [str(row[0]) for row in kg.select(text, engine=engine)]  # type: ignore[arg-type]


def _echo(value: Literal, engine: str) -> list[object]:
    text = "SELECT ?v WHERE { " + values_block({"v": value}) + " }"
    if engine == "oxigraph":
        return [s["v"].value for s in ox.Store().query(text)]  # type: ignore[union-attr,index]
    return [str(row[0]) for row in Graph().query(text)]  # type: ignore[index]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_round_trip(value: str, engine: str) -> None:
    assert _echo(Literal(value), engine) == [value]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_bound_string_matches_only_itself(engine: str) -> None:
    kg = _kg_with(HOSTILE)
    for i, value in enumerate(HOSTILE):
        assert _matches(kg, Literal(value), engine) == [f"{EX}s{i}"], value


# surrogates are not Unicode characters: Python str can hold them, RDF cannot
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=TEXT, other=TEXT)
def test_any_string_is_only_data(value: str, other: str) -> None:
    kg = _kg_with([value, other, value + "\\", '"' + value])
    expected = sorted({f"{EX}s0"} | ({f"{EX}s1"} if other == value else set()))
    for engine in ("oxigraph", "rdflib"):
        assert _echo(Literal(value), engine) == [value]
        assert _matches(kg, Literal(value), engine) == expected


@settings(max_examples=60, deadline=None)
@given(value=TEXT, lang=st.from_regex(r"[a-z]{2}(-[A-Z]{2})?", fullmatch=True))
def test_language_tagged_strings(value: str, lang: str) -> None:
    text = "SELECT ?v WHERE { " + values_block({"v": Literal(value, lang=lang)}) + " }"
    [solution] = list(ox.Store().query(text))  # type: ignore[arg-type]
    assert solution["v"] == ox.Literal(value, language=lang)  # type: ignore[index]


def test_forbidden_iri_characters_are_rejected() -> None:
    for bad in [
        "https://e.org/a b",
        "https://e.org/>",
        "https://e.org/{x}",
        'https://e.org/"',
        "https://e.org/\\",
        "https://e.org/\n",
    ]:
        with pytest.raises(ParameterError):
            to_sparql(URIRef(bad))
    with pytest.raises(ParameterError, match="not absolute"):
        check_iri("person/tom-hanks")


def test_blank_nodes_are_rejected() -> None:
    with pytest.raises(ParameterError, match="blank node"):
        to_sparql(BNode())


def test_lone_surrogates_are_rejected() -> None:
    with pytest.raises(ParameterError, match="surrogate"):
        escape_string("a\ud800b")


# -- through the named-query path --------------------------------------------------------

LABEL_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label=LABEL_TEXT)
def test_a_named_query_parameter_is_only_data(label: str) -> None:
    """find_entities binds ``text`` as a literal: an entity labelled with exactly that text
    is found, nothing is found that does not contain it, on both engines alike."""
    from filmkg.sparql import catalogue as queries

    kg = KnowledgeGraph()
    mine = URIRef("https://w3id.org/filmkg/id/thing/mine")
    other = URIRef("https://w3id.org/filmkg/id/thing/other")
    label_p = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    kg.add_triples(
        EX + "g", [(mine, label_p, Literal(label)), (other, label_p, Literal("zz unrelated zz"))]
    )
    answers = {
        engine: queries.run(kg, "find_entities", {"text": label}, engine=engine)  # type: ignore[arg-type]
        for engine in ("oxigraph", "rdflib")
    }
    assert answers["oxigraph"].rows == answers["rdflib"].rows
    found = [row[0] for row in answers["oxigraph"].rows]
    assert mine in found
    if label.lower() not in "zz unrelated zz":
        assert found == [mine]


IRI_TAIL = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=100, deadline=None)
@given(tail=IRI_TAIL)
def test_an_iri_is_written_exactly_or_refused(tail: str) -> None:
    iri = "https://e.org/" + tail
    try:
        text = to_sparql(URIRef(iri))
    except ParameterError:
        with pytest.raises(ValueError, match="Invalid IRI"):  # pyoxigraph agrees it is no IRI
            ox.NamedNode(iri)
        return
    query = "SELECT ?v WHERE { VALUES ?v { " + text + " } }"
    [solution] = list(ox.Store().query(query))  # type: ignore[arg-type]
    assert solution["v"] == ox.NamedNode(iri)  # type: ignore[index]
    [row] = list(Graph().query(query))
    assert str(row[0]) == iri  # type: ignore[index]
