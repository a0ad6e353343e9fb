"""Export profiles: the facts written with Wikidata's or schema.org's terms only.

A profile is read from the ontology's own alignment, not from a table in code, so a new
property or class with an alignment flows through by itself:

* a property ``p`` is written as every target-vocabulary property it reaches through
  ``rdfs:subPropertyOf`` / ``owl:equivalentProperty`` (transitively, both ways for
  equivalence); for Wikidata, ``skos:exactMatch wd:P57`` on ``p`` also gives ``wdt:P57``;
* a type is written as the target classes of the entity's most specific types, reached
  through ``rdfs:subClassOf`` / ``owl:equivalentClass`` (schema.org) or ``skos:exactMatch``
  / ``owl:equivalentClass`` (Wikidata, as ``wdt:P31``, *instance of*);
* statements already in the target vocabulary are kept; labels become the vocabulary's
  label properties; everything else is left out.

What each profile fixes by hand is only how that vocabulary states a type, a label and an
identity (:class:`ProfileSpec`): Wikidata states types with ``wdt:P31`` and names items with
``wd:`` IRIs (ours are kept for entities without a ``skos:exactMatch`` to Wikidata);
schema.org uses ``rdf:type``, ``schema:name`` and ``schema:sameAs``.

Profiles write the **binary facts** (``wdt:P57``, ``schema:director`` …), derived from the
assertion nodes by the project's rules; the assertion nodes, their qualifiers and evidence
have no counterpart in these vocabularies' plain properties and are left out (the full
export keeps them).

>>> from filmkg.build.project import load_project
>>> quads = list(apply("wikidata", load_project()))
>>> from collections import Counter
>>> sorted(str(q.predicate) for q in quads if "Q2263>" in str(q.object))[:1]
['<http://www.wikidata.org/prop/direct/P161>']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph

from filmkg.build.project import ONTOLOGY_GRAPH, VOCAB_GRAPH
from filmkg.errors import UsageError
from filmkg.rdf.convert import to_oxigraph
from filmkg.resources import ontology_dir

if TYPE_CHECKING:
    from filmkg.engines.store import KnowledgeGraph

__all__ = ["PROFILE_SPECS", "Alignment", "ProfileSpec", "apply"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SCHEMA = "http://schema.org/"
_WD = "http://www.wikidata.org/entity/"
_WDT = "http://www.wikidata.org/prop/direct/"
_TYPE = _RDF + "type"
_SUBPROPERTY = _RDFS + "subPropertyOf"
_SUBCLASS = _RDFS + "subClassOf"
_EQ_PROPERTY = _OWL + "equivalentProperty"
_EQ_CLASS = _OWL + "equivalentClass"
_EXACT = _SKOS + "exactMatch"
_SAME_AS = _OWL + "sameAs"


@dataclass(frozen=True)
class ProfileSpec:
    """How one vocabulary states types, labels and identity; the rest comes from the ontology."""

    name: str
    #: Namespaces of the vocabulary's properties: statements are kept only in these.
    property_namespaces: tuple[str, ...]
    #: Namespace of the vocabulary's classes (or items, for Wikidata).
    class_namespace: str
    #: Class alignment predicates read from the ontology (class → vocabulary class).
    class_links: tuple[str, ...]
    #: The property that states a type in the vocabulary.
    type_property: str
    #: Our label properties → the vocabulary's.
    labels: tuple[tuple[str, str], ...]
    #: Write entities with a ``skos:exactMatch`` / ``owl:sameAs`` to Wikidata as that item.
    use_wikidata_items: bool
    #: Property that links an entity to its Wikidata item (when items are not used as IRIs).
    same_as: str | None
    #: A CONSTRUCT (a file of ``ontology/views/``) that writes the assertion nodes in the
    #: vocabulary's statement form (Wikidata: p:/ps:/pq: statements with references); the
    #: same view ``filmkg build --wikidata-statements`` derives into the main graph.
    statement_query: str | None = None


PROFILE_SPECS: dict[str, ProfileSpec] = {
    "wikidata": ProfileSpec(
        name="wikidata",
        property_namespaces=(_WDT,),
        class_namespace=_WD,
        class_links=(_EXACT, _EQ_CLASS),
        type_property=_WDT + "P31",
        labels=(
            (_RDFS + "label", _RDFS + "label"),
            (_SKOS + "prefLabel", _RDFS + "label"),
            (_SKOS + "altLabel", _SKOS + "altLabel"),
        ),
        use_wikidata_items=True,
        same_as=None,
        statement_query="wikidata-statements.rq",
    ),
    "schema": ProfileSpec(
        name="schema",
        property_namespaces=(_SCHEMA,),
        class_namespace=_SCHEMA,
        class_links=(_SUBCLASS, _EQ_CLASS),
        type_property=_TYPE,
        labels=(
            (_RDFS + "label", _SCHEMA + "name"),
            (_SKOS + "prefLabel", _SCHEMA + "name"),
            (_SKOS + "altLabel", _SCHEMA + "alternateName"),
        ),
        use_wikidata_items=False,
        same_as=_SCHEMA + "sameAs",
    ),
}


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


class Alignment:
    """The ontology's alignment statements, read from every graph of a knowledge graph."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.super_properties: dict[str, set[str]] = defaultdict(set)
        self.super_classes: dict[str, set[str]] = defaultdict(set)
        self.links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for predicate in (_SUBPROPERTY, _EQ_PROPERTY, _SUBCLASS, _EQ_CLASS, _EXACT, _SAME_AS):
            for quad in kg.match(None, ox.NamedNode(predicate), None, None):
                s, o = _iri(quad.subject), _iri(quad.object)
                if s is None or o is None:
                    continue
                self.links[predicate][s].add(o)
                if predicate == _SUBPROPERTY:
                    self.super_properties[s].add(o)
                elif predicate == _EQ_PROPERTY:
                    self.super_properties[s].add(o)
                    self.super_properties[o].add(s)
                elif predicate == _SUBCLASS:
                    self.super_classes[s].add(o)
                elif predicate == _EQ_CLASS:
                    self.super_classes[s].add(o)
                    self.super_classes[o].add(s)

    @staticmethod
    def _closure(start: str, edges: dict[str, set[str]]) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        seen.discard(start)
        return seen

    def property_targets(self, prop: str, spec: ProfileSpec) -> list[str]:
        """The vocabulary's properties that ``prop`` is written as (sorted)."""
        reached = {prop} | self._closure(prop, self.super_properties)
        if spec.use_wikidata_items:
            for p in list(reached):
                for match in self.links[_EXACT].get(p, ()):
                    if match.startswith(_WD + "P"):
                        reached.add(_WDT + match[len(_WD) :])
        return sorted(t for t in reached if t.startswith(spec.property_namespaces))

    def class_targets(self, types: Iterable[str], spec: ProfileSpec) -> list[str]:
        """The vocabulary's classes for an entity of ``types``: those of its most specific types."""
        types = set(types)
        ancestors = {t: self._closure(t, self.super_classes) for t in types}
        specific = [t for t in types if not any(t in ancestors[o] for o in types if o != t)]
        targets: set[str] = set()
        for start in specific:
            frontier, seen = [start], {start}
            while frontier:
                found = [c for c in frontier if self._direct_class_targets(c, spec)]
                if found:
                    for c in found:
                        targets |= self._direct_class_targets(c, spec)
                    break
                frontier = sorted(
                    {s for c in frontier for s in self.super_classes.get(c, ())} - seen
                )
                seen.update(frontier)
        return sorted(targets)

    def _direct_class_targets(self, cls: str, spec: ProfileSpec) -> set[str]:
        if cls.startswith(spec.class_namespace):
            return {cls}
        return {
            t
            for link in spec.class_links
            for t in self.links[link].get(cls, ())
            if t.startswith(spec.class_namespace)
        }


def _fact_graphs(kg: KnowledgeGraph) -> list[ox.NamedNode | ox.DefaultGraph]:
    skip = {str(ONTOLOGY_GRAPH), str(VOCAB_GRAPH)}
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += [ox.NamedNode(str(g)) for g in kg.graph_names() if str(g) not in skip]
    return graphs


def apply(profile: str, kg: KnowledgeGraph) -> Iterator[ox.Quad]:
    """The facts of ``kg`` (all graphs but the ontology and vocabularies) in a profile's terms.

    Quads are in the default graph, unsorted, possibly repeated (the writers sort and
    de-duplicate).
    """
    spec = PROFILE_SPECS.get(profile)
    if spec is None:
        raise UsageError(
            f"unknown export profile {profile!r}",
            hint=f"use one of full, {', '.join(PROFILE_SPECS)}",
        )
    graphs = _fact_graphs(kg)
    rewrite = _Rewrite(kg, graphs, spec, Alignment(kg), _wikidata_items(kg, graphs))
    # Nodes with nothing to say but their type (e.g. an evidence node, whose properties
    # have no counterpart in the vocabulary) are left out: a first pass finds the others.
    mentioned: set[_Term] = set()
    for quad in rewrite.statements():
        mentioned.add(quad.subject)  # type: ignore[arg-type]
        mentioned.add(quad.object)  # type: ignore[arg-type]
    yield from rewrite.types(mentioned)
    if spec.same_as:
        same_as = ox.NamedNode(spec.same_as)
        for iri, item in sorted(rewrite.items.items()):
            yield ox.Quad(ox.NamedNode(iri), same_as, ox.NamedNode(item))
    yield from rewrite.statements()
    if spec.statement_query:
        yield from rewrite.statement_form(spec.statement_query)


_Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _wikidata_items(
    kg: KnowledgeGraph, graphs: Iterable[ox.NamedNode | ox.DefaultGraph]
) -> dict[str, str]:
    """Entities of the data with exactly one Wikidata item (skos:exactMatch / owl:sameAs)."""
    matches: dict[str, set[str]] = defaultdict(set)
    for graph in graphs:
        for link in (_EXACT, _SAME_AS):
            for quad in kg.match(None, ox.NamedNode(link), None, graph):
                s, o = _iri(quad.subject), _iri(quad.object)
                if s is not None and o is not None and o.startswith(_WD + "Q"):
                    matches[s].add(o)
    return {s: next(iter(m)) for s, m in matches.items() if len(m) == 1}


class _Rewrite:
    """The statements and types of the fact graphs, in one profile's terms."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
        spec: ProfileSpec,
        alignment: Alignment,
        items: dict[str, str],
    ) -> None:
        self.kg = kg
        self.graphs = graphs
        self.spec = spec
        self.alignment = alignment
        self.items = items
        self.labels = dict(spec.labels)
        self.targets: dict[str, list[ox.NamedNode]] = {}

    def entity(self, term: _Term) -> _Term:
        """The Wikidata item of ``term`` where the profile uses items and there is one."""
        if self.spec.use_wikidata_items and isinstance(term, ox.NamedNode):
            item = self.items.get(term.value)
            if item is not None:
                return ox.NamedNode(item)
        return term

    def _mapped(self, predicate: str) -> list[ox.NamedNode]:
        mapped = self.targets.get(predicate)
        if mapped is None:
            if predicate in self.labels:
                names = [self.labels[predicate]]
            else:
                names = self.alignment.property_targets(predicate, self.spec)
            mapped = self.targets[predicate] = [ox.NamedNode(n) for n in names]
        return mapped

    def statement_form(self, query_file: str) -> Iterator[ox.Quad]:
        """The assertion nodes as the vocabulary's statements (``query_file``'s CONSTRUCT),
        entities written as their items."""
        text = (ontology_dir() / "views" / query_file).read_text(encoding="utf-8")
        graph = self.kg.query(text)
        assert isinstance(graph, Graph)
        for s, p, o in graph:
            subject, obj = self.entity(to_oxigraph(s)), self.entity(to_oxigraph(o))  # type: ignore[arg-type]
            yield ox.Quad(subject, to_oxigraph(p), obj)  # type: ignore[arg-type]

    def statements(self) -> Iterator[ox.Quad]:
        for graph in self.graphs:
            for quad in self.kg.match(None, None, None, graph):
                predicate = quad.predicate.value
                if predicate == _TYPE:
                    continue
                mapped = self._mapped(predicate)
                if not mapped:
                    continue
                s, o = self.entity(quad.subject), self.entity(quad.object)  # type: ignore[arg-type]
                for target in mapped:
                    yield ox.Quad(s, target, o)  # type: ignore[arg-type]

    def types(self, mentioned: set[_Term]) -> Iterator[ox.Quad]:
        """The type statements of the nodes in ``mentioned``, in the profile's classes."""
        types: dict[ox.NamedNode | ox.BlankNode, set[str]] = defaultdict(set)
        for graph in self.graphs:
            for quad in self.kg.match(None, ox.NamedNode(_TYPE), None, graph):
                if isinstance(quad.object, ox.NamedNode) and isinstance(
                    quad.subject, ox.NamedNode | ox.BlankNode
                ):
                    types[quad.subject].add(quad.object.value)
        type_property = ox.NamedNode(self.spec.type_property)
        for subject, subject_types in types.items():
            node = self.entity(subject)
            if node not in mentioned:
                continue
            for target in self.alignment.class_targets(subject_types, self.spec):
                yield ox.Quad(node, type_property, ox.NamedNode(target))  # type: ignore[arg-type]
