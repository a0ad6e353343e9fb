"""Query results: one type for every engine (rdflib, pyoxigraph, remote endpoints).

A :class:`QueryResult` holds the rows of a SELECT query as rdflib terms and writes them
in the W3C SPARQL 1.1 results formats (JSON, XML, CSV, TSV) or as an aligned text table
with prefixed names and plain values.

>>> from rdflib import Literal, URIRef
>>> r = QueryResult(("person", "name"),
...                 [(URIRef("https://w3id.org/filmkg/id/person/tom-hanks"), Literal("Tom Hanks"))])
>>> r.as_dicts()
[{'person': 'https://w3id.org/filmkg/id/person/tom-hanks', 'name': 'Tom Hanks'}]
>>> print(r.to_table())
person              | name
--------------------+----------
kg:person/tom-hanks | Tom Hanks
>>> len(r)
1
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from filmkg.errors import UsageError
from filmkg.rdf.convert import RdfTerm
from filmkg.rdf.namespaces import PREFIXES
from filmkg.sparql.terms import escape_string, to_sparql

__all__ = [
    "RESULT_FORMATS",
    "QueryResult",
    "ResultFormat",
    "Row",
    "boolean_result",
    "compact",
    "plain",
    "plain_rows",
    "plain_value",
    "text_table",
]

Row = tuple[RdfTerm | None, ...]

ResultFormat = TypingLiteral["table", "csv", "tsv", "json", "xml"]
#: the formats :meth:`QueryResult.serialize` writes
RESULT_FORMATS: tuple[ResultFormat, ...] = ("table", "csv", "tsv", "json", "xml")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
_LOCAL = re.compile(r"[A-Za-z0-9_\-/]*(\.[A-Za-z0-9_\-/]+)*")
#: characters XML 1.0 cannot hold at all
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TURTLE_BARE = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}


def compact(iri: str) -> str:
    """An IRI as a prefixed name when a project prefix fits, else ``<iri>``.

    >>> compact("https://w3id.org/filmkg/id/person/tom-hanks")
    'kg:person/tom-hanks'
    >>> compact("https://example.org/x y")
    '<https://example.org/x y>'
    """
    best = ""
    for prefix, namespace in PREFIXES.items():
        longer = len(namespace) > len(PREFIXES.get(best, ""))
        if iri.startswith(namespace) and longer and _LOCAL.fullmatch(iri[len(namespace) :]):
            best = prefix
    if best:
        return f"{best}:{iri[len(PREFIXES[best]) :]}"
    return f"<{iri}>"


def plain(term: RdfTerm | None) -> object:
    """The plain Python value of a term: str for IRIs and strings, int, date…

    >>> plain(Literal(30))
    30
    >>> from rdflib import URIRef
    >>> plain(URIRef("https://e.org/x"))
    'https://e.org/x'
    >>> plain(None) is None
    True
    """
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return str(term)


def plain_value(term: RdfTerm | None) -> str | int | bool | None:
    """A JSON-ready plain value: prefixed names for IRIs, ``_:id`` for blank nodes, int
    and bool for integers and booleans, the lexical form for every other literal.

    >>> plain_value(URIRef("https://w3id.org/filmkg/vocab/role/director"))
    'role:director'
    >>> plain_value(Literal("2024-11-15", datatype=URIRef(_XSD + "date")))
    '2024-11-15'
    >>> plain_value(Literal(30)), plain_value(Literal(True))
    (30, True)
    """
    if term is None:
        return None
    if isinstance(term, URIRef):
        return compact(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    datatype = str(term.datatype) if term.datatype is not None else ""
    if datatype == _XSD + "boolean" and str(term) in ("true", "false", "1", "0"):
        return str(term) in ("true", "1")
    if datatype in _INTEGER_TYPES and re.fullmatch(r"[+-]?[0-9]+", str(term).strip()):
        return int(str(term))
    return str(term)


_INTEGER_TYPES = {
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}


def plain_rows(result: QueryResult) -> list[dict[str, str | int | bool | None]]:
    """Rows as dicts of :func:`plain_value` (unbound variables left out)."""
    return [
        {v: plain_value(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]


def _cell(term: RdfTerm | None) -> str:
    """A table cell: the plain value, with control characters made visible."""
    if term is None:
        return ""
    value = plain_value(term)
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


#: The widest a table cell gets; a longer value ends with an ellipsis (csv/json keep it whole).
MAX_CELL = 60


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    width: int | None = None,
    max_cell: int = MAX_CELL,
) -> str:
    """The one table style of the CLI: columns split by `` | ``, a rule under the header,
    cells cut at ``max_cell`` characters with ``…``, and the widest columns narrowed
    further when the table would be wider than ``width`` (a terminal's columns).

    >>> print(text_table(["a", "b"], [[1, "x" * 12]], max_cell=8))
    a | b
    --+---------
    1 | xxxxxxx…
    >>> print(text_table(["name", "quote"], [["Here", "a long quote, cut to fit"]], width=20))
    name | quote
    -----+--------------
    Here | a long quote…
    >>> print(text_table(["x"], []))
    x
    -
    (no rows)
    """
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [min(max_cell, max(len(row[i]) for row in cells)) for i in range(len(headers))]
    if width is not None:
        room = width - 3 * (len(widths) - 1)
        while sum(widths) > room and max(widths, default=0) > 8:
            widths[widths.index(max(widths))] -= 1
    lines = [
        " | ".join(_fit(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    if not rows:
        lines.append("(no rows)")
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    """``text`` padded to ``width``, or cut to it with an ellipsis."""
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def _tsv_term(term: RdfTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.datatype is not None:
        bare = _TURTLE_BARE.get(str(term.datatype))
        if bare is not None and bare.fullmatch(str(term)):
            return str(term)
    if isinstance(term, URIRef):
        return f"<{term!s}>" if _IRI_TSV_OK.fullmatch(str(term)) else to_sparql(term)
    if isinstance(term, Literal) and term.datatype is not None:
        return f'"{escape_string(str(term))}"^^<{term.datatype}>'
    return to_sparql(term)


_IRI_TSV_OK = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')


@dataclass(frozen=True)
class QueryResult:
    """The rows of a SELECT query, in the order the query gives.

    ``variables`` are the projected variable names; each row holds one rdflib term (or
    ``None`` when unbound) per variable.
    """

    variables: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def as_dicts(self) -> list[dict[str, object]]:
        """Rows as a list of dicts of plain Python values (unbound variables left out)."""
        return [
            {v: plain(t) for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]

    def column(self, name: str) -> list[RdfTerm | None]:
        """The terms of one variable, row by row."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    # -- formats -------------------------------------------------------------------
    def serialize(self, fmt: ResultFormat = "table") -> str:
        """The result in one of :data:`RESULT_FORMATS`."""
        writers = {
            "table": self.to_table,
            "csv": self.to_csv,
            "tsv": self.to_tsv,
            "json": self.to_json,
            "xml": self.to_xml,
        }
        if fmt not in writers:
            raise UsageError(
                f"unknown result format {fmt!r}", hint=f"use one of {', '.join(RESULT_FORMATS)}"
            )
        return writers[fmt]()

    def to_table(self, *, width: int | None = None) -> str:
        """An aligned text table: prefixed names, plain values, a header line; long cells
        cut with an ellipsis (see :func:`text_table`).

        >>> print(QueryResult(("x",), []).to_table())
        x
        -
        (no rows)
        """
        cells = [[_cell(t) for t in row] for row in self.rows]
        return text_table(self.variables, cells, width=width)

    def to_csv(self) -> str:
        """W3C SPARQL 1.1 Query Results CSV: full IRIs, lexical forms, CRLF lines.

        >>> QueryResult(("x", "y"), [(URIRef("https://e.org/a"), Literal("a,b"))]).to_csv()
        'x,y\\r\\nhttps://e.org/a,"a,b"\\r\\n'
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(
                ["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row]
            )
        return out.getvalue()

    def to_tsv(self) -> str:
        """W3C SPARQL 1.1 Query Results TSV: terms in SPARQL/Turtle syntax.

        >>> QueryResult(("n", "s"), [(Literal(30), Literal("a\\tb"))]).to_tsv()
        '?n\\t?s\\n30\\t"a\\\\tb"\\n'
        """
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """W3C SPARQL 1.1 Query Results JSON, with sorted keys.

        >>> doc = json.loads(QueryResult(("x",), [(Literal("Here", lang="en"),)]).to_json())
        >>> doc["head"], doc["results"]["bindings"]
        ({'vars': ['x']}, [{'x': {'type': 'literal', 'value': 'Here', 'xml:lang': 'en'}}])
        """
        bindings = [
            {v: _json_term(t) for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]
        document = {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False, sort_keys=True)

    def to_xml(self) -> str:
        """W3C SPARQL Query Results XML.

        >>> print(QueryResult(("x",), [(URIRef("https://e.org/a&b"),)]).to_xml())
        <?xml version="1.0" encoding="UTF-8"?>
        <sparql xmlns="http://www.w3.org/2005/sparql-results#">
          <head>
            <variable name="x"/>
          </head>
          <results>
            <result>
              <binding name="x"><uri>https://e.org/a&amp;b</uri></binding>
            </result>
          </results>
        </sparql>
        """
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<sparql xmlns="{_SPARQL_RESULTS_NS}">',
            "  <head>",
        ]
        lines += [f"    <variable name={quoteattr(v)}/>" for v in self.variables]
        lines += ["  </head>", "  <results>"]
        for row in self.rows:
            lines.append("    <result>")
            for v, t in zip(self.variables, row, strict=True):
                if t is not None:
                    lines.append(f"      <binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
            lines.append("    </result>")
        lines += ["  </results>", "</sparql>"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(v)}</th>" for v in self.variables)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape('' if t is None else str(plain_value(t)))}</td>" for t in row
            )
            + "</tr>"
            for row in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _json_term(term: RdfTerm) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
        out["datatype"] = str(term.datatype)
    return out


def _xml_text(text: str) -> str:
    bad = _NOT_XML.search(text)
    if bad:
        raise UsageError(
            f"a value holds U+{ord(bad.group()):04X}, which XML 1.0 cannot represent",
            hint="use -f json or -f tsv",
        )
    return xml_escape(text).replace("\r", "&#13;")


def _xml_term(term: RdfTerm) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{_xml_text(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{_xml_text(str(term))}</bnode>"
    attributes = ""
    if term.language:
        attributes = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
        attributes = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attributes}>{_xml_text(str(term))}</literal>"


def boolean_result(value: bool, fmt: ResultFormat = "table") -> str:
    """An ASK answer in one of :data:`RESULT_FORMATS`.

    >>> boolean_result(True, "json")
    '{"boolean": true, "head": {}}'
    """
    if fmt == "json":
        return json.dumps({"boolean": value, "head": {}}, sort_keys=True)
    if fmt == "xml":
        return "\n".join(
            [
                '<?xml version="1.0" encoding="UTF-8"?>',
                f'<sparql xmlns="{_SPARQL_RESULTS_NS}">',
                "  <head/>",
                f"  <boolean>{'true' if value else 'false'}</boolean>",
                "</sparql>",
            ]
        )
    if fmt == "csv":
        return f"_askResult\r\n{'true' if value else 'false'}\r\n"
    if fmt == "tsv":
        return f"?_askResult\n{'true' if value else 'false'}\n"
    return "true" if value else "false"


def sort_rows(result: QueryResult, keys: Sequence[tuple[str, bool]]) -> list[Row] | None:
    """The rows of ``result`` in SPARQL ``ORDER BY`` order of ``keys`` (variable name,
    descending?), or ``None`` when Python cannot sort a column the way Oxigraph does (see
    :func:`filmkg.sparql.catalogue.select_sorting_in_python`). Ties keep their order.

    >>> r = QueryResult(("x",), [(Literal("b"),), (None,), (Literal("a"),)])
    >>> [row[0] and str(row[0]) for row in sort_rows(r, [("x", False)])]
    [None, 'a', 'b']
    """
    index = {name: i for i, name in enumerate(result.variables)}
    rows = result.rows
    if not any(descending for _, descending in keys):  # one sort on tuples of the keys
        columns = [_sort_column([row[index[name]] for row in rows]) for name, _ in keys]
        if any(column is None for column in columns):
            return None
        ranked = list(zip(*columns, strict=True)) if columns else [()] * len(rows)
        return [rows[j] for j in sorted(range(len(rows)), key=ranked.__getitem__)]
    for name, descending in reversed(keys):  # stable sorts, last key first
        i = index[name]
        column = _sort_column([row[i] for row in rows])
        if column is None:
            return None
        order = sorted(range(len(rows)), key=column.__getitem__, reverse=descending)
        rows = [rows[j] for j in order]
    return rows


def sort_keys(terms: list[Node | None]) -> list[tuple[int, str | int]] | None:
    """SPARQL ``ORDER BY`` keys of the terms of one column (Python's order of the keys is
    the engine's order of the terms), or ``None`` when Python cannot sort them as
    Oxigraph does (:func:`sort_rows`).

    >>> sort_keys([Literal("b"), None, URIRef("https://e.org/a")])
    [(2, 'b'), (0, ''), (1, 'https://e.org/a')]
    """
    return _sort_column(terms)


def _sort_column(terms: list[Node | None]) -> list[tuple[int, str | int]] | None:
    """SPARQL ``ORDER BY`` keys of one column's terms, or None if Python cannot sort them
    the way Oxigraph does."""
    keys: list[tuple[int, str | int]] = []
    literal_kind: str | None = None
    for term in terms:
        if term is None:
            keys.append((0, ""))
        elif isinstance(term, URIRef):
            keys.append((1, str(term)))
        elif isinstance(term, Literal):
            if term.language:
                kind = "@" + term.language.lower()
            elif term.datatype is None or term.datatype == XSD.string:
                kind = "string"
            elif term.datatype == XSD.integer:
                kind = "integer"
            else:
                return None
            if literal_kind not in (None, kind):
                return None
            literal_kind = kind
            if kind != "integer":
                keys.append((2, str(term)))
                continue
            try:
                keys.append((2, int(str(term))))
            except ValueError:
                return None
        else:
            return None
    return keys
