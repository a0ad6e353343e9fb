"""What a SPARQL endpoint answers: the media types filmkg asks for, and their parsers.

Every standard results type is read — SPARQL 1.1 Query Results JSON, XML, TSV and CSV —
and every common RDF type for CONSTRUCT / DESCRIBE (Turtle under its three names,
N-Triples, RDF/XML, JSON-LD, N-Quads, TriG). The ``Accept`` headers name the standard
types first with q-values, so a server that also speaks a format of its own (Comunica's
plain ``application/json``) picks a standard one.

Servers differ in what they send, and the parsers make it one answer:

* booleans in their canonical form: Virtuoso sends ``"1"^^xsd:boolean`` for ``true``;
* ASK in SELECT form: Virtuoso answers an ASK with one row of one variable
  (``__ASK_RETVAL``, an integer ``1`` or ``0``), others with ``"true"``: read as a bool;
* CSV carries no term types: a value is an IRI when it looks like an absolute IRI,
  a blank node for ``_:``, else a plain literal (TSV, XML and JSON keep the types).

>>> parse_results(b'{"boolean": true}', "application/sparql-results+json", "e", "ASK")
True
>>> r = parse_results(b'{"head":{"vars":["__ASK_RETVAL"]},"results":{"bindings":'
...     b'[{"__ASK_RETVAL":{"type":"typed-literal","value":"1",'
...     b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}',
...     "application/sparql-results+json", "e", "ASK")
>>> r
True
>>> parse_results(b"?x\\n\\"1\\"^^<http://www.w3.org/2001/XMLSchema#boolean>\\n",
...     "text/tab-separated-values", "e", "SELECT").rows[0][0].n3()
'"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from defusedxml import ElementTree
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral

from filmkg.errors import EndpointError, ParseError
from filmkg.io.loading import FORMATS, parse_bytes
from filmkg.rdf.convert import RdfTerm, to_rdflib
from filmkg.sparql.results import QueryResult, Row

__all__ = [
    "GRAPH_ACCEPT",
    "RESULTS_ACCEPT",
    "body_excerpt",
    "parse_graph",
    "parse_results",
]

#: ``Accept`` for SELECT and ASK: the standard results types, best first.
RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.8, text/csv;q=0.7, application/json;q=0.2"
)
#: ``Accept`` for CONSTRUCT and DESCRIBE: the standard RDF types, best first.
GRAPH_ACCEPT = (
    "text/turtle, application/n-triples;q=0.95, application/rdf+xml;q=0.9, "
    "application/ld+json;q=0.8, application/n-quads;q=0.7, application/trig;q=0.7, "
    "application/turtle;q=0.6, application/x-turtle;q=0.6"
)

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_XSD_BOOLEAN = _XSD + "boolean"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TRUE = frozenset(("1", "true"))

#: RDF media types (beyond io.loading's) that servers send for graphs.
_GRAPH_ALIASES = {
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "text/plain": "application/n-triples",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/json": "application/ld+json",
}
#: Media types of RDF graphs: what a Graph Store Protocol URL answers a query with.
_GRAPH_MEDIA = frozenset((*(k for k in FORMATS if "/" in k), *_GRAPH_ALIASES)) - {
    "text/plain",
    "application/json",
    "application/xml",
    "text/xml",
}
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def body_excerpt(data: bytes) -> str:
    """The start of a response body fit for one line (HTML tags dropped).

    >>> body_excerpt(b"<html><body><h1>Not  found</h1></body></html>")
    'Not found'
    """
    text = data.decode("utf-8", "replace")
    text = re.sub(r"<[^>]{0,200}>", " ", text) if "<html" in text.lower() else text
    text = " ".join(text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


def _not_results(where: str, media: str) -> EndpointError:
    """The error for an answer that is not SPARQL results; a graph means a Graph Store URL.

    >>> str(_not_results("http://h/ds/data", "application/ld+json"))  # doctest: +ELLIPSIS
    'http://h/ds/data: the answer is a graph (application/ld+json), not SPARQL results; use ...'
    """
    kind = media.split(";")[0].strip().lower()
    path = urllib.parse.urlsplit(where).path.rstrip("/")
    if kind in _GRAPH_MEDIA or path.rsplit("/", 1)[-1] in ("data", "store", "get"):
        base = where.rsplit("/", 1)[0] if path else where
        return EndpointError(
            f"{where}: the answer is a graph ({media or 'no media type'}), not SPARQL results",
            hint=f"use the query URL ({base}/sparql or {base}/query), not the Graph Store URL",
        )
    return EndpointError(
        f"{where}: the answer is not SPARQL JSON results ({media or 'no media type'})",
        hint="is this a SPARQL endpoint? check the URL",
    )


def parse_results(data: bytes, media: str, where: str, form: str) -> QueryResult | bool:
    """The answer to a SELECT (``form="SELECT"``) or ASK (``"ASK"``) in any results type."""
    kind = media.split(";")[0].strip().lower()
    try:
        if kind == "application/sparql-results+xml" or (
            kind in ("application/xml", "text/xml") and b"sparql-results" in data[:1000]
        ):
            result = _parse_xml(data)
        elif kind == "text/tab-separated-values":
            result = _parse_tsv(data)
        elif kind == "text/csv":
            result = _parse_csv(data)
        else:
            result = _parse_json(data, media, where)
    except EndpointError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, ParseError) as exc:
        raise EndpointError(f"{where}: malformed SPARQL results ({media}): {exc}") from None
    if form == "ASK" and isinstance(result, QueryResult):
        return _ask_from_rows(result, where)
    return result


def _ask_from_rows(result: QueryResult, where: str) -> bool:
    """An ASK answered as a table: no row is false, else the one value's truth."""
    if not result.rows:
        return False
    values = [v for v in result.rows[0] if v is not None]
    if len(result.rows) != 1 or len(values) != 1 or not isinstance(values[0], RdfLiteral):
        raise EndpointError(f"{where}: the answer to an ASK query is not a boolean")
    return str(values[0]).strip().lower() in _TRUE


def _parse_json(data: bytes, media: str, where: str) -> QueryResult | bool:
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        if media == "application/sparql-results+json":
            # Streaming servers (Oxigraph) send 200 first, then break off with a message
            tail = body_excerpt(data[-300:]).rsplit("[", 1)[-1].strip(" {}[],:")
            raise EndpointError(
                f"{where}: the answer broke off: {tail[-120:]!r}",
                hint="the endpoint stopped part-way (a time limit, or an error: see its log); "
                "narrow the query (LIMIT)",
            ) from None
        raise _not_results(where, media) from None
    if not isinstance(doc, dict) or not ("boolean" in doc or "results" in doc):
        raise _not_results(where, media)
    if "boolean" in doc:
        value = doc["boolean"]
        return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
    variables = tuple(str(v) for v in doc["head"].get("vars", []))
    rows: list[Row] = [
        tuple(_json_term(b[v]) if v in b else None for v in variables)
        for b in doc["results"]["bindings"]
    ]
    return QueryResult(variables, rows)


def _literal(text: str, lang: str | None, datatype: str | None) -> RdfLiteral:
    if lang:
        return RdfLiteral(text, lang=lang)
    if datatype and datatype not in (_XSD_STRING, _RDF_LANGSTRING):
        if datatype == _XSD_BOOLEAN and text.strip() in ("0", "1"):
            text = "true" if text.strip() == "1" else "false"  # Virtuoso's "1"^^xsd:boolean
        return RdfLiteral(text, datatype=URIRef(datatype), normalize=False)
    return RdfLiteral(text)


def _json_term(value: Mapping[str, Any]) -> RdfTerm:
    kind = value["type"]
    text = str(value["value"])
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        lang, datatype = value.get("xml:lang"), value.get("datatype")
        return _literal(text, str(lang) if lang else None, str(datatype) if datatype else None)
    raise ValueError(f"unsupported term type {kind!r}")


def _parse_xml(data: bytes) -> QueryResult | bool:
    root = ElementTree.fromstring(data)
    boolean = root.find(f"{_RESULTS_NS}boolean")
    if boolean is not None:
        return (boolean.text or "").strip().lower() in _TRUE
    head = root.find(f"{_RESULTS_NS}head")
    variables = tuple(
        str(v.get("name")) for v in (head if head is not None else []) if v.tag.endswith("variable")
    )
    rows: list[Row] = []
    for result in root.iter(f"{_RESULTS_NS}result"):
        found: dict[str, RdfTerm] = {}
        for binding in result:
            (term,) = list(binding)
            found[str(binding.get("name"))] = _xml_term(term)
        rows.append(tuple(found.get(v) for v in variables))
    return QueryResult(variables, rows)


def _xml_term(element: Any) -> RdfTerm:
    tag = element.tag.removeprefix(_RESULTS_NS)
    text = element.text or ""
    if tag == "uri":
        return URIRef(text)
    if tag == "bnode":
        return BNode(text)
    if tag == "literal":
        return _literal(text, element.get(_XML_LANG), element.get("datatype"))
    raise ValueError(f"unsupported term element {tag!r}")


def _parse_tsv(data: bytes) -> QueryResult:
    lines = data.decode("utf-8").split("\n")
    # "?x" by the standard; Virtuoso writes '"x"'
    variables = tuple(
        v.strip().strip('"').removeprefix("?").removeprefix("$") for v in lines[0].split("\t")
    )
    rows: list[Row] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = line.rstrip("\r").split("\t")
        rows.append(tuple(_tsv_term(c) for c in cells))
    return QueryResult(variables if variables != ("",) else (), rows)


def _tsv_term(cell: str) -> RdfTerm | None:
    """A term in SPARQL syntax (a TSV cell): parsed by the strict N-Triples parser."""
    cell = cell.strip()
    if not cell:
        return None
    if cell.startswith("_:"):
        return BNode(cell[2:])
    if re.fullmatch(r"[+-]?\d+", cell):
        return RdfLiteral(cell, datatype=URIRef(_XSD + "integer"), normalize=False)
    if re.fullmatch(r"[+-]?\d*\.\d+", cell):
        return RdfLiteral(cell, datatype=URIRef(_XSD + "decimal"), normalize=False)
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+", cell):
        return RdfLiteral(cell, datatype=URIRef(_XSD + "double"), normalize=False)
    if cell in ("true", "false"):
        return RdfLiteral(cell, datatype=URIRef(_XSD_BOOLEAN))
    line = f"<urn:s> <urn:p> {cell} .\n".encode()
    (quad,) = parse_bytes(line, fmt=FORMATS["ntriples"], path="TSV results")
    term = to_rdflib(quad.object)
    if isinstance(term, RdfLiteral) and term.datatype is not None:
        return _literal(str(term), None, str(term.datatype))
    return term


def _parse_csv(data: bytes) -> QueryResult:
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(reader, [])
    variables = tuple(v.strip() for v in header)
    rows: list[Row] = [tuple(_csv_term(c) for c in row) for row in reader if row]
    return QueryResult(variables, rows)


def _csv_term(cell: str) -> RdfTerm | None:
    if cell == "":
        return None
    if cell.startswith("_:"):
        return BNode(cell[2:])
    if _ABSOLUTE_IRI.match(cell) and ("://" in cell or cell.startswith("urn:")):
        return URIRef(cell)
    return RdfLiteral(cell)


def parse_graph(data: bytes, media: str, where: str) -> Graph:
    """The answer to a CONSTRUCT or DESCRIBE in any RDF media type, as an rdflib Graph."""
    kind = media.split(";")[0].strip().lower()
    rdf_format = FORMATS.get(_GRAPH_ALIASES.get(kind, kind))
    if rdf_format is None:
        raise EndpointError(f"{where}: unexpected answer type {media} for a graph query")
    graph = Graph()
    if not data.strip():
        return graph
    try:
        quads = parse_bytes(data, fmt=rdf_format, path=where)
    except ParseError as exc:
        raise EndpointError(f"the endpoint sent malformed RDF: {exc}") from None
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph
