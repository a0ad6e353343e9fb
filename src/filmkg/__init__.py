"""filmkg: an open knowledge graph of film relationships, and the toolkit around it.

The public API is re-exported here and imported lazily, so ``import filmkg`` stays cheap.

>>> import filmkg
>>> filmkg.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib
from typing import Any

from filmkg import errors as _errors

__version__ = "0.1.0"

#: public name → module that defines it (the public API; docs/api.md lists it, a test
#: keeps the two in step). Everything else is importable from its module, without promises.
_EXPORTS: dict[str, str] = {
    # the graph and its engines
    "KnowledgeGraph": "filmkg.engines.store",
    "Endpoint": "filmkg.engines.remote",
    "SparqlEngine": "filmkg.engines.protocol",
    "GraphEngine": "filmkg.engines.protocol",
    "push": "filmkg.engines.remote",
    # reading RDF
    "parse_file": "filmkg.io.loading",
    "Limits": "filmkg.io.limits",
    # the project graph
    "load_project": "filmkg.build.project",
    "infer": "filmkg.build.inference",
    "graph_stats": "filmkg.build.stats",
    # SPARQL
    "NamedQuery": "filmkg.sparql.catalogue",
    "QueryResult": "filmkg.sparql.results",
    "check_query": "filmkg.sparql.safety",
    "limited_query": "filmkg.sparql.limited",
    "GraphSource": "filmkg.sparql.limited",
    # validation
    "validate": "filmkg.validation.report",
    "ValidationReport": "filmkg.validation.report",
    "Finding": "filmkg.validation.report",
    # exports
    "write_export": "filmkg.export.formats",
    "write_all": "filmkg.export.formats",
    # the collaboration network
    "collaboration_graph": "filmkg.network.projection",
    "find_reunions": "filmkg.network.projection",
    "network_stats": "filmkg.network.projection",
    "render_html": "filmkg.network.drawing",
    "render_image": "filmkg.network.drawing",
    "picture": "filmkg.network.drawing",
    "ViewOptions": "filmkg.network.drawing",
    "release_timeline": "filmkg.network.timeline",
    "career_timeline": "filmkg.network.timeline",
    "write_network_artefacts": "filmkg.network.drawing",
    # imports of third-party data
    "import_source": "filmkg.importers.pipeline",
    "import_into": "filmkg.importers.pipeline",
    # errors
    **dict.fromkeys(_errors.__all__, "filmkg.errors"),
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'filmkg' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
