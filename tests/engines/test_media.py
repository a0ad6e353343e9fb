"""Every standard results and RDF media type a server may answer with, read as one answer."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from filmkg.engines.media import GRAPH_ACCEPT, RESULTS_ACCEPT, parse_graph, parse_results
from filmkg.engines.remote import Endpoint
from filmkg.errors import EndpointError
from filmkg.sparql.results import QueryResult
from servers import Misbehaving

EXPECTED = [
    (URIRef("http://e.org/a"), Literal("x", lang="en")),
    (BNode("b0"), Literal("true", datatype=XSD.boolean)),
    (URIRef("http://e.org/c"), None),
]
JSON = b"""{"head": {"vars": ["s", "o"]}, "results": {"bindings": [
 {"s": {"type": "uri", "value": "http://e.org/a"}, "o": {"type": "literal", "value": "x", "xml:lang": "en"}},
 {"s": {"type": "bnode", "value": "b0"}, "o": {"type": "typed-literal", "value": "1",
  "datatype": "http://www.w3.org/2001/XMLSchema#boolean"}},
 {"s": {"type": "uri", "value": "http://e.org/c"}}]}}"""
XML = b"""<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/><variable name="o"/></head>
<results><result><binding name="s"><uri>http://e.org/a</uri></binding>
<binding name="o"><literal xml:lang="en">x</literal></binding></result>
<result><binding name="s"><bnode>b0</bnode></binding>
<binding name="o"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">1</literal></binding></result>
<result><binding name="s"><uri>http://e.org/c</uri></binding></result></results></sparql>"""
TSV = (
    b'?s\t?o\n<http://e.org/a>\t"x"@en\n_:b0\t"1"^^<http://www.w3.org/2001/XMLSchema#boolean>\n'
    b"<http://e.org/c>\t\n"
)


@pytest.mark.parametrize(
    ("data", "media"),
    [
        (JSON, "application/sparql-results+json"),
        (JSON, "application/json"),
        (XML, "application/sparql-results+xml"),
        (TSV, "text/tab-separated-values"),
    ],
)
def test_select_results_in_every_typed_format(data: bytes, media: str) -> None:
    result = parse_results(data, media, "e", "SELECT")
    assert isinstance(result, QueryResult)
    assert result.variables == ("s", "o")
    assert result.rows == EXPECTED


def test_csv_results_keep_what_csv_can_say() -> None:
    data = b's,o\r\nhttp://e.org/a,x\r\n_:b0,"a, b"\r\nurn:x:c,\r\n'
    result = parse_results(data, "text/csv", "e", "SELECT")
    assert isinstance(result, QueryResult)
    assert result.rows == [
        (URIRef("http://e.org/a"), Literal("x")),
        (BNode("b0"), Literal("a, b")),
        (URIRef("urn:x:c"), None),
    ]


@pytest.mark.parametrize(
    ("data", "media", "expected"),
    [
        (b'{"head": {}, "boolean": true}', "application/sparql-results+json", True),
        (b'{"head": {}, "boolean": false}', "application/sparql-results+json", False),
        (
            b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            b"<boolean>true</boolean></sparql>",
            "application/sparql-results+xml",
            True,
        ),
        # Virtuoso: an ASK in SELECT form, one integer
        (
            b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [{"__ASK_RETVAL": '
            b'{"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer",'
            b' "value": "0"}}]}}',
            "application/sparql-results+json",
            False,
        ),
        (b"__ASK_RETVAL\n1\n", "text/csv", True),
        (b"?x\ntrue\n", "text/tab-separated-values", True),
        (b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}', "application/json", False),
    ],
)
def test_ask_in_every_form(data: bytes, media: str, expected: bool) -> None:
    assert parse_results(data, media, "e", "ASK") is expected


@pytest.mark.parametrize(
    "media",
    ["text/turtle", "application/turtle", "application/x-turtle", "application/n-triples"],
)
def test_graphs_in_turtle_under_every_name(media: str) -> None:
    graph = parse_graph(
        b'<http://e.org/a> <http://e.org/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n',
        media,
        "e",
    )
    assert list(graph) == [
        (URIRef("http://e.org/a"), URIRef("http://e.org/p"), Literal(True)),
    ]


def test_graph_as_rdf_xml_and_json_ld() -> None:
    xml = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:e="http://e.org/"><rdf:Description rdf:about="http://e.org/a">'
        b"<e:p>x</e:p></rdf:Description></rdf:RDF>"
    )
    jsonld = b'[{"@id": "http://e.org/a", "http://e.org/p": [{"@value": "x"}]}]'
    one = parse_graph(xml, "application/rdf+xml", "e")
    two = parse_graph(jsonld, "application/ld+json", "e")
    assert (
        set(one) == set(two) == {(URIRef("http://e.org/a"), URIRef("http://e.org/p"), Literal("x"))}
    )


def test_a_non_standard_json_is_refused_in_one_line() -> None:
    # Comunica's own application/json when it may choose
    with pytest.raises(EndpointError, match="not SPARQL JSON results"):
        parse_results(b'[{"?s": "http://e.org/a"}]', "application/json", "e", "SELECT")
    with pytest.raises(EndpointError, match="unexpected answer type"):
        parse_graph(b"x", "text/html", "e")


def test_the_standard_types_are_asked_for_first() -> None:
    for accept, first in (
        (RESULTS_ACCEPT, "application/sparql-results+json"),
        (GRAPH_ACCEPT, "text/turtle"),
    ):
        types = [part.split(";")[0].strip() for part in accept.split(",")]
        assert types[0] == first
        weights = [
            float(part.split("q=")[1]) if "q=" in part else 1.0 for part in accept.split(",")
        ]
        assert weights == sorted(weights, reverse=True)
    assert "application/json" in RESULTS_ACCEPT.split(", ")[-1]


@pytest.mark.server
def test_the_accept_header_goes_out(misbehaving: Misbehaving) -> None:
    Endpoint(misbehaving.url + "/ok").select("SELECT ?x WHERE {}")
    assert misbehaving.seen[-1].headers["Accept"] == RESULTS_ACCEPT


def test_virtuoso_tsv_header_in_quotes() -> None:
    result = parse_results(b'"o"\n<http://e.org/a>\n', "text/tab-separated-values", "e", "SELECT")
    assert isinstance(result, QueryResult)
    assert result.variables == ("o",)
    assert result.rows == [(URIRef("http://e.org/a"),)]
