"""The project graph: ontology, vocabularies and data, each in its own named graph.

>>> kg = load_project()
>>> GRAPH.here in kg.graph_names() and GRAPH.inferred in kg.graph_names()
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import URIRef

from filmkg.build import inference
from filmkg.engines.store import KnowledgeGraph
from filmkg.io.loading import format_for
from filmkg.rdf.namespaces import GRAPH
from filmkg.resources import graph_dir, ontology_dir, ontology_file

__all__ = ["ONTOLOGY_GRAPH", "VOCAB_GRAPH", "data_files", "graph_name_for", "load_project"]

ONTOLOGY_GRAPH = GRAPH.ontology
VOCAB_GRAPH = GRAPH.vocab


def data_files() -> list[Path]:
    """The project's data files (``graph/*.ttl``), sorted."""
    return sorted(graph_dir().glob("*.ttl"))


def graph_name_for(path: Path) -> URIRef:
    """The named graph a data file is loaded into: ``graph:<file stem>``.

    >>> graph_name_for(Path("graph/here.ttl"))
    rdflib.term.URIRef('https://w3id.org/filmkg/graph/here')
    """
    return GRAPH[path.stem]


def load_project(
    extra: Iterable[Path] = (),
    *,
    include_data: bool = True,
    infer: bool = True,
    store_path: Path | None = None,
    views: Sequence[str] = (),
) -> KnowledgeGraph:
    """Load the ontology, the vocabularies and the data, then derive the shortcuts.

    ``extra`` files are loaded too, each into its own named graph. With
    ``include_data=False`` only the ontology, vocabularies and ``extra`` are loaded (to
    validate a user's own files). ``views``: opt-in derived views of ``ontology/views/``
    (``"wikidata-statements"``: every assertion as a Wikidata statement, p:/ps:/pq:).
    """
    kg = KnowledgeGraph(store_path)
    # On disk, every file goes through pyoxigraph's streaming bulk loader (10M triples
    # within ~1 GB); in memory, through the transactional strict loader.
    load = kg.bulk_load if store_path is not None else kg.load
    files = [
        (ontology_file(), ONTOLOGY_GRAPH),
        (ontology_dir() / "vocab.ttl", VOCAB_GRAPH),
        *(
            (path, graph_name_for(path))
            for path in [*(data_files() if include_data else []), *extra]
        ),
    ]
    for path, graph in files:
        load(path, graph=graph)
    if infer:
        # on disk, the RDFS rules read the files again rather than the store (much faster)
        sources = [(path, format_for(path)) for path, _ in files] if store_path else []
        inference.infer(kg, sources=sources, views=views)
    return kg
