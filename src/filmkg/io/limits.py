"""The safety limits that keep untrusted input from hanging or crashing filmkg.

One frozen :class:`Limits` holds every limit, with documented defaults. Each limit can be
changed by an environment variable (``FILMKG_MAX_INPUT_BYTES=512M``) or by passing a
``Limits`` to the function that enforces it (``parse_file(path, limits=...)``); an explicit
argument wins over the environment, the environment over the default. SECURITY.md lists
them all.

========================  ===============================  =======  ===========================
field                     environment variable             default  guards against
========================  ===============================  =======  ===========================
max_input_bytes           FILMKG_MAX_INPUT_BYTES           256 MiB  huge files
max_line_bytes            FILMKG_MAX_LINE_BYTES            1 MiB    N-Triples/N-Quads long lines
max_nesting_depth         FILMKG_MAX_NESTING_DEPTH         100      deep Turtle/TriG/JSON-LD
max_xml_entity_expansion  FILMKG_MAX_XML_ENTITY_EXPANSION  16 MiB   RDF/XML entity bombs
query_timeout_s           FILMKG_QUERY_TIMEOUT             30 s     runaway SPARQL queries
max_rows                  FILMKG_MAX_ROWS                  100,000  huge SPARQL results
========================  ===============================  =======  ===========================

Sizes accept a K, M or G suffix (binary units). ``max_xml_entity_expansion=0`` refuses every
XML entity declaration.

>>> Limits().max_nesting_depth
100
>>> Limits.from_env({"FILMKG_MAX_INPUT_BYTES": "2M"}).max_input_bytes
2097152
>>> Limits().replace(max_rows=10).max_rows
10
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from filmkg.errors import UsageError

__all__ = ["ENV_VARS", "Limits", "describe_limit", "resolve_limits"]

KIB = 1024
MIB = 1024 * KIB

#: Limits field → the environment variable that sets it.
ENV_VARS: dict[str, str] = {
    "max_input_bytes": "FILMKG_MAX_INPUT_BYTES",
    "max_line_bytes": "FILMKG_MAX_LINE_BYTES",
    "max_nesting_depth": "FILMKG_MAX_NESTING_DEPTH",
    "max_xml_entity_expansion": "FILMKG_MAX_XML_ENTITY_EXPANSION",
    "query_timeout_s": "FILMKG_QUERY_TIMEOUT",
    "max_rows": "FILMKG_MAX_ROWS",
}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": KIB, "m": MIB, "g": 1024 * MIB}


@dataclass(frozen=True)
class Limits:
    """Every safety limit of filmkg, with its default.

    Sizes are in bytes, the timeout in seconds. See the module docstring for the
    environment variable of each field.
    """

    #: Largest RDF input read (file or bytes).
    max_input_bytes: int = 256 * MIB
    #: Longest line of an N-Triples / N-Quads input (their parsers work line by line).
    max_line_bytes: int = 1 * MIB
    #: Deepest nesting of collections / blank-node property lists (Turtle, TriG) and of
    #: arrays / objects (JSON-LD), checked before parsing.
    max_nesting_depth: int = 100
    #: Most bytes that RDF/XML entity references may expand to in one file; 0 refuses
    #: every entity declaration. External and parameter entities are always refused.
    max_xml_entity_expansion: int = 16 * MIB
    #: Longest time an ad-hoc query may run before its worker process is stopped.
    query_timeout_s: float = 30.0
    #: Most rows (or triples) an ad-hoc query may return.
    max_rows: int = 100_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, overridden by the ``FILMKG_*`` environment variables that are set.

        >>> Limits.from_env({"FILMKG_QUERY_TIMEOUT": "2.5"}).query_timeout_s
        2.5
        >>> Limits.from_env({"FILMKG_MAX_ROWS": "many"})
        Traceback (most recent call last):
        ...
        filmkg.errors.UsageError: FILMKG_MAX_ROWS='many' is not a number; give e.g. ...
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            name = ENV_VARS[field.name]
            raw = env.get(name)
            if raw is None or not raw.strip():
                continue
            values[field.name] = _parse_value(name, raw, float if field.type == "float" else int)
        return cls(**values)

    def replace(self, **changes: Any) -> Limits:
        """A copy with some fields changed (``None`` values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def resolve_limits(limits: Limits | None) -> Limits:
    """``limits`` if given, else the defaults overridden by the environment."""
    return limits if limits is not None else Limits.from_env()


def describe_limit(field: str, value: float) -> str:
    """How to raise one limit, for error messages.

    >>> print(describe_limit("max_line_bytes", 1048576))
    limit 1,048,576 (max_line_bytes); raise it with FILMKG_MAX_LINE_BYTES=<n> or ...
    """
    shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return f"limit {shown} ({field}); raise it with {ENV_VARS[field]}=<n> or Limits({field}=...)"


def _parse_value(name: str, raw: str, kind: type) -> int | float:
    if kind is float:
        try:
            number = float(raw)
        except ValueError:
            number = -1.0
        if number > 0:
            return number
        raise UsageError(f"{name}={raw!r} is not a positive number", hint=f"give e.g. {name}=30")
    match = _SIZE.match(raw)
    if not match:
        raise UsageError(f"{name}={raw!r} is not a number", hint=f"give e.g. {name}=100000")
    unit = (match.group(2) or "").lower()[:1]
    return int(float(match.group(1)) * _UNITS[unit])
