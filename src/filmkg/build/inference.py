"""Derivation of the binary shortcuts and the RDFS alignment.

The rules are SPARQL ``CONSTRUCT`` queries in ``ontology/rules/*.rq``, run in file-name
order on the whole dataset; what they produce goes to the named graph
``https://w3id.org/filmkg/graph/inferred``, so asserted and derived facts stay apart
(TriG / N-Quads exports keep the difference). Standard SPARQL, so the same rules run on
any engine or store.

Two rules are the standard RDFS entailment rules (a ``#+ entailment:`` header names them):
``rdfs7`` (a triple of a property holds for its super-properties) and ``rdfs9`` (an
instance of a class is an instance of its super-classes). When a big on-disk store is
built from files (``filmkg build --store``), :func:`infer` applies those two while reading
the files again instead of running their queries: reading millions of triples back out of
an on-disk store costs ~10 µs each (a RocksDB lookup per term), re-parsing the file ~1.5
µs. The result is the same set of triples (tests/build/test_inference.py compares both ways).

>>> [p.name for p in rule_files()][:2]
['10-credit-shortcuts.rq', '20-rights-shortcuts.rq']
>>> entailment(rule_files()[-1])
'rdfs9'
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from filmkg.engines.store import KnowledgeGraph
from filmkg.io import progress
from filmkg.rdf.convert import to_oxigraph, to_rdflib
from filmkg.rdf.namespaces import GRAPH
from filmkg.resources import ontology_dir
from filmkg.sparql import builder

__all__ = ["INFERRED_GRAPH", "entailed", "entailment", "infer", "rule_files"]

#: The named graph that holds derived triples.
INFERRED_GRAPH = GRAPH.inferred
_BATCH = 100_000
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SCHEMA_PREDICATES = {f"{_RDFS}subPropertyOf", f"{_RDFS}subClassOf"}
#: The queries of this module (``inference.rq``), filled by the query builder.
_Q = builder.templates("filmkg.build", "inference.rq")
_ENTAILMENT = re.compile(r"^#\+ entailment: *(\S+)", re.MULTILINE)

Closure = dict[ox.NamedNode, tuple[ox.NamedNode, ...]]
RdflibTriple = tuple[Any, Any, Any]
TripleTerms = tuple[
    ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal
]


def rule_files(views: Sequence[str] = ()) -> list[Path]:
    """The rule files, in the order they run; ``views`` names opt-in rules of
    ``ontology/views/`` (e.g. ``"wikidata-statements"``), run after the ordinary rules and
    before the RDFS ones."""
    rules = sorted((ontology_dir() / "rules").glob("*.rq"))
    if not views:
        return rules
    extra = [ontology_dir() / "views" / f"{name}.rq" for name in views]
    rdfs = [r for r in rules if entailment(r) is not None]
    return [*(r for r in rules if r not in rdfs), *extra, *rdfs]


def entailment(rule: Path) -> str | None:
    """The RDFS entailment rule a rule file implements (``rdfs7``, ``rdfs9``), if any."""
    match = _ENTAILMENT.search(rule.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def infer(
    kg: KnowledgeGraph,
    *,
    sources: Sequence[tuple[Path, ox.RdfFormat]] = (),
    views: Sequence[str] = (),
) -> int:
    """Run every rule once, in order, adding new triples to the inferred graph.

    Rules see the triples earlier rules derived. A derived triple that some graph already
    states is not added again, so the union default graph holds each triple in one graph
    only where it can. Returns the number of triples derived (the size of the inferred
    graph afterwards).

    ``sources``: the files (with their formats) that hold *every* stated triple of an
    on-disk ``kg``, as :func:`filmkg.build.project.load_project` loads them; then the RDFS rules
    are applied while streaming those files (see the module docstring), and writes go
    through the bulk loader. ``views``: opt-in rules to run too (see :func:`rule_files`).
    """
    rules = rule_files(views)
    if sources and kg.path is not None:
        derived = _infer_streamed(kg, sources, rules)
        if derived is not None:
            return derived
    if kg.path is not None:
        return _infer_on_disk(kg, rules)
    target = ox.NamedNode(str(INFERRED_GRAPH))
    with progress.task("deriving", total=len(rules), unit="rules") as step:
        for rule in rules:
            step.describe(f"deriving: {rule.stem}")
            triples = kg.solutions(rule.read_text(encoding="utf-8"))
            assert isinstance(triples, ox.QueryTriples)
            # Stream the rule's output into the store in batches: memory holds one batch,
            # not a rule's whole output. Queries read a snapshot, and the rules are
            # idempotent, so writing while the query runs changes nothing.
            new = (
                ox.Quad(t.subject, t.predicate, t.object, target)
                for t in triples
                if next(kg.match(t.subject, t.predicate, t.object), None) is None
            )
            while batch := list(islice(new, _BATCH)):
                kg.add_quads(batch)
            step.advance()
        step.describe("deriving")
    return count_graph(kg, target)


def entailed(kg: KnowledgeGraph, triples: Iterable[RdflibTriple]) -> list[RdflibTriple]:
    """What the RDFS rules (rdfs7, rdfs9) derive from ``triples`` with the ontology of
    ``kg``, less what ``kg`` already holds: for triples written after :func:`infer` ran
    (the derived collaborations), so exports carry their superclass types too.

    >>> from rdflib import RDF
    >>> from filmkg.rdf.namespaces import FILMKG, KG
    >>> from filmkg.build.project import load_project
    >>> kg = load_project(include_data=False)
    >>> found = entailed(kg, [(KG["collaboration/f/a/b"], RDF.type, FILMKG.Collaboration)])
    >>> [str(o).rsplit("/", 1)[-1] for _, _, o in found]
    ['prov#Entity', 'ontology#DerivedRelation']
    """
    subproperties = _closure(kg, "subPropertyOf")
    subclasses = _closure(kg, "subClassOf")
    given = {(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples}
    found = set(_with_closure(given, subproperties, subclasses, keep=False)) - given  # type: ignore[arg-type]
    new = (t for t in found if next(kg.match(*t), None) is None)
    return sorted(
        ((to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in new),  # type: ignore[misc]
        key=lambda t: tuple(str(x) for x in t),
    )


def _infer_streamed(
    kg: KnowledgeGraph, sources: Sequence[tuple[Path, ox.RdfFormat]], rules: list[Path]
) -> int | None:
    """:func:`infer` for an on-disk store built from ``sources``; ``None``: not applicable.

    The ordinary rules run as queries; what they derive, and what the RDFS rules derive
    from it, is loaded before the next rule runs. Then the RDFS rules are applied to the
    stated triples by reading ``sources`` again. Derived quads go through a temporary
    N-Quads file into the bulk loader (one call per rule: each call has a cost).
    """
    assert kg.path is not None
    target = ox.NamedNode(str(INFERRED_GRAPH))
    rdfs = [r for r in rules if entailment(r) in {"rdfs7", "rdfs9"}]
    ordinary = [r for r in rules if r not in rdfs]
    if not rdfs or rules[len(ordinary) :] != rdfs:
        return None  # an ordinary rule would need to see what the RDFS rules derive
    subproperties = _closure(kg, "subPropertyOf")
    subclasses = _closure(kg, "subClassOf")
    if _derives_schema(subproperties):
        return None
    stated = _StatedIndex(kg, target)
    with (
        tempfile.TemporaryDirectory(prefix=".infer-", dir=kg.path.parent) as tmp,
        progress.task("deriving", total=len(ordinary) + 1, unit="rules") as step,
    ):
        scratch = Path(tmp) / "derived.nq"
        for triples in _rule_outputs(kg, ordinary, step):
            derived = _with_closure(triples, subproperties, subclasses)
            _load_via_file(kg, stated.new_quads(derived), scratch)
        if _closure(kg, "subPropertyOf") != subproperties or (
            _closure(kg, "subClassOf") != subclasses
        ):
            return None  # a rule derived schema triples: the queries redo it (idempotent)
        # triples with blank nodes: a re-parse labels them afresh, so read them from the store
        step.describe("deriving: RDFS closure of the stated triples")
        reparsed = _stated_triples(sources)
        blank = _stated_blank_triples(kg, target)
        derived = _with_closure(chain(reparsed, blank), subproperties, subclasses, keep=False)
        _load_via_file(kg, stated.new_quads(derived), scratch)
        step.advance()
        step.describe("deriving")
    kg._changed()
    return count_graph(kg, target)


def _infer_on_disk(kg: KnowledgeGraph, rules: list[Path]) -> int:
    """:func:`infer` for an on-disk store without its source files (an import, an accept).

    Each rule's output goes through a temporary N-Quads file into the bulk loader once
    the rule's query is done (a transactional write costs ≈ 55 µs a quad on disk: 8 s of
    a 1,000-film import); only triples whose predicate (or class) a stated graph uses are
    looked up in the store (:class:`_StatedIndex`). Same triples as the in-memory path.
    """
    assert kg.path is not None
    target = ox.NamedNode(str(INFERRED_GRAPH))
    stated = _StatedIndex(kg, target)
    with (
        tempfile.TemporaryDirectory(prefix=".infer-", dir=kg.path.parent) as tmp,
        progress.task("deriving", total=len(rules), unit="rules") as step,
    ):
        scratch = Path(tmp) / "derived.nq"
        for triples in _rule_outputs(kg, rules, step):
            _load_via_file(kg, stated.new_quads(triples), scratch)
        step.describe("deriving")
    kg._changed()
    return count_graph(kg, target)


class _StatedIndex:
    """Which derived triples some graph already states (then they are not added again).

    Only a triple whose predicate (for ``rdf:type``: whose class) occurs in a stated graph
    can be stated; those few are looked up in the store.
    """

    def __init__(self, kg: KnowledgeGraph, inferred: ox.NamedNode) -> None:
        self.kg = kg
        self.target = inferred
        graph = builder.term(to_rdflib(inferred))
        self.predicates = _column(kg, str(_Q["stated_predicates"](inferred=graph)))
        self.classes = _column(kg, str(_Q["stated_classes"](inferred=graph)))

    def new_quads(self, triples: Iterable[TripleTerms]) -> Iterator[ox.Quad]:
        """The triples as quads of the inferred graph, less those a graph states."""
        kg, predicates, classes = self.kg, self.predicates, self.classes
        for s, p, o in triples:
            if (o in classes if p == _TYPE else p in predicates) and next(
                kg.match(s, p, o), None
            ) is not None:
                continue
            yield ox.Quad(s, p, o, self.target)


def _column(kg: KnowledgeGraph, query: str) -> set[ox.NamedNode | ox.BlankNode | ox.Literal]:
    result = kg.solutions(query, union=False)
    assert isinstance(result, ox.QuerySolutions)
    return {row["x"] for row in result}  # type: ignore[misc]


def _rule_outputs(
    kg: KnowledgeGraph, rules: Sequence[Path], step: progress.Task
) -> Iterator[Iterator[TripleTerms]]:
    """The triples each rule's CONSTRUCT gives on ``kg``, rule by rule; ``step`` names the
    rule while the caller loads its triples, and advances after."""
    for rule in rules:
        step.describe(f"deriving: {rule.stem}")
        result = kg.solutions(rule.read_text(encoding="utf-8"))
        assert isinstance(result, ox.QueryTriples)
        yield ((t.subject, t.predicate, t.object) for t in result)
        step.advance()


def _load_via_file(kg: KnowledgeGraph, quads: Iterable[ox.Quad], scratch: Path) -> None:
    """Bulk-load ``quads`` (streamed through the file ``scratch``, then deleted).

    Quads with a blank node go in directly: the loader would relabel them from a file.
    """
    blank: list[ox.Quad] = []

    def without_blank() -> Iterator[ox.Quad]:
        for quad in quads:
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                blank.append(quad)
            else:
                yield quad

    with scratch.open("wb") as out:
        ox.serialize(without_blank(), out, ox.RdfFormat.N_QUADS)
    if scratch.stat().st_size:
        kg.bulk_load_file(scratch, ox.RdfFormat.N_QUADS)
    scratch.unlink()
    if blank:
        kg.bulk_add(blank)


def count_graph(kg: KnowledgeGraph, graph: ox.NamedNode) -> int:
    """The number of triples in one named graph, counted inside the store."""
    query = _Q["graph_size"](graph=builder.term(to_rdflib(graph)))
    result = kg.solutions(str(query), union=False)
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def _derives_schema(subproperties: Closure) -> bool:
    """Whether some property is a sub-property of ``rdfs:subPropertyOf`` / ``subClassOf``."""
    return any(s.value in _SCHEMA_PREDICATES for supers in subproperties.values() for s in supers)


def _closure(kg: KnowledgeGraph, relation: str) -> Closure:
    """``x → (its strict super-terms)`` for ``rdfs:<relation>+``, from the whole dataset."""
    query = _Q["closure"](relation=builder.term(to_rdflib(ox.NamedNode(_RDFS + relation))))
    result = kg.solutions(str(query))
    assert isinstance(result, ox.QuerySolutions)
    table: dict[ox.NamedNode, list[ox.NamedNode]] = {}
    for row in result:
        x, sup = row["x"], row["super"]
        assert isinstance(x, ox.NamedNode)
        assert isinstance(sup, ox.NamedNode)
        table.setdefault(x, []).append(sup)
    return {k: tuple(sorted(v, key=str)) for k, v in table.items()}


def _with_closure(
    triples: Iterable[TripleTerms],
    subproperties: Closure,
    subclasses: Closure,
    keep: bool = True,
) -> Iterator[TripleTerms]:
    """Each triple (if ``keep``), then what rdfs7 and then rdfs9 derive from it."""
    for s, p, o in triples:
        if keep:
            yield s, p, o
        supers = subproperties.get(p, ())
        for sup in supers:
            yield s, sup, o
        if isinstance(o, ox.NamedNode) and o in subclasses and (p == _TYPE or _TYPE in supers):
            for cls in subclasses[o]:
                yield s, _TYPE, cls


def _stated_triples(sources: Sequence[tuple[Path, ox.RdfFormat]]) -> Iterator[TripleTerms]:
    """Every triple of the source files without a blank node, parsed again."""
    for path, rdf_format in sources:
        for item in ox.parse(path=str(path), format=rdf_format):
            s, o = item.subject, item.object
            if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode | ox.Triple):
                continue
            yield s, item.predicate, o  # type: ignore[misc]


def _stated_blank_triples(kg: KnowledgeGraph, inferred: ox.NamedNode) -> Iterator[TripleTerms]:
    """The stated triples with a blank node (the scan and test run inside the store)."""
    query = _Q["stated_blank_triples"](inferred=builder.term(to_rdflib(inferred)))
    result = kg.solutions(str(query), union=False)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        yield row["s"], row["p"], row["o"]  # type: ignore[misc]
