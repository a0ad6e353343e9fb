"""Where the project's own files live: ontology, shapes, graph data and named queries.

In a wheel they are shipped inside the package (``filmkg/_data``); in a source checkout
(editable install, or ``PYTHONPATH=src``) they are read from the top of the repository.

>>> (ontology_dir() / "filmkg.ttl").is_file()
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = [
    "data_root",
    "graph_dir",
    "mappings_dir",
    "ontology_dir",
    "ontology_file",
    "queries_dir",
    "shapes_file",
]

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder holding ``ontology/``, ``graph/`` and ``queries/``."""
    shipped = _PACKAGE / "_data"
    if (shipped / "ontology").is_dir():
        return shipped
    checkout = _PACKAGE.parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    msg = f"filmkg data files not found in {shipped} or {checkout}"  # pragma: no cover
    raise FileNotFoundError(msg)  # pragma: no cover


def ontology_dir() -> Path:
    """The folder of the OWL ontology and the SHACL shapes."""
    return data_root() / "ontology"


def ontology_file() -> Path:
    """The OWL ontology, in Turtle."""
    return ontology_dir() / "filmkg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes, in Turtle."""
    return ontology_dir() / "shapes.ttl"


def graph_dir() -> Path:
    """The folder of the graph data (one Turtle file per source) and the source texts."""
    return data_root() / "graph"


def queries_dir() -> Path:
    """The folder of the named SPARQL queries (``*.rq``)."""
    return data_root() / "queries"


def mappings_dir() -> Path:
    """The folder of the import mappings shipped with filmkg (``mappings/*.toml``)."""
    return data_root() / "mappings"
