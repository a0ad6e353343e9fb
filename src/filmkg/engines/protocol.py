"""The engine protocol: what every engine filmkg runs on offers, whatever holds the quads.

Four engines implement it:

- **memory** and **on-disk**: :class:`~filmkg.engines.store.KnowledgeGraph` (pyoxigraph,
  ``KnowledgeGraph()`` or ``KnowledgeGraph(path)``), a :class:`GraphEngine`;
- **rdflib**: ``kg.using("rdflib")``, the same quads answered by rdflib's SPARQL engine
  (:class:`~filmkg.engines.store.RdflibEngine`), a :class:`GraphEngine`;
- **remote**: :class:`~filmkg.engines.remote.Endpoint`, any SPARQL 1.1 service, a
  :class:`SparqlEngine` (its quads stay on the server: ``filmkg push`` sends them there).

Code above the engine layer types against these protocols, not against one engine, and
picks an engine once (``--engine``, ``--store``, ``--endpoint``).

>>> from filmkg.engines.store import KnowledgeGraph
>>> kg = KnowledgeGraph()
>>> isinstance(kg, GraphEngine), isinstance(kg.using("rdflib"), GraphEngine)
(True, True)
>>> from filmkg.engines.remote import Endpoint
>>> isinstance(Endpoint("http://127.0.0.1:7878/query"), SparqlEngine)
True
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from rdflib import BNode, Graph, URIRef

    from filmkg.rdf.convert import RdfTerm
    from filmkg.sparql.results import QueryResult

__all__ = ["GraphEngine", "SparqlEngine"]


@runtime_checkable
class SparqlEngine(Protocol):
    """What answers SPARQL: every engine, local or remote."""

    def query(self, sparql: str, /) -> QueryResult | bool | Graph:
        """Run a query: SELECT → :class:`~filmkg.sparql.results.QueryResult`, ASK →
        ``bool``, CONSTRUCT / DESCRIBE → an rdflib ``Graph``."""
        ...

    def select(self, sparql: str, /) -> QueryResult:
        """Run a SELECT query and return its rows."""
        ...

    def update(self, sparql: str, /) -> None:
        """Run a SPARQL Update (trusted, project-built text)."""
        ...


@runtime_checkable
class GraphEngine(SparqlEngine, Protocol):
    """An engine that holds its quads in this process (memory, on disk, rdflib)."""

    def load(self, path: str | Path, *, graph: str | URIRef, fmt: str | None = None) -> int:
        """Parse a local RDF file strictly into the named graph ``graph``; the statements read."""
        ...

    def quads(self) -> Iterator[tuple[RdfTerm, RdfTerm, RdfTerm, URIRef | BNode | None]]:
        """Every quad, as rdflib terms (graph ``None``: the default graph)."""
        ...

    def graph_names(self) -> list[URIRef]:
        """The named graphs, sorted."""
        ...

    def clear_graph(self, graph: str | URIRef) -> None:
        """Remove one named graph."""
        ...

    def __len__(self) -> int: ...

    def flush(self) -> None:
        """Make what was written durable (nothing to do in memory)."""
        ...

    def close(self) -> None:
        """Let go of the engine's resources (an on-disk store's files); empty from here on."""
        ...
