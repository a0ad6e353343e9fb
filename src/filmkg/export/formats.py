"""Deterministic exports: Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML.

The same graph always gives the same bytes, on every run and every machine:

* quads are **sorted** (by graph, then subject, with ``rdf:type`` first, then predicate
  and object, comparing the N-Triples form of each term) and written grouped by subject;
  N-Triples and N-Quads are canonical (sorted lines, canonical escapes);
* **blank nodes** get the labels of W3C RDF Dataset Canonicalization (RDFC-1.0,
  ``_:c14n0`` …), which depend only on the shape of the data, never on parse order;
* the project's prefixes are bound (``schema:`` is ``http://schema.org/``, as in
  Wikidata and schema.org's own JSON-LD context, never rdflib's default);
* JSON-LD is compacted with the context shipped in the package (see
  :mod:`filmkg.io.jsonld`); no document is ever fetched.

Writing streams: quads are read from the store, sorted (in memory, or by an external merge
sort through temporary N-Quads files past :data:`SORT_CHUNK` quads) and handed one by one
to pyoxigraph's serialisers (or to the small RDF/XML writer here), so the text-based formats
need memory for one chunk, not for the whole store. JSON-LD is built in memory (pyld works
on whole documents).

>>> import pyoxigraph as ox
>>> a, b, p = (ox.NamedNode(f"https://e.org/{n}") for n in "abp")
>>> quads = [ox.Quad(b, p, ox.Literal("2")), ox.Quad(a, p, ox.BlankNode("x"))]
>>> print(serialize(quads, "ntriples").decode(), end="")
<https://e.org/a> <https://e.org/p> _:c14n0 .
<https://e.org/b> <https://e.org/p> "2" .
>>> print(serialize(quads, "turtle", prefixes={"ex": "https://e.org/"}).decode(), end="")
@prefix ex: <https://e.org/> .
ex:a ex:p _:c14n0 .
ex:b ex:p "2" .
"""

from __future__ import annotations

import heapq
import io
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, TypeAlias, cast

import pyoxigraph as ox

from filmkg.build.inference import INFERRED_GRAPH
from filmkg.build.project import ONTOLOGY_GRAPH
from filmkg.engines.canonical import canonicalize
from filmkg.errors import ExportError, UsageError
from filmkg.export import profiles
from filmkg.io import jsonld as jsonld
from filmkg.io import progress
from filmkg.io.fileio import atomic_open
from filmkg.rdf.namespaces import PREFIXES

if TYPE_CHECKING:
    from filmkg.engines.store import KnowledgeGraph

__all__ = [
    "EXPORT_FORMATS",
    "ORDERS",
    "PROFILES",
    "SORT_CHUNK",
    "STREAM_FORMATS",
    "STREAM_THRESHOLD",
    "ExportFormat",
    "Order",
    "Profile",
    "canonical_quads",
    "choose_order",
    "dump_store",
    "export_format",
    "export_quads",
    "serialize",
    "sorted_quads",
    "write_all",
    "write_export",
    "write_quads",
]

Profile: TypeAlias = Literal["full", "wikidata", "schema"]
PROFILES: tuple[Profile, ...] = ("full", "wikidata", "schema")

#: ``sorted``: canonical, byte-identical for the same graph (the default); ``store``: the
#: store's own index order, streamed by pyoxigraph (big stores); ``auto``: ``store`` for an
#: on-disk store of more than :data:`STREAM_THRESHOLD` quads when the format allows it.
Order: TypeAlias = Literal["auto", "sorted", "store"]
ORDERS: tuple[Order, ...] = ("auto", "sorted", "store")
#: Formats that :func:`dump_store` streams (the others are always sorted).
STREAM_FORMATS = ("ntriples", "nquads", "turtle", "trig")
#: On-disk stores with more quads than this are exported in store order by ``order="auto"``.
STREAM_THRESHOLD = 500_000

#: Quads sorted in memory at once; past this, sorting spills sorted runs to temporary files.
SORT_CHUNK = 250_000

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_TYPE = _RDF + "type"
_FILMKG = "https://w3id.org/filmkg/ontology#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

SortKey: TypeAlias = str | tuple[str, ...]


@dataclass(frozen=True)
class ExportFormat:
    """An output format: its short name, media type, file extension and other names."""

    name: str
    label: str
    media_type: str
    extension: str
    aliases: tuple[str, ...]
    #: True when the format keeps named graphs (TriG, N-Quads, JSON-LD).
    dataset: bool

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that selects this format (short name, media type, aliases)."""
        return (self.name, self.media_type, self.extension.lstrip("."), *self.aliases)


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("turtle", "Turtle", "text/turtle", ".ttl", ("ttl",), dataset=False),
    ExportFormat("ntriples", "N-Triples", "application/n-triples", ".nt", ("n-triples",), False),
    ExportFormat("nquads", "N-Quads", "application/n-quads", ".nq", ("n-quads",), True),
    ExportFormat("trig", "TriG", "application/trig", ".trig", (), True),
    ExportFormat("jsonld", "JSON-LD", "application/ld+json", ".jsonld", ("json-ld", "json"), True),
    ExportFormat(
        "rdfxml", "RDF/XML", "application/rdf+xml", ".rdf", ("xml", "rdf/xml", "owl"), False
    ),
)

_BY_NAME: dict[str, ExportFormat] = {n.lower(): f for f in EXPORT_FORMATS for n in f.names}


def export_format(
    fmt: str | ExportFormat | None = None, path: str | Path | None = None
) -> ExportFormat:
    """The format named ``fmt`` (short name, media type or extension), or guessed from ``path``.

    >>> export_format("application/n-quads").name
    'nquads'
    >>> export_format(None, "dist/filmkg.trig").name
    'trig'
    >>> export_format("yaml")
    Traceback (most recent call last):
    ...
    filmkg.errors.UsageError: unknown export format 'yaml'; use one of turtle, ntriples, ...
    """
    if isinstance(fmt, ExportFormat):
        return fmt
    hint = (
        "use one of "
        + ", ".join(f.name for f in EXPORT_FORMATS)
        + " (or a media type such as text/turtle)"
    )
    if fmt:
        key = fmt.strip().lower().split(";")[0].strip()
        found = _BY_NAME.get(key) or _BY_NAME.get(key.lstrip("."))
        if found is None:
            raise UsageError(f"unknown export format {fmt!r}", hint=hint)
        return found
    if path is not None:
        suffix = Path(path).suffix.lower().lstrip(".")
        found = _BY_NAME.get(suffix) if suffix else None
        if found is None:
            raise UsageError(
                f"cannot tell the export format of {str(path)!r}", hint="give -f; " + hint
            )
        return found
    return _BY_NAME["turtle"]


# -- terms and sort keys ---------------------------------------------------------------


def _nt(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | ox.Triple) -> str:
    """The N-Triples form of a term; ``""`` for the default graph (which sorts first)."""
    return "" if type(term) is ox.DefaultGraph else str(term)


def key_spog(quad: ox.Quad) -> str:
    """Line order of canonical N-Quads: the statement as written (subject, predicate,
    object, graph), which sorts like the tuple of the terms' N-Triples forms."""
    return str(quad)


def key_spo(quad: ox.Quad) -> str:
    """Line order of canonical N-Triples (the graph ignored)."""
    return str(quad.triple)


def key_subject(quad: ox.Quad) -> SortKey:
    """Grouped by subject, ``rdf:type`` first (Turtle, RDF/XML); graph ignored."""
    predicate = quad.predicate
    rank = "0" if predicate.value == _RDF_TYPE else "1"
    return (str(quad.subject), rank, str(predicate), str(quad.object))


def key_graph_subject(quad: ox.Quad) -> SortKey:
    """Grouped by graph, then subject, ``rdf:type`` first (TriG, JSON-LD)."""
    predicate, graph = quad.predicate, quad.graph_name
    rank = "0" if predicate.value == _RDF_TYPE else "1"
    name = "" if type(graph) is ox.DefaultGraph else str(graph)
    return (name, str(quad.subject), rank, str(predicate), str(quad.object))


# -- blank nodes ----------------------------------------------------------------------


def _has_blank(quad: ox.Quad) -> bool:
    blank = ox.BlankNode
    return (
        type(quad.subject) is blank or type(quad.object) is blank or type(quad.graph_name) is blank
    )


def canonical_quads(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads with blank nodes relabelled by RDFC-1.0 (``_:c14n0``, ``_:c14n1`` …).

    Quads without blank nodes stream through unchanged; those with blank nodes are
    collected and canonicalised together at the end (RDFC-1.0 labels depend only on the
    quads that mention blank nodes, so this gives the labels of the whole dataset).
    RDFC-1.0 is exponential in the worst case (highly symmetric blank-node graphs).

    >>> q = ox.Quad(ox.BlankNode("x"), ox.NamedNode("https://e.org/p"), ox.Literal("v"))
    >>> [str(c.subject) for c in canonical_quads([q])]
    ['_:c14n0']
    """
    blank: list[ox.Quad] = []
    for quad in quads:
        if _has_blank(quad):
            blank.append(quad)
        else:
            yield quad
    if blank:
        yield from canonicalize(blank)


# -- sorting --------------------------------------------------------------------------


def sorted_quads(
    quads: Iterable[ox.Quad],
    key: Callable[[ox.Quad], SortKey] = key_spog,
    *,
    chunk_size: int = SORT_CHUNK,
) -> Iterator[ox.Quad]:
    """The quads sorted by ``key``, with memory for ``chunk_size`` quads at most.

    Runs of ``chunk_size`` quads are sorted in memory and spilled to temporary N-Quads
    files, then merged lazily (a k-way external merge sort). Equal keys stay in input
    order within a run.

    >>> p = ox.NamedNode("https://e.org/p")
    >>> qs = [ox.Quad(ox.NamedNode(f"https://e.org/{c}"), p, ox.Literal(c)) for c in "dcba"]
    >>> [q.subject.value[-1] for q in sorted_quads(qs, chunk_size=3)]
    ['a', 'b', 'c', 'd']
    """
    return (quad for _, quad in _sorted_keyed(quads, key, chunk_size))


def _sorted_keyed(
    quads: Iterable[ox.Quad], key: Callable[[ox.Quad], SortKey], chunk_size: int
) -> Iterator[tuple[SortKey, ox.Quad]]:
    """``(key, quad)`` pairs sorted by key; each key is computed once in memory."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    by_key = itemgetter(0)
    iterator = iter(quads)
    first: list[tuple[SortKey, ox.Quad]] = []
    for quad in iterator:
        first.append((key(quad), quad))
        if len(first) >= chunk_size:
            break
    else:
        first.sort(key=by_key)
        yield from first
        return
    with tempfile.TemporaryDirectory(prefix="filmkg-sort-") as tmp:
        runs: list[Path] = []

        def spill(chunk: list[tuple[SortKey, ox.Quad]]) -> None:
            chunk.sort(key=by_key)
            path = Path(tmp) / f"run-{len(runs):06d}.nq"
            ox.serialize((quad for _, quad in chunk), str(path), ox.RdfFormat.N_QUADS)
            runs.append(path)

        spill(first)
        chunk: list[tuple[SortKey, ox.Quad]] = []
        for quad in iterator:
            chunk.append((key(quad), quad))
            if len(chunk) >= chunk_size:
                spill(chunk)
                chunk = []
        if chunk:
            spill(chunk)
        del first, chunk
        streams = [
            ((key(q), q) for q in ox.parse(path=str(run), format=ox.RdfFormat.N_QUADS))
            for run in runs
        ]
        yield from heapq.merge(*streams, key=by_key)


def _unique(pairs: Iterable[tuple[SortKey, ox.Quad]]) -> Iterator[tuple[SortKey, ox.Quad]]:
    """Drop pairs whose key equals the previous one's (input sorted by key)."""
    previous: object = None
    for pair in pairs:
        if pair[0] != previous:
            previous = pair[0]
            yield pair


def _ordered(
    quads: Iterable[ox.Quad], key: Callable[[ox.Quad], SortKey], chunk_size: int
) -> Iterator[ox.Quad]:
    """Sorted by ``key``, one quad per key."""
    return (quad for _, quad in _unique(_sorted_keyed(quads, key, chunk_size)))


def _write_lines(keyed: Iterable[tuple[SortKey, ox.Quad]], out: BinaryIO) -> None:
    """Canonical N-Triples / N-Quads: each key is the statement (pyoxigraph's canonical form)."""
    batch: list[str] = []
    previous: object = None
    for line, _ in keyed:
        if line != previous:
            previous = line
            batch.append(f"{line} .\n")
            if len(batch) >= 8192:
                out.write("".join(batch).encode())
                batch = []
    out.write("".join(batch).encode())


# -- writers --------------------------------------------------------------------------


def _sorted_prefixes(prefixes: Mapping[str, str] | None) -> dict[str, str]:
    return dict(sorted((prefixes or {}).items()))


#: The base IRI of Turtle and TriG exports: the project's data IRIs are written relative.
PROJECT_BASE = "https://w3id.org/filmkg/id/"


def write_quads(
    quads: Iterable[ox.Quad],
    fmt: str | ExportFormat,
    out: BinaryIO,
    *,
    prefixes: Mapping[str, str] | None = None,
    base: str | None = None,
    jsonld_context: Mapping[str, object] | None = None,
    chunk_size: int = SORT_CHUNK,
) -> None:
    """Write ``quads`` deterministically to the binary stream ``out``.

    Triple-only formats (Turtle, N-Triples, RDF/XML) write the union of the graphs,
    each triple once. ``prefixes`` and ``base`` abbreviate IRIs in Turtle and TriG
    (``prefixes`` also name namespaces in RDF/XML). ``jsonld_context`` replaces the
    package's JSON-LD context.
    """
    spec = export_format(fmt)
    canonical = canonical_quads(quads)
    if spec.name == "jsonld":
        ordered = _ordered(canonical, key_graph_subject, chunk_size)
        document = jsonld.compact_quads(ordered, context=jsonld_context)
        out.write(jsonld.dumps(document))
        return
    bound = _sorted_prefixes(prefixes)
    if spec.name == "nquads":
        _write_lines(_sorted_keyed(canonical, key_spog, chunk_size), out)
    elif spec.name == "ntriples":
        _write_lines(_sorted_keyed(canonical, key_spo, chunk_size), out)
    elif spec.name == "trig":
        _write_turtle(
            _ordered(canonical, key_graph_subject, chunk_size), out, bound, base, dataset=True
        )
    elif spec.name == "turtle":
        _write_turtle(_ordered(canonical, key_subject, chunk_size), out, bound, base, dataset=False)
    elif spec.name == "rdfxml":
        _write_rdfxml(_ordered(canonical, key_subject, chunk_size), out, bound)
    else:  # pragma: no cover - EXPORT_FORMATS and this function are kept in step
        raise AssertionError(spec.name)


def serialize(
    quads: Iterable[ox.Quad],
    fmt: str | ExportFormat,
    *,
    prefixes: Mapping[str, str] | None = None,
    base: str | None = None,
    chunk_size: int = SORT_CHUNK,
) -> bytes:
    """``quads`` written in ``fmt``, as bytes (see :func:`write_quads`)."""
    buffer = io.BytesIO()
    write_quads(quads, fmt, buffer, prefixes=prefixes, base=base, chunk_size=chunk_size)
    return buffer.getvalue()


# -- Turtle and TriG ------------------------------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: A prefixed name's local part that needs no escapes (a conservative subset of PN_LOCAL).
_PN_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?")
#: A relative reference that resolves against the base to exactly base + itself.
_RELATIVE = re.compile(r"[A-Za-z0-9_~\-][A-Za-z0-9_~.\-]*(?:/[A-Za-z0-9_~.\-]+)*")
_BARE_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_INDENT = "    "


class _Abbreviator:
    """Writes terms in Turtle: prefixed names, relative IRIs, bare numbers and booleans."""

    def __init__(self, prefixes: Mapping[str, str], base: str | None) -> None:
        self.base = base
        self.namespaces = sorted(
            ((ns, p) for p, ns in prefixes.items() if ns != base),
            key=lambda item: (-len(item[0]), item[1]),
        )
        self.cache: dict[str, str] = {}

    def iri(self, value: str) -> str:
        text = self.cache.get(value)
        if text is None:
            if len(self.cache) > 100_000:
                self.cache.clear()
            text = self.cache[value] = self._iri(value)
        return text

    def _iri(self, value: str) -> str:
        for namespace, prefix in self.namespaces:
            if value.startswith(namespace) and _PN_LOCAL.fullmatch(value[len(namespace) :]):
                return f"{prefix}:{value[len(namespace) :]}"
        if self.base and value.startswith(self.base):
            relative = value[len(self.base) :]
            if _RELATIVE.fullmatch(relative) and not {".", ".."} & set(relative.split("/")):
                return f"<{relative}>"
        return f"<{value}>"

    def term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return str(term)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return str(term)
            value = term.value
            if (
                datatype == _XSD + "integer" and _BARE_INTEGER.fullmatch(value) and value != "-0"
            ) or (datatype == _XSD + "boolean" and value in ("true", "false")):
                return value
            return f"{ox.Literal(value)}^^{self.iri(datatype)}"
        return str(term)


def _write_turtle(
    quads: Iterable[ox.Quad],
    out: BinaryIO,
    prefixes: Mapping[str, str],
    base: str | None,
    *,
    dataset: bool,
) -> None:
    """Turtle (or TriG): one block per subject, ``rdf:type`` first, one object per line.

    Input is sorted by (graph,) subject, predicate, object. The writer streams.
    """
    terms = _Abbreviator(prefixes, base)
    header = [f"@base <{base}> .\n"] if base else []
    header += [f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()) if ns != base]
    out.write("".join(header).encode())
    chunks: list[str] = []
    graph: object = None
    subject: object = None
    predicate: object = None
    indent = ""
    for quad in quads:
        if dataset and quad.graph_name != graph:
            if subject is not None:
                chunks.append(" .\n")
            if graph is not None and not isinstance(graph, ox.DefaultGraph):
                chunks.append("}\n")
            graph, subject = quad.graph_name, None
            if isinstance(graph, ox.DefaultGraph):
                indent = ""
            else:
                chunks.append(f"\n{terms.term(graph)} {{\n")
                indent = _INDENT
        if quad.subject != subject:
            if subject is not None:
                chunks.append(" .\n")
            subject, predicate = quad.subject, quad.predicate
            chunks.append(f"\n{indent}{terms.term(subject)} {_predicate(terms, predicate)} ")
        elif quad.predicate != predicate:
            predicate = quad.predicate
            chunks.append(f" ;\n{indent}{_INDENT}{_predicate(terms, predicate)} ")
        else:
            chunks.append(f" ,\n{indent}{_INDENT * 2}")
        chunks.append(terms.term(quad.object))
        if len(chunks) > 4096:
            out.write("".join(chunks).encode())
            chunks = []
    if subject is not None:
        chunks.append(" .\n")
    if dataset and graph is not None and not isinstance(graph, ox.DefaultGraph):
        chunks.append("}\n")
    out.write("".join(chunks).encode())


def _predicate(terms: _Abbreviator, predicate: ox.NamedNode) -> str:
    return "a" if predicate.value == _RDF_TYPE else terms.iri(predicate.value)


# -- RDF/XML --------------------------------------------------------------------------

# XML 1.0 ``Char``: what an XML document can hold at all (even as a character reference).
_XML_BAD_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHAR = _NAME_START + "\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
#: The local part of a property element name: the longest NCName at the end of the IRI.
_LOCAL_NAME = re.compile(f"[{_NAME_START}][{_NAME_CHAR}]*$")
_RDF_NOT_PROPERTIES = frozenset(
    _RDF + n
    for n in (
        "RDF", "Description", "ID", "about", "bagID", "parseType", "resource", "nodeID",
        "datatype", "li", "aboutEach", "aboutEachPrefix",
    )
)  # fmt: skip


def _xml_checked(text: str, what: str) -> str:
    bad = _XML_BAD_CHAR.search(text)
    if bad:
        raise ExportError(
            f"cannot write {what} in RDF/XML: it holds the character U+{ord(bad.group()):04X}, "
            "which XML 1.0 cannot represent",
            hint="export as Turtle, N-Triples, N-Quads, TriG or JSON-LD instead",
        )
    return text


def _xml_attr(text: str, what: str) -> str:
    return (
        _xml_checked(text, what)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _xml_text(text: str, what: str) -> str:
    # \r must be a character reference: XML parsers turn a raw CR (or CR LF) into LF.
    return (
        _xml_checked(text, what)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


def _write_rdfxml(triples: Iterable[ox.Quad], out: BinaryIO, prefixes: Mapping[str, str]) -> None:
    """Plain, streaming RDF/XML: one ``rdf:Description`` per subject, sorted.

    Every triple is written as a property element (no typed nodes, no nesting, no
    ``parseType``), so the mapping is exact and easy to read. Property IRIs whose namespace
    is not a bound prefix get a local ``xmlns:ns`` declaration.
    """
    namespaces = {"rdf": _RDF, **{p: ns for p, ns in prefixes.items() if p and p != "rdf"}}
    by_namespace = {ns: p for p, ns in sorted(namespaces.items(), reverse=True)}
    write = out.write
    write(b'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF')
    for prefix, ns in sorted(namespaces.items()):
        write(f'\n    xmlns:{prefix}="{_xml_attr(ns, "a namespace")}"'.encode())
    write(b">\n")
    for subject, group in groupby(triples, key=lambda q: q.subject):
        if isinstance(subject, ox.BlankNode):
            write(f'  <rdf:Description rdf:nodeID="{subject.value}">\n'.encode())
        elif isinstance(subject, ox.NamedNode):
            about = _xml_attr(subject.value, str(subject))
            write(f'  <rdf:Description rdf:about="{about}">\n'.encode())
        else:
            raise ExportError(f"cannot write the triple term {subject} in RDF/XML")
        for quad in group:
            write(_rdfxml_property(quad, by_namespace).encode())
        write(b"  </rdf:Description>\n")
    write(b"</rdf:RDF>\n")


def _rdfxml_property(quad: ox.Quad, by_namespace: Mapping[str, str]) -> str:
    iri = quad.predicate.value
    match = _LOCAL_NAME.search(iri)
    if match is None or iri in _RDF_NOT_PROPERTIES:
        raise ExportError(
            f"cannot write the property <{iri}> in RDF/XML: RDF/XML can only write property "
            "IRIs that end in an XML name",
            hint="export as Turtle, N-Triples, N-Quads, TriG or JSON-LD instead",
        )
    namespace, local = iri[: match.start()], match.group()
    prefix = by_namespace.get(namespace)
    if prefix is None:
        name, declare = f"ns:{local}", f' xmlns:ns="{_xml_attr(namespace, iri)}"'
    else:
        name, declare = f"{prefix}:{local}", ""
    obj = quad.object
    what = f"a value of <{iri}>"
    if isinstance(obj, ox.NamedNode):
        return f'    <{name}{declare} rdf:resource="{_xml_attr(obj.value, what)}"/>\n'
    if isinstance(obj, ox.BlankNode):
        return f'    <{name}{declare} rdf:nodeID="{obj.value}"/>\n'
    if isinstance(obj, ox.Literal):
        if obj.language:
            attr = f' xml:lang="{_xml_attr(obj.language, what)}"'
        elif obj.datatype.value != _XSD_STRING:
            attr = f' rdf:datatype="{_xml_attr(obj.datatype.value, what)}"'
        else:
            attr = ""
        return f"    <{name}{declare}{attr}>{_xml_text(obj.value, what)}</{name}>\n"
    raise ExportError(f"cannot write the triple term {obj} in RDF/XML")


# -- streaming a store ----------------------------------------------------------------


class _Directives:
    """A writer that drops the ``@prefix`` / ``@base`` lines pyoxigraph writes first.

    :func:`dump_store` writes one header itself (sorted, like the sorted exports) and
    dumps graph after graph through this filter, so the document has one header.
    """

    _HEADS = (b"@prefix ", b"@base ")

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.head = True
        self.pending = b""

    def write(self, data: bytes) -> int:
        if not self.head:
            return self.out.write(data)
        self.pending += data
        while self.pending:
            if self.pending.startswith(self._HEADS):
                end = self.pending.find(b"\n")
                if end < 0:
                    return len(data)
                self.pending = self.pending[end + 1 :]
            elif any(h.startswith(self.pending) for h in self._HEADS):
                return len(data)  # too short to tell yet
            else:
                self.head = False
                self.out.write(self.pending)
                self.pending = b""
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the caller flushes the real output."""


class _InGraph:
    """A writer that turns N-Triples lines into N-Quads lines of one graph.

    Every N-Triples line pyoxigraph writes ends in `` .\\n`` and holds no other newline
    (literals escape theirs), so the graph name goes before each `` .\\n``; a line cut
    between two writes waits for its end.
    """

    def __init__(self, out: BinaryIO, graph: ox.NamedNode | ox.BlankNode) -> None:
        self.out = out
        self.suffix = f" {graph} .\n".encode()
        self.pending = b""

    def write(self, data: bytes) -> int:
        text = self.pending + data
        cut = text.rfind(b"\n") + 1
        self.pending = text[cut:]
        if cut:
            self.out.write(text[:cut].replace(b" .\n", self.suffix))
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the caller flushes the real output."""

    def close(self) -> None:
        if self.pending:  # pragma: no cover - pyoxigraph ends every line
            raise ExportError("the store dump ended in the middle of a line")


def _store_graphs(
    kg: KnowledgeGraph, *, inferred: bool
) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    """The graphs a store export writes: the default graph if it has triples, then the
    named graphs sorted by name (without the inferred graph when ``inferred`` is false)."""
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = []
    if next(kg.match(None, None, None, ox.DefaultGraph()), None):
        graphs.append(ox.DefaultGraph())
    excluded = "" if inferred else _inferred_graph()
    graphs += sorted((g for g in kg.graph_nodes() if g.value != excluded), key=str)
    return graphs


def dump_store(
    kg: KnowledgeGraph,
    fmt: str | ExportFormat,
    out: BinaryIO,
    *,
    inferred: bool = True,
    prefixes: Mapping[str, str] | None = None,
    base: str | None = None,
) -> None:
    """Stream the store of ``kg`` to ``out`` in its own index order (big stores).

    pyoxigraph's serialisers write each graph straight from the store (Rust, constant
    memory, as fast as ``Store.dump``): the default graph first if it has triples, then
    the named graphs sorted by name, each in the store's index order. N-Quads keeps the
    graphs; N-Triples and Turtle write them one after the other (a triple in two graphs is
    written twice: the same graph once parsed); TriG writes one block per graph. Turtle and
    TriG get one header with ``prefixes`` and ``base``. Not canonical: see the export docs
    for what stays byte-identical. Only :data:`STREAM_FORMATS` stream.

    >>> from filmkg.engines.store import KnowledgeGraph
    >>> kg = KnowledgeGraph()
    >>> e = "https://e.org/"
    >>> kg.add_quads([ox.Quad(ox.NamedNode(e + "a"), ox.NamedNode(e + "p"), ox.Literal("1"),
    ...                       ox.NamedNode(e + "g"))])
    >>> out = io.BytesIO()
    >>> dump_store(kg, "nquads", out)
    >>> print(out.getvalue().decode(), end="")
    <https://e.org/a> <https://e.org/p> "1" <https://e.org/g> .
    >>> out = io.BytesIO()
    >>> dump_store(kg, "turtle", out, prefixes={"ex": e})
    >>> print(out.getvalue().decode(), end="")
    @prefix ex: <https://e.org/> .
    ex:a ex:p "1" .
    """
    spec = export_format(fmt)
    if spec.name not in STREAM_FORMATS:
        raise UsageError(
            f"{spec.label} cannot be streamed from a store",
            hint="use --order sorted, or one of " + ", ".join(STREAM_FORMATS),
        )
    graphs = _store_graphs(kg, inferred=inferred)
    if spec.name == "ntriples":
        for graph in graphs:
            kg.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=graph)
        return
    if spec.name == "nquads":
        for graph in graphs:
            if isinstance(graph, ox.DefaultGraph):
                kg.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=graph)
            else:
                writer = _InGraph(out, graph)
                kg.dump(cast(BinaryIO, writer), ox.RdfFormat.N_TRIPLES, from_graph=graph)
                writer.close()
        return
    bound = {p: ns for p, ns in _sorted_prefixes(prefixes).items() if ns != base}
    header = [f"@base <{base}> .\n"] if base else []
    header += [f"@prefix {p}: <{ns}> .\n" for p, ns in bound.items()]
    out.write("".join(header).encode())
    terms = _Abbreviator(bound, base)
    for graph in graphs:
        named = spec.name == "trig" and not isinstance(graph, ox.DefaultGraph)
        if named:
            out.write(f"{terms.term(graph)} {{\n".encode())  # type: ignore[arg-type]
        kg.dump(
            cast(BinaryIO, _Directives(out)),
            ox.RdfFormat.TURTLE,
            from_graph=graph,
            prefixes=bound or None,
            base_iri=base,
        )
        if named:
            out.write(b"}\n")


def choose_order(
    kg: KnowledgeGraph,
    fmt: str | ExportFormat,
    order: Order = "auto",
    *,
    profile: Profile = "full",
    frame: str | None = None,
) -> Literal["sorted", "store"]:
    """Resolve ``order``: ``auto`` streams (``store``) an on-disk store of more than
    :data:`STREAM_THRESHOLD` quads in a format that streams, else sorts.

    ``store`` on what cannot stream (a profile, a frame, JSON-LD or RDF/XML) is a
    :class:`UsageError`.

    >>> from filmkg.engines.store import KnowledgeGraph
    >>> choose_order(KnowledgeGraph(), "nt")
    'sorted'
    >>> choose_order(KnowledgeGraph(), "jsonld", "store")
    Traceback (most recent call last):
    ...
    filmkg.errors.UsageError: JSON-LD cannot be streamed from a store; use --order sorted, ...
    """
    if order not in ORDERS:
        raise UsageError(f"unknown export order {order!r}", hint=f"use one of {', '.join(ORDERS)}")
    spec = export_format(fmt)
    if order == "sorted":
        return "sorted"
    streams = spec.name in STREAM_FORMATS and profile == "full" and frame is None
    if order == "store":
        if spec.name not in STREAM_FORMATS:
            raise UsageError(
                f"{spec.label} cannot be streamed from a store",
                hint="use --order sorted, or one of " + ", ".join(STREAM_FORMATS),
            )
        if not streams:
            raise UsageError(
                "--order store writes the full graph as stored",
                hint="leave out --profile and --frame, or use --order sorted",
            )
        return "store"
    big = kg.path is not None and streams and len(kg) > STREAM_THRESHOLD
    return "store" if big else "sorted"


# -- the knowledge graph --------------------------------------------------------------


def export_quads(
    kg: KnowledgeGraph,
    *,
    profile: Profile = "full",
    inferred: bool = True,
    graphs: Sequence[str] | None = None,
) -> Iterator[ox.Quad]:
    """The quads an export of ``kg`` writes, for a profile (unsorted, streamed).

    ``full`` is every quad of every graph; ``inferred=False`` leaves out the graph of
    inferred triples; ``graphs`` keeps only the named graphs listed. ``wikidata`` and
    ``schema`` rewrite the facts with those vocabularies (see :mod:`filmkg.export.profiles`).
    """
    if profile not in PROFILES:
        raise UsageError(
            f"unknown export profile {profile!r}", hint=f"use one of {', '.join(PROFILES)}"
        )
    excluded = set() if inferred else {_inferred_graph()}
    keep = None if graphs is None else {str(g) for g in graphs}

    def selected() -> Iterator[ox.Quad]:
        if not excluded and keep is None:
            yield from kg.match()
            return
        names: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        names += sorted(kg.graph_nodes(), key=str)
        for name in names:
            value = "" if type(name) is ox.DefaultGraph else name.value  # type: ignore[union-attr]
            if value not in excluded and (keep is None or value in keep):
                yield from kg.match(None, None, None, name)

    if profile == "full":
        return selected()
    if not inferred or graphs is not None:
        raise UsageError(
            f"the {profile} profile is built from the whole graph and its derived shortcuts",
            hint="leave out --no-inferred",
        )

    return profiles.apply(profile, kg)


def framing_quads(kg: KnowledgeGraph, *, inferred: bool = True) -> Iterator[ox.Quad]:
    """What framed views show: the asserted data and the ``filmkg:`` shortcuts.

    Left out: the ontology graph, and the inferred super-types and schema.org / Wikidata
    copies of the shortcuts (the full exports and the profiles have them), so that a
    film reads ``"director": …`` once, not three times.
    """
    ontology, derived = _ontology_graph(), _inferred_graph()
    for quad in kg.match():
        name = quad.graph_name
        value = name.value if isinstance(name, ox.NamedNode | ox.BlankNode) else ""
        if value == ontology:
            continue
        if value == derived and (
            not inferred
            or quad.predicate.value == _RDF_TYPE
            or not quad.predicate.value.startswith(_FILMKG)
        ):
            continue
        yield quad


def _ontology_graph() -> str:
    return str(ONTOLOGY_GRAPH)


def _inferred_graph() -> str:
    return str(INFERRED_GRAPH)


def _project_prefixes() -> dict[str, str]:
    return dict(PREFIXES)


def write_export(
    kg: KnowledgeGraph,
    fmt: str | ExportFormat,
    out: BinaryIO,
    *,
    profile: Profile = "full",
    inferred: bool = True,
    frame: str | None = None,
    prefixes: Mapping[str, str] | None = None,
    chunk_size: int = SORT_CHUNK,
    order: Order = "sorted",
) -> None:
    """Write an export of ``kg`` to the binary stream ``out``.

    ``frame`` (JSON-LD only) names a frame shipped with the package, e.g. ``"film"``:
    the framed view nests credits, releases, rights and evidence under each film.
    ``order`` is ``sorted`` (canonical), ``store`` (streamed in the store's index order by
    :func:`dump_store`) or ``auto`` (see :func:`choose_order`).
    """
    spec = export_format(fmt)
    with progress.task(f"exporting {spec.label}", unit="bytes") as step:
        if progress.enabled():
            out = cast(BinaryIO, progress.CountingWriter(out, step))
        _write_export(kg, spec, out, profile, inferred, frame, prefixes, chunk_size, order)


def _write_export(
    kg: KnowledgeGraph,
    spec: ExportFormat,
    out: BinaryIO,
    profile: Profile,
    inferred: bool,
    frame: str | None,
    prefixes: Mapping[str, str] | None,
    chunk_size: int,
    order: Order,
) -> None:
    if choose_order(kg, spec, order, profile=profile, frame=frame) == "store":
        dump_store(
            kg,
            spec,
            out,
            inferred=inferred,
            prefixes=_project_prefixes() if prefixes is None else prefixes,
            base=PROJECT_BASE if prefixes is None else None,
        )
        return
    if frame is not None:
        if spec.name != "jsonld":
            raise UsageError(
                f"--frame needs the JSON-LD format, not {spec.label}", hint="use -f jsonld"
            )
        if profile != "full":
            raise UsageError("--frame works on the full graph", hint="leave out --profile")

        quads = canonical_quads(framing_quads(kg, inferred=inferred))
        ordered = _ordered(quads, key_graph_subject, chunk_size)
        out.write(jsonld.dumps(jsonld.frame_quads(ordered, frame)))
        return
    quads = export_quads(kg, profile=profile, inferred=inferred)
    write_quads(
        quads,
        spec,
        out,
        prefixes=_project_prefixes() if prefixes is None else prefixes,
        base=PROJECT_BASE if prefixes is None else None,
        chunk_size=chunk_size,
    )


def export_to_path(
    kg: KnowledgeGraph,
    path: str | Path,
    fmt: str | ExportFormat | None = None,
    **options: object,
) -> Path:
    """Write an export of ``kg`` to ``path`` atomically (format guessed from the extension)."""
    spec = export_format(fmt, path)
    with atomic_open(path) as handle:
        write_export(kg, spec, handle, **options)  # type: ignore[arg-type]
    return Path(path)


def export_to_stream(
    kg: KnowledgeGraph, out: BinaryIO, fmt: str | ExportFormat, **options: object
) -> None:
    """Write an export of ``kg`` to ``out`` only once it is complete (nothing half-written)."""
    with tempfile.SpooledTemporaryFile(max_size=64 * 2**20) as spool:
        write_export(kg, fmt, spool, **options)  # type: ignore[arg-type]
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    out.flush()


#: dist/ file name → (format, options) written by :func:`write_all`.
DIST_FILES: dict[str, tuple[str, dict[str, object]]] = {
    "filmkg.ttl": ("turtle", {}),
    "filmkg.nt": ("ntriples", {}),
    "filmkg.nq": ("nquads", {}),
    "filmkg.trig": ("trig", {}),
    "filmkg.jsonld": ("jsonld", {}),
    "filmkg.rdf": ("rdfxml", {}),
    "films.framed.jsonld": ("jsonld", {"frame": "film"}),
    "filmkg-wikidata.ttl": ("turtle", {"profile": "wikidata"}),
    "filmkg-wikidata.nt": ("ntriples", {"profile": "wikidata"}),
    "filmkg-schema.ttl": ("turtle", {"profile": "schema"}),
    "filmkg-schema.jsonld": ("jsonld", {"profile": "schema"}),
}


def write_all(kg: KnowledgeGraph, out_dir: str | Path) -> list[Path]:
    """Write every export of ``kg`` into ``out_dir`` (each file atomically); return the paths.

    The files are listed in :data:`DIST_FILES`. Nothing is fetched from the network.
    """
    folder = Path(out_dir)
    written: list[Path] = []
    small = len(kg) <= SORT_CHUNK  # then each profile's quads are read and canonicalised once
    snapshots: dict[str, list[ox.Quad]] = {}
    for name, (fmt, options) in DIST_FILES.items():
        profile = cast("Profile", options.get("profile", "full"))
        if not small or "frame" in options:
            written.append(export_to_path(kg, folder / name, fmt, **options))
            continue
        if profile not in snapshots:
            snapshots[profile] = list(canonical_quads(export_quads(kg, profile=profile)))
        spec = export_format(fmt)
        with (
            atomic_open(folder / name) as handle,
            progress.task(f"exporting {spec.label}", unit="bytes") as step,
        ):
            out = (
                cast(BinaryIO, progress.CountingWriter(handle, step))
                if progress.enabled()
                else handle
            )
            write_quads(snapshots[profile], spec, out, prefixes=dict(PREFIXES), base=PROJECT_BASE)
        written.append(folder / name)
    return written
