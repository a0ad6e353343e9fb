"""The query builder: a value becomes exactly one term of the query, never more."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from filmkg.errors import ParameterError
from filmkg.rdf.convert import to_oxigraph
from filmkg.sparql import builder
from filmkg.sparql.builder import Sparql, Template, integer, join, term, var, verbatim
from filmkg.sparql.tokenizer import tokens

# the value sits between two fixed markers: breaking out would change what is around it
ECHO = Template("echo", 'SELECT ?x ?after WHERE { BIND(${value} AS ?x) BIND("end" AS ?after) }')
EX = "https://e.org/"
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
# well-formed BCP 47 tags (Oxigraph refuses a query with an ill-formed one, such as "a")
LANG = st.sampled_from(["en", "EN-gb", "de-CH-1996", "zh-Hant-TW", "sr-Latn", "x-private"])
DATATYPE = st.sampled_from(
    [
        URIRef("http://www.w3.org/2001/XMLSchema#string"),
        URIRef("http://www.w3.org/2001/XMLSchema#integer"),
        URIRef("http://www.w3.org/2001/XMLSchema#gYear"),
        URIRef(EX + "custom"),
    ]
)
LITERALS = st.one_of(
    TEXT.map(Literal),
    st.builds(lambda t, lang: Literal(t, lang=lang), TEXT, LANG),
    st.builds(lambda t, dt: Literal(t, datatype=dt), TEXT, DATATYPE),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _oxigraph(query: Sparql) -> list[tuple[object, object]]:
    rows = ox.Store().query(str(query))
    assert isinstance(rows, ox.QuerySolutions)
    return [(row["x"], row["after"]) for row in rows]


def _rdflib(query: Sparql) -> list[tuple[Node, Node]]:
    return [(row[0], row[1]) for row in Graph().query(str(query))]  # type: ignore[index]


def _one_term(query: Sparql) -> list[str]:
    """The tokens of the query with the slot's term taken out (string + @lang/^^dt)."""
    found = tokens(str(query))
    start = found.index("BIND") + 2
    end = found.index("AS", start)
    return found[:start] + found[end:]


FIXED = _one_term(ECHO(value=var("v")))


@SETTINGS
@given(LITERALS)
def test_any_literal_round_trips_as_one_term(value: Literal) -> None:
    query = ECHO(value=term(value))
    assert _one_term(query) == FIXED
    assert _oxigraph(query) == [(to_oxigraph(value), ox.Literal("end"))]
    x, after = _rdflib(query)[0]
    assert (str(x), after) == (str(value), Literal("end"))


@SETTINGS
@given(TEXT)
def test_any_iri_round_trips_or_is_refused(tail: str) -> None:
    iri = URIRef(EX + tail)
    try:
        query = ECHO(value=term(iri))
    except ParameterError:
        return
    assert _one_term(query) == FIXED
    assert _oxigraph(query) == [(ox.NamedNode(str(iri)), ox.Literal("end"))]
    assert _rdflib(query) == [(iri, Literal("end"))]


@pytest.mark.parametrize(
    "value",
    [
        Literal('"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'),
        Literal("a\\u0022b"),
        Literal("\\\\u0041", lang="en"),
        Literal("x\n}", datatype=URIRef(EX + "t")),
    ],
)
def test_hostile_literals_stay_one_term(value: Literal) -> None:
    query = ECHO(value=term(value))
    assert _one_term(query) == FIXED
    assert _oxigraph(query) == [(to_oxigraph(value), ox.Literal("end"))]


def test_what_cannot_be_written_safely_is_refused() -> None:
    with pytest.raises(ParameterError):
        term(URIRef(EX + "a> } DROP ALL { <b"))
    with pytest.raises(ParameterError):
        term(BNode())
    with pytest.raises(ParameterError):
        term(URIRef("relative/iri"))
    with pytest.raises(ValueError, match="variable"):
        var("x } DROP ALL")
    with pytest.raises(ParameterError, match="prefix"):
        builder.prefix_name("a: <x> }")
    with pytest.raises(ParameterError):
        builder.prologue([("ex", "https://e.org/> SELECT")])
    with pytest.raises(TypeError):
        integer(True)


def test_only_builder_text_fills_a_slot() -> None:
    with pytest.raises(TypeError, match="must be Sparql text"):
        ECHO(value='"x") } DROP ALL #')  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Sparql("?x")
    with pytest.raises(TypeError):
        Sparql("?x", object())
    with pytest.raises(ValueError, match="needs"):
        ECHO()
    with pytest.raises(ValueError, match="has no"):
        ECHO(value=var("v"), other=var("w"))
    with pytest.raises(ValueError, match="separator"):
        join([var("a"), var("b")], " } ")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        join(["?a"], " ")  # type: ignore[list-item]


def test_a_filled_slot_is_never_filled_again() -> None:
    slotted = verbatim("${value}")  # text that looks like a slot, put in a slot
    assert str(Template("t", "ASK { ${value} }")(value=slotted)) == "ASK { ${value} }"


def test_templates_of_a_file() -> None:
    checks = builder.templates("filmkg.validation", "compiled.rq")
    assert checks["max_count_zero_gate"].slots == {"path"}
    for template in checks.values():  # no comment line can hide the text after a slot
        assert "#--" not in template.text
        assert not any(line.lstrip().startswith("#") for line in template.text.splitlines())
    whole = builder.template("filmkg.build", "graph_sizes.rq")
    assert "SELECT" in whole.text
