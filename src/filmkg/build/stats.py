"""Counts of what the graph holds, and one way of counting statements for every command.

``build``, ``stats``, ``export`` and ``push`` all count with :func:`count_statements` and
say which graphs they counted (:meth:`StatementCount.describe`), so the numbers of two
commands agree graph by graph even when one of them counts a graph the other has not
(``build`` writes the derived ``graph:network``).

>>> from filmkg.build.project import load_project
>>> counts = graph_stats(load_project())
>>> counts["films"], counts["people"]
(2, 14)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from filmkg.engines.store import KnowledgeGraph
from filmkg.sparql.results import compact

__all__ = ["StatementCount", "count_statements", "graph_stats"]

_GRAPH_SIZES = (Path(__file__).with_name("graph_sizes.rq")).read_text(encoding="utf-8")


@dataclass(frozen=True)
class StatementCount:
    """Statements per named graph (``""``: the default graph), and how to say it.

    >>> c = StatementCount({"https://w3id.org/filmkg/graph/here": 420, "": 3})
    >>> c.total, c.describe()
    (423, '423 statements in 1 named graph and the default graph (graph:here 420, default 3)')
    """

    graphs: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All the statements counted."""
        return sum(self.graphs.values())

    def named(self) -> list[str]:
        """The named graphs counted, sorted."""
        return sorted(g for g in self.graphs if g)

    def describe(self) -> str:
        """``N statements in G named graphs (graph:a n, graph:b m, …)``."""
        named = self.named()
        where = f"{len(named)} named graph{'s' if len(named) != 1 else ''}"
        if "" in self.graphs:
            where += " and the default graph"
        parts = [f"{compact(g)} {self.graphs[g]:,}" for g in named]
        if "" in self.graphs:
            parts.append(f"default {self.graphs['']:,}")
        return f"{self.total:,} statements in {where} ({', '.join(parts)})"

    def only(self, graphs: Iterable[str]) -> StatementCount:
        """The counts of ``graphs`` alone."""
        keep = set(graphs)
        return StatementCount({g: n for g, n in self.graphs.items() if g in keep})


def count_statements(kg: KnowledgeGraph) -> StatementCount:
    """Count the statements of ``kg`` graph by graph (one aggregate query on the engine)."""
    sizes = {str(g): int(str(n)) for g, n in kg.select(_GRAPH_SIZES).rows if g is not None}
    rest = len(kg) - sum(sizes.values())
    if rest:
        sizes[""] = rest
    return StatementCount(sizes)


#: The entity counts, in the order ``filmkg stats`` prints them (columns of the query).
_COUNTS = (
    "films",
    "creative works",
    "people",
    "organisations",
    "credits",
    "releases",
    "facts",
    "evidence",
    "sources",
)
_ENTITY_COUNTS = (Path(__file__).with_name("entity_counts.rq")).read_text(encoding="utf-8")


def graph_stats(kg: KnowledgeGraph, *, of: KnowledgeGraph | None = None) -> dict[str, int]:
    """Entity and fact counts, plus statements and named graphs.

    The statements are those of ``of`` when given: a user's files, counted alone, while
    the entities are counted in ``kg`` (the files read with the ontology, for its classes).
    """
    result = kg.select(_ENTITY_COUNTS)
    row = dict(zip(result.variables, result.rows[0], strict=True))
    counts = {name: int(str(row[name.replace(" ", "_")])) for name in _COUNTS}
    statements = count_statements(kg if of is None else of)
    counts["statements"] = statements.total
    counts["named graphs"] = len(statements.named())
    return counts
