"""Strict, network-free parsing of RDF files.

Every RDF file filmkg reads goes through :func:`parse_file` or :func:`parse_bytes`: the
W3C-conformant pyoxigraph parsers (rdflib's accept broken RDF), never a URL, and errors
reported as one :class:`~filmkg.errors.ParseError` naming file, line and column.

>>> quads = parse_bytes(b'<https://e.org/a> <https://e.org/b> "c" .', fmt="nt")
>>> len(quads)
1
>>> parse_bytes(b'<https://e.org/a> <https://e.org/b> "c', fmt="nt", path="x.nt")
Traceback (most recent call last):
...
filmkg.errors.ParseError: x.nt:1:37: Unexpected end of file
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from filmkg.errors import ParseError, SourceNotFoundError

__all__ = ["FORMATS", "format_for", "parse_bytes", "parse_error", "parse_file"]

#: Accepted format names (short names, file extensions and media types) → pyoxigraph format.
FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "text/turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "application/trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}

_LOCATION = re.compile(r"line (\d+) (?:between columns|at column|column) (\d+)")


def format_for(path: str | Path, fmt: str | None = None) -> ox.RdfFormat:
    """The RDF format named by ``fmt``, or guessed from the file extension.

    >>> format_for("film.ttl").name
    'Turtle'
    >>> format_for("x", "application/n-quads").name
    'N-Quads'
    """
    key = (fmt or Path(path).suffix.lstrip(".")).lower()
    try:
        return FORMATS[key]
    except KeyError:
        known = ", ".join(sorted({k for k in FORMATS if "/" not in k}))
        raise ParseError(
            f"unknown RDF format {key!r}" if key else "cannot tell the RDF format",
            path=str(path),
            hint=f"give the file a known extension or format name ({known})",
        ) from None


def parse_bytes(
    data: bytes,
    *,
    fmt: str | ox.RdfFormat,
    path: str = "<input>",
    base_iri: str | None = None,
) -> list[ox.Quad]:
    """Parse ``data`` strictly; raise :class:`ParseError` with the location on bad input."""
    rdf_format = fmt if isinstance(fmt, ox.RdfFormat) else format_for(path, fmt)
    if not data.strip():
        raise ParseError("the file is empty", path=path, hint="give a file with RDF data")
    try:
        return list(ox.parse(data, format=rdf_format, base_iri=base_iri))
    except SyntaxError as exc:
        raise parse_error(exc, path) from None
    except (ValueError, OSError) as exc:
        raise ParseError(str(exc), path=path) from None


def parse_file(
    path: str | Path, *, fmt: str | None = None, base_iri: str | None = None
) -> list[ox.Quad]:
    """Read and parse one local RDF file (never a URL).

    The format comes from ``fmt`` or the file extension.
    """
    p = Path(path)
    rdf_format = format_for(p, fmt)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise SourceNotFoundError(f"{p}: no such file", hint="check the path") from None
    except IsADirectoryError:
        raise SourceNotFoundError(f"{p}: is a directory", hint="name a file") from None
    except OSError as exc:
        raise SourceNotFoundError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_bytes(data, fmt=rdf_format, path=str(p), base_iri=base_iri)


def parse_error(exc: SyntaxError, path: str) -> ParseError:
    """The :class:`ParseError` (file, line, column) for a pyoxigraph ``SyntaxError``."""
    text = str(exc.args[0]) if exc.args else str(exc)
    line, column = exc.lineno, exc.offset
    match = _LOCATION.search(text)
    if match:
        groups = [g for g in match.groups() if g is not None]
        line, column = int(groups[0]), int(groups[1])
    message = re.sub(
        r"^Parser error at line \d+ (between columns \d+ and \d+|at column \d+|column \d+): ",
        "",
        text,
    )
    return ParseError(message, path=path, line=line, column=column)
