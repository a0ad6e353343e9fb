"""Counts of what the graph holds.

>>> from filmkg.build.project import load_project
>>> counts = graph_stats(load_project())
>>> counts["films"], counts["people"]
(2, 14)
"""

from __future__ import annotations

from filmkg.engines.store import KnowledgeGraph
from filmkg.rdf.namespaces import sparql_prefixes

__all__ = ["graph_stats"]

_COUNTS = {
    "films": "?x a filmkg:Film",
    "creative works": "?x a filmkg:CreativeWork",
    "people": "?x a filmkg:Person",
    "organisations": "?x a filmkg:Organisation",
    "credits": "?x a filmkg:Credit",
    "releases": "?x a filmkg:Release",
    "facts": "?x a filmkg:Assertion",
    "evidence": "?x a filmkg:Evidence",
    "sources": "?x a filmkg:Source",
}


def graph_stats(kg: KnowledgeGraph) -> dict[str, int]:
    """Entity and fact counts, plus statements and named graphs."""
    parts = " ".join(
        f"{{ SELECT (COUNT(DISTINCT ?x) AS ?c{i}) WHERE {{ {pattern} }} }}"
        for i, pattern in enumerate(_COUNTS.values())
    )
    row = kg.select(sparql_prefixes() + f"SELECT * WHERE {{ {parts} }}").rows[0]
    counts = {name: int(str(value)) for name, value in zip(_COUNTS, row, strict=True)}
    counts["statements"] = len(kg)
    counts["named graphs"] = len(kg.graph_names())
    return counts
