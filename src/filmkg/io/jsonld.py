"""JSON-LD 1.1: the shipped context, an offline document loader, compaction and framing.

The context (``ontology/context.jsonld``) is generated from the ontology by
:func:`build_context`: every class and property of ``filmkg:`` gets a readable term
(``director``, ``cast``, ``basedOn``, ``role``, ``evidence``, ``quote`` …), with its value type
(``@id`` for links, ``xsd:date`` for dates …), plus the project prefixes and reverse terms
that nest what is *about* a film under it (``credits``, ``releases``, ``rights`` …). A test
regenerates it and checks that the shipped file has no difference.

No JSON-LD document is ever fetched: pyld's document loader is replaced by
:func:`document_loader`, which serves the bundled context (at :data:`CONTEXT_URL`) and
refuses everything else. Written documents embed the whole context, so any JSON-LD
processor reads them offline too.

>>> import pyoxigraph as ox
>>> q = ox.Quad(ox.NamedNode("https://w3id.org/filmkg/id/film/here-2024"),
...             ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Here"))
>>> doc = compact_quads([q])
>>> doc["id"], doc["label"]
('kg:film/here-2024', 'Here')
>>> document_loader("https://e.org/x")
Traceback (most recent call last):
...
filmkg.errors.ForbiddenOperationError: JSON-LD context <https://e.org/x> is not fetched ...
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from filmkg.errors import ExportError, FilmKGError, ForbiddenOperationError, UsageError
from filmkg.io import framing
from filmkg.rdf.namespaces import PREFIXES
from filmkg.resources import ontology_dir, ontology_file

__all__ = [
    "CONTEXT_URL",
    "FRAMES",
    "build_context",
    "compact_quads",
    "context",
    "document_loader",
    "dumps",
    "expanded_from_quads",
    "frame_quads",
    "load_frame",
    "offline_document_loader",
]

#: The IRI of the filmkg JSON-LD context; served from the package, never fetched.
CONTEXT_URL = "https://w3id.org/filmkg/context.jsonld"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_TYPE = _RDF + "type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_FILMKG = "https://w3id.org/filmkg/ontology#"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"

JsonObject = dict[str, Any]

# -- the context ----------------------------------------------------------------------

#: Readable names that differ from the ontology's local names.
TERM_OVERRIDES: dict[str, str] = {"castMember": "cast"}

#: Properties whose compacted values are always arrays (a fact may have several quotes).
SET_TERMS = frozenset({"evidence"})

#: Prefixes renamed in JSON-LD, where a term of the ontology has the prefix's name.
PREFIX_RENAMES: dict[str, str] = {"role": "creditrole"}

#: Terms for other vocabularies' properties that the data uses everywhere.
COMMON_TERMS: dict[str, JsonObject | str] = {
    "label": "rdfs:label",
    "comment": "rdfs:comment",
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "definition": "skos:definition",
    "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
    "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
}

#: Reverse terms: what points at a node, nested under it in framed views. Several terms
#: share ``filmkg:work``; :func:`frame_quads` sorts its values into them by type
#: (:data:`SPLIT_BY_TYPE`); a JSON-LD processor reads them all back as the same relation.
REVERSE_TERMS: dict[str, str] = {
    "assertions": "filmkg:work",
    "credits": "filmkg:work",
    "releases": "filmkg:work",
    "rights": "filmkg:work",
    "adaptations": "filmkg:work",
    "technologyUses": "filmkg:work",
    "stories": "filmkg:work",
    "reunions": "filmkg:laterWork",
    "laterReunions": "filmkg:earlierWork",
    "statements": "filmkg:about",
    "characterisations": "filmkg:subject",
}

#: Reverse key of ``filmkg:work`` for each assertion type (compact name), in that order.
SPLIT_BY_TYPE: dict[str, str] = {
    "Credit": "credits",
    "Release": "releases",
    "RightsGrant": "rights",
    "Adaptation": "adaptations",
    "TechnologyUse": "technologyUses",
    "StoryDescription": "stories",
}
_SPLIT_KEYS = frozenset(k for k, v in REVERSE_TERMS.items() if v == "filmkg:work")

#: Datatypes written as JSON natives (booleans, integers) instead of a coerced string.
_NATIVE = {_XSD + "boolean", _XSD + "integer"}


def build_context(ontology: Iterable[ox.Quad], prefixes: Mapping[str, str]) -> JsonObject:
    """The JSON-LD context document for an ontology (quads of ``ontology/filmkg.ttl``).

    >>> ttl = b'''@prefix filmkg: <https://w3id.org/filmkg/ontology#> .
    ... @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    ... filmkg:director a owl:ObjectProperty . filmkg:Film a owl:Class .
    ... filmkg:releaseDate a owl:DatatypeProperty ; rdfs:range xsd:date .'''
    >>> quads = ox.parse(ttl, format=ox.RdfFormat.TURTLE)
    >>> ctx = build_context(quads, {"filmkg": _FILMKG})["@context"]
    >>> ctx["director"]
    {'@id': 'filmkg:director', '@type': '@id'}
    >>> ctx["Film"], ctx["releaseDate"]
    ('filmkg:Film', {'@id': 'filmkg:releaseDate', '@type': 'xsd:date'})
    """
    types: dict[str, set[str]] = {}
    ranges: dict[str, set[str]] = {}
    for quad in ontology:
        s = quad.subject
        if not (isinstance(s, ox.NamedNode) and s.value.startswith(_FILMKG)):
            continue
        name = s.value[len(_FILMKG) :]
        if quad.predicate.value == _RDF_TYPE and isinstance(quad.object, ox.NamedNode):
            types.setdefault(name, set()).add(quad.object.value)
        elif quad.predicate.value == _RDFS + "range" and isinstance(quad.object, ox.NamedNode):
            ranges.setdefault(name, set()).add(quad.object.value)

    ctx: JsonObject = {"@version": 1.1, "id": "@id", "type": "@type"}
    ctx.update(sorted((PREFIX_RENAMES.get(p, p), ns) for p, ns in prefixes.items()))
    terms: JsonObject = {}
    for name in sorted(types):
        kinds = types[name]
        term = TERM_OVERRIDES.get(name, name)
        curie = f"filmkg:{name}"
        if _OWL + "Class" in kinds:
            terms[term] = curie
        elif kinds & {_OWL + "ObjectProperty", _OWL + "AnnotationProperty"}:
            terms[term] = {"@id": curie, "@type": "@id"}
            if name in SET_TERMS:
                terms[term]["@container"] = "@set"
        elif _OWL + "DatatypeProperty" in kinds:
            (datatype,) = ranges.get(name) or {""}
            if (
                datatype.startswith(_XSD)
                and datatype not in _NATIVE
                and datatype != _XSD + "string"
            ):
                terms[term] = {"@id": curie, "@type": "xsd:" + datatype[len(_XSD) :]}
            else:
                terms[term] = curie
    extra: JsonObject = {**COMMON_TERMS}
    extra.update({t: {"@reverse": iri, "@container": "@set"} for t, iri in REVERSE_TERMS.items()})
    for term, definition in sorted(extra.items()):
        if term in terms:
            msg = f"JSON-LD term {term!r} is defined twice (ontology and filmkg.jsonld)"
            raise ValueError(msg)
        terms[term] = definition
    clashes = sorted(terms.keys() & ctx.keys())
    if clashes:
        msg = f"JSON-LD terms {clashes} are also prefixes; add them to PREFIX_RENAMES"
        raise ValueError(msg)
    ctx.update(sorted(terms.items()))
    return {"@context": ctx}


def context_file() -> Path:
    """The shipped context, ``ontology/context.jsonld``."""
    return ontology_dir() / "context.jsonld"


@cache
def _context_text() -> str:
    text: str = context_file().read_text(encoding="utf-8")
    return text


def context() -> JsonObject:
    """The bundled context document (``{"@context": {...}}``), a fresh copy."""
    document: JsonObject = json.loads(_context_text())
    return document


def regenerate_context() -> str:
    """The text ``ontology/context.jsonld`` should have for the current ontology."""
    quads = ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
    return dumps(build_context(quads, PREFIXES)).decode("utf-8")


# -- the document loader --------------------------------------------------------------


def offline_document_loader(url: str, options: Mapping[str, Any] | None = None) -> Any:
    """A pyld ``documentLoader`` that loads nothing: pass it to every pyld call.

    pyld's default loader fetches remote ``@context`` URLs (and reads ``file:`` ones).

    >>> offline_document_loader("https://schema.org/")
    Traceback (most recent call last):
    ...
    filmkg.errors.ForbiddenOperationError: JSON-LD context <https://schema.org/> is not fetched ...
    """
    raise ForbiddenOperationError(
        f"JSON-LD context <{url}> is not fetched (filmkg makes no network request)",
        hint="inline the context: give its JSON object instead of the URL",
    )


def document_loader(url: str, options: object = None) -> JsonObject:
    """pyld document loader that serves only the bundled context and refuses everything else."""
    if url == CONTEXT_URL:
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": context(),
            "contentType": "application/ld+json",
        }
    return offline_document_loader(url)  # type: ignore[no-any-return]


def _options(**extra: Any) -> JsonObject:
    # with pyld, only for JSON-LD output
    from cachetools import LRUCache

    # heavy: pyld only for JSON-LD output
    from pyld.context_resolver import ContextResolver

    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(LRUCache(maxsize=16), document_loader),
        **extra,
    }


def _run(what: str, function: Any, *args: Any) -> Any:
    """Call a pyld function; turn its errors into filmkg errors."""
    # heavy: pyld only for JSON-LD output
    from pyld.jsonld import JsonLdError

    try:
        return function(*args)
    except JsonLdError as exc:
        cause: BaseException | None = exc
        details = []
        while cause is not None:
            if isinstance(cause, FilmKGError):
                raise cause from None
            if isinstance(cause, JsonLdError):
                details.append(str(cause.args[0] if cause.args else cause).strip())
            cause = cause.__cause__
        raise ExportError(f"JSON-LD {what} failed: {'; '.join(d for d in details if d)}") from None


# -- RDF → JSON-LD --------------------------------------------------------------------


def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


_CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,14})")


def _value(term: object) -> JsonObject:
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return {"@id": _node_id(term)}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == _XSD + "string":
            return {"@value": term.value}
        # JSON natives only where JSON-LD maps them back to exactly this literal.
        if datatype == _XSD + "boolean" and term.value in ("true", "false"):
            return {"@value": term.value == "true"}
        integer = datatype == _XSD + "integer" and term.value != "-0"
        if integer and _CANONICAL_INTEGER.fullmatch(term.value):
            return {"@value": int(term.value)}
        return {"@value": term.value, "@type": datatype}
    raise ExportError(
        f"cannot write {term} in JSON-LD 1.1 (RDF 1.2 triple terms are not supported)"
    )


def _sort_id(node_id: str) -> str:
    return node_id if node_id.startswith("_:") else f"<{node_id}>"


def expanded_from_quads(quads: Iterable[ox.Quad]) -> list[JsonObject]:
    """Expanded JSON-LD (a list of node objects, named graphs as ``@graph``) for ``quads``.

    The order follows the input; give quads sorted by graph and subject for stable output.

    >>> one = ox.Literal("1", datatype=ox.NamedNode(_XSD + "integer"))
    >>> g, p = ox.NamedNode("https://e.org/g"), ox.NamedNode("https://e.org/p")
    >>> expanded_from_quads([ox.Quad(ox.BlankNode("b"), p, one, g)])
    [{'@id': 'https://e.org/g', '@graph': [{'@id': '_:b', 'https://e.org/p': [{'@value': 1}]}]}]
    """
    graphs: dict[str, dict[str, JsonObject]] = {}
    for quad in quads:
        name = quad.graph_name
        graph_key = "" if isinstance(name, ox.DefaultGraph) else _node_id(name)
        nodes = graphs.setdefault(graph_key, {})
        subject = quad.subject
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            raise ExportError(f"cannot write {subject} in JSON-LD 1.1")
        subject_id = _node_id(subject)
        node = nodes.get(subject_id)
        if node is None:
            node = nodes[subject_id] = {"@id": subject_id}
        predicate, obj = quad.predicate.value, quad.object
        if predicate == _RDF_TYPE and isinstance(obj, ox.NamedNode | ox.BlankNode):
            node.setdefault("@type", []).append(_node_id(obj))
        else:
            node.setdefault(predicate, []).append(_value(obj))
    top = graphs.pop("", {})
    for graph_id, nodes in graphs.items():
        holder = top.get(graph_id)
        if holder is None:
            holder = top[graph_id] = {"@id": graph_id}
        holder["@graph"] = list(nodes.values())
    return sorted(top.values(), key=lambda n: _sort_id(n["@id"]))


def compact_quads(
    quads: Iterable[ox.Quad], *, context: Mapping[str, Any] | None = None
) -> JsonObject:
    """Compacted JSON-LD of ``quads`` with the bundled context (or ``context``), inline."""
    # heavy: pyld only for JSON-LD output
    from pyld import jsonld as pyld

    ctx = copy.deepcopy(dict(context)) if context is not None else globals()["context"]()
    quads = list(quads)
    _drop_confusable_prefixes(ctx, quads)
    expanded = expanded_from_quads(quads)
    options = _options(skipExpansion=True)
    try:  # pyld's term choices, our walk (see filmkg.io.framing): same document, faster
        compactor = framing.Compactor(pyld.JsonLdProcessor(), ctx, options)
        direct: JsonObject = _run("compaction", compactor.document, expanded)
        return direct
    except framing._NeedsPyldError:
        result: JsonObject = _run("compaction", pyld.compact, expanded, ctx, options)
        return result


def _iris(quads: Iterable[ox.Quad]) -> Iterator[str]:
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                yield term.value
            elif isinstance(term, ox.Literal):
                yield term.datatype.value


def _drop_confusable_prefixes(ctx: JsonObject, quads: Iterable[ox.Quad]) -> None:
    """Remove prefixes that would compact an IRI into something that expands differently.

    ``https://w3id.org/filmkg/id///x`` would compact to ``kg:///x``, which JSON-LD reads as
    an absolute IRI of scheme ``kg`` (a suffix starting with ``//`` is never a compact IRI);
    the prefix is left out of this document's context instead.
    """
    definitions = ctx["@context"]
    prefixes = {
        name: value
        for name, value in definitions.items()
        if isinstance(value, str) and not name.startswith("@") and value.endswith(("/", "#", ":"))
    }
    if not prefixes:
        return
    confusable: set[str] = set()
    starts = tuple(namespace + "//" for namespace in prefixes.values())
    for iri in set(_iris(quads)):
        if iri.startswith(starts):  # one test for all prefixes; which ones, only then
            confusable.update(n for n, ns in prefixes.items() if iri.startswith(ns + "//"))
    for name in confusable:
        del definitions[name]


# -- framing --------------------------------------------------------------------------

#: Frames shipped with the package: name → file under ``ontology/frames/``.
FRAMES: dict[str, str] = {"film": "film.jsonld"}


def load_frame(name: str) -> JsonObject:
    """A frame shipped with the package, by name (see :data:`FRAMES`).

    >>> load_frame("film")["@type"]
    'Film'
    """
    if name not in FRAMES:
        raise UsageError(f"no frame {name!r}", hint=f"use one of {', '.join(sorted(FRAMES))}")
    frame: JsonObject = json.loads(
        (ontology_dir() / "frames" / FRAMES[name]).read_text(encoding="utf-8")
    )
    return frame


def frame_quads(quads: Iterable[ox.Quad], frame: str) -> JsonObject:
    """Framed JSON-LD of ``quads`` in the shape of the shipped frame ``frame`` (e.g. ``"film"``).

    pyld frames the data; then two presentation steps keep the view readable and still
    valid JSON-LD with the same meaning for what it shows:

    * values of the shared reverse term of ``filmkg:work`` are sorted into ``credits``,
      ``releases``, ``rights`` … by their type (all are reverse ``filmkg:work`` terms);
    * only properties the frame names embed their objects; any other link is written as a
      reference (its IRI), so a person's sources or awards do not repeat everywhere.

    The output embeds the whole context.
    """
    # heavy: pyld only for JSON-LD output
    from pyld import jsonld as pyld

    frame_doc = load_frame(frame)
    quads = list(quads)
    try:
        graph = _frame_direct(pyld, quads, frame_doc)
    except framing._NeedsPyldError:
        graph = _frame_pyld(pyld, quads, frame_doc)
    ctx = context()["@context"]
    nodes = _split_reverse(graph)
    return {"@context": ctx, "@graph": [_prune(node, frame_doc, ctx) for node in nodes]}


def _frame_direct(pyld: Any, quads: list[ox.Quad], frame: JsonObject) -> list[JsonObject]:
    """The compacted ``@graph`` of :func:`_frame_pyld`, by :mod:`filmkg.io.framing` (13×
    faster on 200 films); :class:`framing._NeedsPyldError` when it does not apply."""
    compactor = framing.Compactor(pyld.JsonLdProcessor(), context(), _options())
    nodes = framing.merged_nodes(quads, _value)
    framed = framing.frame_nodes(nodes, frame, compactor)
    graph: list[JsonObject] = _run("framing", lambda: [compactor.node(n) for n in framed])
    return graph


def _frame_pyld(pyld: Any, quads: list[ox.Quad], frame: JsonObject) -> list[JsonObject]:
    """pyld's framing of ``quads`` (the reference; blank nodes, frames of other shapes)."""
    expanded = expanded_from_quads(quads)
    options = _options(embed="@never", omitGraph=False, omitDefault=True)
    framed = _run("framing", pyld.frame, expanded, copy.deepcopy(frame), options)
    graph: list[JsonObject] = framed.get("@graph", [])
    return graph


def _split_reverse(value: Any) -> Any:
    if isinstance(value, list):
        return [_split_reverse(v) for v in value]
    if not isinstance(value, dict):
        return value
    result = {k: _split_reverse(v) for k, v in value.items() if k not in _SPLIT_KEYS}
    collected = [item for k in sorted(_SPLIT_KEYS & value.keys()) for item in value[k]]
    groups: dict[str, list[Any]] = {}
    for item in collected:
        types = item.get("type", []) if isinstance(item, dict) else []
        types = [types] if isinstance(types, str) else types
        key = next((SPLIT_BY_TYPE[t] for t in SPLIT_BY_TYPE if t in types), "assertions")
        groups.setdefault(key, []).append(_split_reverse(item))
    for key, items in groups.items():
        result[key] = sorted(
            items, key=lambda i: str(i.get("id", "")) if isinstance(i, dict) else str(i)
        )
    return result


def _prune(node: Any, frame: Mapping[str, Any], ctx: Mapping[str, Any]) -> Any:
    """Collapse embedded nodes under properties the frame does not name into references."""
    if isinstance(node, list):
        return [_prune(n, frame, ctx) for n in node]
    if not isinstance(node, dict):
        return node
    result: JsonObject = {}
    for key, value in node.items():
        if key.startswith("@") or key in ("id", "type"):
            result[key] = value
            continue
        frame_key = "assertions" if key in _SPLIT_KEYS else key
        sub = frame.get(frame_key)
        if isinstance(sub, dict):
            result[key] = _prune(value, sub, ctx)
        else:
            result[key] = _collapse(value, _is_id_term(ctx.get(key)))
    return result


def _is_id_term(definition: Any) -> bool:
    return isinstance(definition, dict) and definition.get("@type") == "@id"


def _collapse(value: Any, id_term: bool) -> Any:
    if isinstance(value, list):
        return [_collapse(v, id_term) for v in value]
    if (
        isinstance(value, dict)
        and isinstance(value.get("id"), str)
        and not value["id"].startswith("_:")
    ):
        return value["id"] if id_term else {"id": value["id"]}
    return value


# -- output ---------------------------------------------------------------------------

_FIRST_KEYS = ("@context", "@version", "@id", "id", "@type", "type", "@value", "@language")


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = sorted(
            value, key=lambda k: (_FIRST_KEYS.index(k), "") if k in _FIRST_KEYS else (99, k)
        )
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def dumps(document: Any) -> bytes:
    """Stable JSON text: ``@context``, ``id``, ``type`` first, other keys sorted, UTF-8.

    >>> dumps({"b": 1, "id": "x", "@context": {}}).decode()
    '{\\n  "@context": {},\\n  "id": "x",\\n  "b": 1\\n}\\n'
    """
    text = json.dumps(_ordered(document), indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
