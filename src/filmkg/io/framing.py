"""JSON-LD compaction and framing of RDF quads without pyld's generic walk.

pyld compacts and frames any JSON-LD; for the documents filmkg writes (flat node
objects made from quads, the shipped context, the shipped frames) most of its time goes
to re-deciding the same term for the same IRI (``_compact_iri`` loops over every term
of the context) and, in framing, to finding the nodes that point at each film by
scanning every node of the graph once per film and reverse property. Here:

* term selection is still pyld's own (its ``_compact_iri`` and ``_compact_value`` on
  its processed context), asked once per distinct IRI and kind of value;
* the walk over nodes and values is ours, for the shapes that occur in these documents
  (node objects, values, references, named graphs, ``@reverse``);
* framing follows pyld's algorithm for frames of one type with reverse sub-frames
  (what ``ontology/frames/`` holds), with the nodes pointing at each node indexed once.

Same output as pyld, key for key and in the same order of values (tests/io compare both
on the project graph, a synthetic graph and generated graphs). Anything outside these
shapes (blank nodes, a frame using other features, a context with scoped contexts or
containers other than ``@set``) raises :class:`_NeedsPyldError`; the caller then runs pyld.

>>> from pyld import jsonld as pyld
>>> from filmkg.io.jsonld import _options, context
>>> compactor = Compactor(pyld.JsonLdProcessor(), context(), _options())
>>> compactor.node({"@id": "https://w3id.org/filmkg/id/film/here-2024",
...                 "@type": ["https://w3id.org/filmkg/ontology#Film"]})
{'id': 'kg:film/here-2024', 'type': 'Film'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

__all__ = ["Compactor", "frame_nodes", "merged_nodes"]

JsonObject = dict[str, Any]
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_NOT_CACHED = object()
_FRAME_KEYS = frozenset({"@context", "@type", "@embed"})
_TERM_KEYS = frozenset({"@id", "@type", "@container", "@reverse"})


class _NeedsPyldError(Exception):
    """The document or the frame uses something this module does not do: use pyld.

    Internal (caught by :mod:`filmkg.io.jsonld`, never reaches a user)."""


def _signature(value: Any, term_iris: set[str]) -> Any:
    """What of ``value`` pyld's term selection looks at (``_NOT_CACHED``: more than that).

    Of a node, only whether its IRI compacts to a term of that IRI (pyld's
    ``_select_term``), which needs the IRI to be one that a term maps to.
    """
    if value is None:
        return None
    if not isinstance(value, dict) or value.keys() & {"@list", "@graph", "@index", "@preserve"}:
        return _NOT_CACHED
    if "@value" in value:
        return (
            "v",
            value.get("@language"),
            value.get("@type"),
            value.get("@direction"),
            len(value),
        )
    node_id = value.get("@id")
    return ("n", node_id if node_id in term_iris else None)


def _check_context(ctx: Mapping[str, Any]) -> None:
    if ctx.keys() & {"@language", "@direction", "@base", "@propagate", "@import"}:
        raise _NeedsPyldError(f"context keywords {sorted(ctx.keys() & {'@language', '@base'})}")
    for term, definition in ctx.items():
        if isinstance(definition, dict) and not definition.keys() <= _TERM_KEYS:
            raise _NeedsPyldError(f"term {term!r} uses {sorted(definition)}")
        if isinstance(definition, dict) and definition.get("@container", "@set") != "@set":
            raise _NeedsPyldError(f"term {term!r} has a container other than @set")


class Compactor:
    """Compacts expanded node objects with one context, as pyld's ``compact`` does.

    ``processor`` is a ``pyld.jsonld.JsonLdProcessor``; ``options`` pyld's options (with
    the document loader). Term choices are remembered for the life of the object.
    """

    def __init__(self, processor: Any, context: Mapping[str, Any], options: JsonObject) -> None:
        inner = context.get("@context", context)
        if not isinstance(inner, dict) or not inner:
            raise _NeedsPyldError("the context is not one inline object")
        _check_context(inner)
        self.context = inner
        self.processor = processor
        self.options = {"base": "", "compactArrays": True, "link": False, **options}
        initial = processor._get_initial_context(self.options)
        self.active = processor.process_context(initial, dict(context), self.options)
        self._terms: dict[tuple[Any, ...], str] = {}
        mappings = self.active["mappings"]
        #: pyld's prefix terms (term, IRI): what an IRI outside the vocabulary compacts with
        self._prefixes = [
            (term, m["@id"])
            for term, m in mappings.items()
            if m and m.get("_prefix") and m.get("@id") and ":" not in term
        ]
        self._colon_terms = any(":" in term for term in mappings)
        #: IRIs some term maps to: the only references whose IRI term selection looks at
        self._term_iris = {m["@id"] for m in mappings.values() if m and m.get("@id")}
        self.id_key = self.iri("@id")
        self.value_key = self.iri("@value")
        self.language_key = self.iri("@language")
        self.type_key = self.iri("@type")
        self.graph_key = self.iri("@graph")

    def iri(self, iri: str, value: Any = None, *, vocab: bool = True, reverse: bool = False) -> str:
        """pyld's ``_compact_iri``, remembered by IRI and the kind of ``value``."""
        signature = _signature(value, self._term_iris)
        if signature is _NOT_CACHED:
            return str(self._compact_iri(iri, value, vocab, reverse))
        key = (iri, signature, vocab, reverse)
        term = self._terms.get(key)
        if term is None:
            term = self._terms[key] = str(self._compact_iri(iri, value, vocab, reverse))
        return term

    def _compact_iri(self, iri: str, value: Any, vocab: bool, reverse: bool) -> Any:
        base = None if vocab else self.options["base"]
        return self.processor._compact_iri(
            self.active, iri, value, vocab=vocab, base=base, reverse=reverse
        )

    def node_id(self, iri: str) -> str:
        """pyld's ``_compact_iri(iri, vocab=False)`` (an ``@id``): the shortest, then least,
        compact IRI of a prefix term; pyld itself when none applies (or a term of the
        context has a colon, which pyld's choice then also looks at)."""
        if self._colon_terms or iri.startswith("@"):
            return self.iri(iri, vocab=False)
        best = None
        for term, namespace in self._prefixes:
            if iri.startswith(namespace) and iri != namespace:
                curie = f"{term}:{iri[len(namespace) :]}"
                if best is None or (len(curie), curie) < (len(best), best):
                    best = curie
        return best if best is not None else self.iri(iri, vocab=False)

    def value(self, term: str, value: JsonObject) -> Any:
        """pyld's ``_compact_value`` for a value object or a reference under ``term``
        (contexts without a default language, ``@language`` or ``@direction`` terms)."""
        mapping = self.active["mappings"].get(term) or {}
        coerced = mapping.get("@type")
        if "@value" not in value:
            if coerced == "@vocab" or mapping.get("@id") == "@graph" or len(value) != 1:
                return self.processor._compact_value(self.active, term, value, self.options)
            compacted = self.node_id(value["@id"])
            return compacted if coerced == "@id" else {self.id_key: compacted}
        if value.keys() - {"@value", "@type", "@language"}:
            return self.processor._compact_value(self.active, term, value, self.options)
        if coerced != "@none" and (
            len(value) == 1 or ("@type" in value and value["@type"] == coerced)
        ):
            return value["@value"]
        if "@type" in value:
            return {self.type_key: self.iri(value["@type"]), self.value_key: value["@value"]}
        return {self.language_key: value["@language"], self.value_key: value["@value"]}

    def _container(self, term: str) -> bool:
        """Whether ``term`` is an ``@set`` (its values always an array)."""
        mapping = self.active["mappings"].get(term)
        return bool(mapping) and "@set" in (mapping.get("@container") or [])

    def _add(self, out: JsonObject, key: str, value: Any, as_array: bool) -> None:
        if key in out:
            if not isinstance(out[key], list):
                out[key] = [out[key]]
            out[key].append(value)
        else:
            out[key] = [value] if as_array else value

    def item(self, term: str | None, element: JsonObject) -> Any:
        """One expanded element (value, reference or node object) under ``term``."""
        if "@value" in element or element.keys() == {"@id"}:
            if term is None:
                raise _NeedsPyldError("a value at the top of the document")
            return self.value(term, element)
        return self.node(element)

    def node(self, element: JsonObject) -> JsonObject:
        """An expanded node object, its properties in pyld's order."""
        out: JsonObject = {}
        for prop, values in sorted(element.items()):
            if prop == "@id":
                out[self.id_key] = self.node_id(values)
            elif prop == "@type":
                types = [self.iri(t) for t in values]
                self._add_all(out, self.type_key, types[0] if len(types) == 1 else types)
            elif prop == "@reverse":
                self._reverse(out, values)
            elif prop == "@graph":  # always an array (pyld: expanded property @graph)
                out[self.graph_key] = [self.node(n) for n in values]
            elif prop.startswith("@"):
                raise _NeedsPyldError(f"keyword {prop}")
            else:
                self._property(out, prop, values, reverse=False)
        return out

    def _add_all(self, out: JsonObject, key: str, value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            self._add(out, key, item, as_array=False)

    def _property(self, out: JsonObject, prop: str, values: list[Any], *, reverse: bool) -> None:
        if not values:
            out.setdefault(self.iri(prop, [], reverse=reverse), [])
            return
        for element in values:
            term = self.iri(prop, element, reverse=reverse)
            self._add(out, term, self.item(term, element), self._container(term))

    def _reverse(self, out: JsonObject, reverse: Mapping[str, list[Any]]) -> None:
        compacted: JsonObject = {}
        for prop, values in sorted(reverse.items()):
            self._property(compacted, prop, values, reverse=True)
        for term, value in compacted.items():
            mapping = self.active["mappings"].get(term)
            if not (mapping and mapping["reverse"]):
                raise _NeedsPyldError(f"reverse property without a reverse term: {term}")
            for item in value if isinstance(value, list) else [value]:
                self._add(out, term, item, self._container(term))
            if isinstance(value, list) and not value:
                out.setdefault(term, [])

    def document(self, nodes: list[JsonObject], *, graph: bool = False) -> JsonObject:
        """The whole compacted document: ``@context`` (inline) and the nodes."""
        compacted = [self.node(n) for n in nodes]
        if graph or len(compacted) > 1:
            return {"@context": self.context, self.graph_key: compacted}
        return {"@context": self.context, **(compacted[0] if compacted else {})}


# -- the node map ---------------------------------------------------------------------------


def _id(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    raise _NeedsPyldError(f"{term} (blank nodes and triple terms are framed by pyld)")


def merged_nodes(quads: Iterable[ox.Quad], value: Any) -> dict[str, JsonObject]:
    """pyld's merged node map of ``quads``: every node (subjects and the IRIs they point
    at) with the values of all graphs, in pyld's order (graphs by name, then nodes by IRI;
    values in the order of ``quads`` within a graph). ``value`` makes a value object
    (:func:`filmkg.io.jsonld._value`)."""
    graphs: dict[str, dict[str, JsonObject]] = {"@default": {}}
    for quad in quads:
        name = quad.graph_name
        key = "@default" if isinstance(name, ox.DefaultGraph) else _id(name)
        if key != "@default":
            graphs["@default"].setdefault(key, {"@id": key})
        nodes = graphs.setdefault(key, {})
        subject = _id(quad.subject)
        node = nodes.setdefault(subject, {"@id": subject})
        predicate, obj = quad.predicate.value, quad.object
        if predicate == _RDF_TYPE and isinstance(obj, ox.NamedNode | ox.BlankNode):
            node.setdefault("@type", []).append(_id(obj))
            continue
        if isinstance(obj, ox.NamedNode | ox.BlankNode):
            target = _id(obj)
            nodes.setdefault(target, {"@id": target})
            node.setdefault(predicate, []).append({"@id": target})
        else:
            node.setdefault(predicate, []).append(value(obj))
    merged: dict[str, JsonObject] = {}
    seen: dict[str, set[Any]] = {}
    for _, nodes in sorted(graphs.items()):
        for node_id, node in sorted(nodes.items()):
            into = merged.setdefault(node_id, {"@id": node_id})
            for prop, values in sorted(node.items()):
                if prop == "@id":
                    continue
                known = seen.setdefault(f"{node_id} {prop}", set())
                target = into.setdefault(prop, [])
                for item in values:
                    mark = item if isinstance(item, str) else tuple(sorted(item.items()))
                    if mark not in known:
                        known.add(mark)
                        target.append(item)
    return merged


# -- framing ----------------------------------------------------------------------------------


class _Frame:
    """A shipped frame, resolved through the context: one type, reverse sub-frames each
    embedding the nodes some of their properties name (``@embed: @always`` everywhere
    below the top)."""

    def __init__(self, frame: Mapping[str, Any], compactor: Compactor) -> None:
        mappings = compactor.active["mappings"]
        if not frame.keys() >= {"@type"} or frame.get("@embed", "@once") != "@once":
            raise _NeedsPyldError("frame: one @type at the top, embedded @once")
        self.type = self._expand(compactor, frame["@type"])
        self.reverse: dict[str, dict[str, Any]] = {}
        for key, sub in frame.items():
            if key in _FRAME_KEYS:
                continue
            mapping = mappings.get(key)
            if not (mapping and mapping["reverse"] and isinstance(sub, dict)):
                raise _NeedsPyldError(f"frame property {key!r} is not a reverse term")
            if sub.get("@embed") != "@always":
                raise _NeedsPyldError(f"frame property {key!r} is not embedded @always")
            named = {}
            for inner, subsub in sub.items():
                if inner == "@embed":
                    continue
                if subsub != {"@embed": "@always"} or mappings.get(inner) is None:
                    raise _NeedsPyldError(f"frame property {key}.{inner} is not a plain embed")
                if mappings[inner]["reverse"]:
                    raise _NeedsPyldError(f"frame property {key}.{inner} is a reverse term")
                named[mappings[inner]["@id"]] = True
            self.reverse.setdefault(mapping["@id"], {}).update(named)

    @staticmethod
    def _expand(compactor: Compactor, name: Any) -> str:
        if not isinstance(name, str):
            raise _NeedsPyldError("frame @type is not one name")
        expanded = compactor.processor._expand_iri(compactor.active, name, vocab=True)
        return str(expanded)


def frame_nodes(
    nodes: dict[str, JsonObject], frame: Mapping[str, Any], compactor: Compactor
) -> list[JsonObject]:
    """pyld's framed (still expanded) output of the merged node map ``nodes`` for
    ``frame``, with the options filmkg frames with (``embed="@never"`` below named
    properties, ``omitDefault``). A node under a property the frame does not name is
    given as a reference: :func:`filmkg.io.jsonld.frame_quads` collapses such embeds
    into references anyway."""
    shape = _Frame(frame, compactor)
    pointing: dict[tuple[str, str], list[str]] = {}
    for node_id, node in nodes.items():
        for prop in shape.reverse:
            for item in node.get(prop, ()):
                if "@id" not in item:
                    raise _NeedsPyldError(f"a literal value of the reverse property {prop}")
                targets = pointing.setdefault((prop, item["@id"]), [])
                if not targets or targets[-1] != node_id:
                    targets.append(node_id)
    framed = []
    for node_id in sorted(nodes):
        node = nodes[node_id]
        if shape.type not in node.get("@type", ()):
            continue
        out = dict(node)
        reverse: dict[str, list[JsonObject]] = {}
        for prop, named in sorted(shape.reverse.items()):
            sources = pointing.get((prop, node_id))
            if not sources:
                continue
            embedded = reverse.setdefault(prop, [])
            for source in sources:
                inner = nodes[source]
                if named and not any(p in inner for p in named):
                    continue
                embedded.append(_embed(inner, named, nodes, node_id))
        if reverse:
            out["@reverse"] = reverse
        framed.append(out)
    return framed


def _embed(
    node: JsonObject, named: Mapping[str, Any], nodes: Mapping[str, JsonObject], top: str
) -> JsonObject:
    out = dict(node)
    for prop in named:
        if prop in node:
            out[prop] = [
                item if "@id" not in item or item["@id"] == top else dict(nodes[item["@id"]])
                for item in node[prop]
            ]
    return out
