"""Derivation of the binary shortcuts and the RDFS alignment.

The rules are SPARQL ``CONSTRUCT`` queries in ``ontology/rules/*.rq``, run in file-name
order on the whole dataset; what they produce goes to the named graph
``https://w3id.org/filmkg/graph/inferred``, so asserted and derived facts stay apart
(TriG / N-Quads exports keep the difference). Standard SPARQL, so the same rules run on
any engine or store.

>>> [p.name for p in rule_files()][:2]
['10-credit-shortcuts.rq', '20-rights-shortcuts.rq']
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from filmkg.namespaces import GRAPH
from filmkg.resources import ontology_dir
from filmkg.store import KnowledgeGraph

__all__ = ["INFERRED_GRAPH", "infer", "rule_files"]

#: The named graph that holds derived triples.
INFERRED_GRAPH = GRAPH.inferred
_BATCH = 100_000


def rule_files() -> list[Path]:
    """The rule files, in the order they run."""
    return sorted((ontology_dir() / "rules").glob("*.rq"))


def infer(kg: KnowledgeGraph) -> int:
    """Run every rule once, in order, adding new triples to the inferred graph.

    Rules see the triples earlier rules derived. A derived triple that some graph already
    states is not added again, so the union default graph holds each triple in one graph
    only where it can. Returns the number of triples derived (the size of the inferred
    graph afterwards).
    """
    target = ox.NamedNode(str(INFERRED_GRAPH))
    store = kg.store
    for rule in rule_files():
        triples = store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        assert isinstance(triples, ox.QueryTriples)
        # Stream the rule's output into the store in batches: memory holds one batch, not
        # a rule's whole output (millions of triples at 10M). Queries read a snapshot, and
        # the rules are idempotent, so writing while the query runs changes nothing.
        new = (
            ox.Quad(t.subject, t.predicate, t.object, target)
            for t in triples
            if next(store.quads_for_pattern(t.subject, t.predicate, t.object), None) is None
        )
        while batch := list(islice(new, _BATCH)):
            kg.add_quads(batch)
    return sum(1 for _ in kg.store.quads_for_pattern(None, None, None, target))
