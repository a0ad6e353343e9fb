"""Reconciliation: match our films, people and organisations to Wikidata items.

``filmkg reconcile --endpoint URL`` asks a SPARQL endpoint (Wikidata's query service, or
any store holding Wikidata-shaped data) for items by label and alias, in batches; scores
each candidate by the signals that agree (label, type, date, shared films: see
:mod:`filmkg.reconcile.matching`); writes the matches as ``skos:exactMatch`` with their
evidence into a graph of their own, and the uncertain ones to a review list. A run is
resumable: see :mod:`filmkg.reconcile.lookup`. Only Q-IDs that come from such a match
(or from a cited source, as in ``graph/reconciliation.ttl``) ship in the graph.

>>> from filmkg.reconcile import Options
>>> Options().threshold
0.85
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from filmkg.build import inference
from filmkg.engines.store import KnowledgeGraph
from filmkg.reconcile.evaluation import Scores, evaluate, read_gold
from filmkg.reconcile.lookup import Checkpoint, Progress
from filmkg.reconcile.matching import DEFAULT_THRESHOLD, Decision, Entity, Scored
from filmkg.reconcile.output import (
    DEFAULT_GRAPH,
    check_output,
    match_quads,
    review_tsv,
    write_matches,
)
from filmkg.reconcile.run import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_LANGUAGES,
    Inputs,
    Options,
    Run,
    read_inputs,
    reconcile,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_GRAPH",
    "DEFAULT_LANGUAGES",
    "DEFAULT_THRESHOLD",
    "Checkpoint",
    "Decision",
    "Entity",
    "Inputs",
    "Options",
    "Progress",
    "Run",
    "Scored",
    "Scores",
    "check_output",
    "check_store",
    "evaluate",
    "match_quads",
    "read_gold",
    "read_inputs",
    "reconcile",
    "review_tsv",
    "write_into",
    "write_matches",
]


def check_store(store: Path) -> None:
    """A :class:`SourceNotFoundError` unless ``store`` holds a store (before any query)."""
    KnowledgeGraph.open(store)


def write_into(store: Path, quads: list[ox.Quad], graph: str = DEFAULT_GRAPH) -> None:
    """Replace ``graph`` in the on-disk store ``store`` with ``quads``, all or nothing.

    The change runs on a staged copy (:meth:`KnowledgeGraph.staged`, as ``import --into``):
    the derived triples are computed again, and the store is replaced only when every step
    succeeded; a failure or a kill leaves it as it was. Running again replaces the graph,
    so a rerun never doubles a match.
    """
    check_store(store)  # a store must be there (filmkg build --store PATH)
    with KnowledgeGraph.staged(store) as kg:
        kg.clear_graph(graph)
        kg.clear_graph(inference.INFERRED_GRAPH)
        kg.add_quads(quads)
        inference.infer(kg)
        kg.compact()
