"""Conversion of RDF terms between rdflib and pyoxigraph.

rdflib terms are the public currency of filmkg (results, bindings); pyoxigraph terms are
what the fast engine speaks. Conversions are exact: datatypes, language tags and blank
node identifiers survive a round trip.

>>> from rdflib import Literal, URIRef
>>> to_rdflib(to_oxigraph(Literal("Here", lang="en"))) == Literal("Here", lang="en")
True
>>> to_oxigraph(URIRef("https://w3id.org/filmkg/id/film/here-2024"))
<NamedNode value=https://w3id.org/filmkg/id/film/here-2024>
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

__all__ = [
    "OxTerm",
    "RdfTerm",
    "quads_to_rdflib",
    "to_oxigraph",
    "to_oxigraph_graph_name",
    "to_rdflib",
]

RdfTerm: TypeAlias = URIRef | BNode | Literal
OxTerm: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | ox.Triple,
) -> RdfTerm:
    """Convert a pyoxigraph term to the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        # lexical form kept as is: rdflib must not normalise "01"^^xsd:integer to "1".
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    msg = f"cannot convert {term!r} to an rdflib term"
    raise TypeError(msg)


def to_oxigraph(term: Node) -> OxTerm:
    """Convert an rdflib term to the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) not in (_XSD_STRING,):
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    msg = f"cannot convert {term!r} to a pyoxigraph term"
    raise TypeError(msg)


def to_oxigraph_graph_name(
    name: Identifier | None,
) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:
    """Convert an rdflib graph name (``None`` for the default graph) to pyoxigraph."""
    if name is None or str(name) == "urn:x-rdflib:default":
        return ox.DefaultGraph()
    converted = to_oxigraph(name)
    if isinstance(converted, ox.Literal):
        msg = "a graph name cannot be a literal"
        raise TypeError(msg)
    return converted


def quads_to_rdflib(
    quads: Iterable[ox.Quad],
) -> Iterator[tuple[RdfTerm, RdfTerm, RdfTerm, URIRef | BNode | None]]:
    """Yield rdflib ``(s, p, o, graph)`` tuples; graph is ``None`` for the default graph."""
    for quad in quads:
        graph = quad.graph_name
        g: URIRef | BNode | None = None
        if not isinstance(graph, ox.DefaultGraph):
            converted = to_rdflib(graph)
            assert not isinstance(converted, Literal)
            g = converted
        yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object), g
