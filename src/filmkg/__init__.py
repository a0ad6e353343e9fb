"""filmkg: an open knowledge graph of film relationships, and the toolkit around it.

The public API is re-exported here and imported lazily, so ``import filmkg`` stays cheap.

>>> import filmkg
>>> filmkg.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name → module that defines it
_EXPORTS: dict[str, str] = {
    "KnowledgeGraph": "filmkg.engines.store",
    "QueryResult": "filmkg.sparql.results",
    "NamedQuery": "filmkg.sparql.catalogue",
    "FilmKGError": "filmkg.errors",
    "ParseError": "filmkg.errors",
    "parse_file": "filmkg.io.loading",
    "Endpoint": "filmkg.engines.remote",
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
