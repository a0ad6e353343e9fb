"""Strict, network-free, bounded parsing of RDF files.

Every RDF file filmkg reads goes through :func:`parse_file` or :func:`parse_bytes`: the
W3C-conformant pyoxigraph parsers (rdflib's accept broken RDF), never a URL, and errors
reported as one :class:`~filmkg.errors.ParseError` naming file, line and column.

Untrusted input is checked against the :class:`~filmkg.io.limits.Limits` *before* it reaches
the parser, with cheap linear scans, so that no input can hang or crash the process:

* input size (``max_input_bytes``), checked before a file is read;
* line length of N-Triples / N-Quads (``max_line_bytes``);
* nesting depth of Turtle / TriG collections and ``[ ]`` lists and of JSON-LD arrays and
  objects (``max_nesting_depth``; pyoxigraph's JSON-LD parser crashes the process at a
  few thousand levels);
* RDF/XML entities: a DTD may declare internal entities only while everything they expand
  to stays under ``max_xml_entity_expansion`` (the "billion laughs" and quadratic blow-up);
  external and parameter entities are refused.

Nothing is fetched: JSON-LD remote ``@context`` documents are refused with an error naming
the URL (pyoxigraph has no document loader; filmkg sets none), ``owl:imports`` are plain
triples, and RDF/XML external entities are refused.

>>> quads = parse_bytes(b'<https://e.org/a> <https://e.org/b> "c" .', fmt="nt")
>>> len(quads)
1
>>> parse_bytes(b'<https://e.org/a> <https://e.org/b> "c', fmt="nt", path="x.nt")
Traceback (most recent call last):
...
filmkg.errors.ParseError: x.nt:1:37: Unexpected end of file
>>> parse_bytes(b'<https://e.org/a> <https://e.org/b> ((((1)))) .', fmt="ttl",
...             limits=Limits(max_nesting_depth=3))
Traceback (most recent call last):
...
filmkg.errors.InputLimitError: <input>:1: nesting deeper than 3 levels; limit 3 ...
"""

from __future__ import annotations

import io
import json
import mmap
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from filmkg.errors import ForbiddenOperationError, InputLimitError, ParseError, SourceNotFoundError
from filmkg.io.limits import Limits, describe_limit, resolve_limits

__all__ = [
    "FORMATS",
    "Limits",
    "check_file",
    "check_input",
    "format_for",
    "parse_bytes",
    "parse_error",
    "parse_file",
]

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

_LOCATION = re.compile(
    r"line (\d+) between columns (\d+)|line (\d+) at column (\d+)|line (\d+) column (\d+)"
)
_LOCATION_PREFIX = re.compile(
    r"^Parser error (?:at line \d+ (?:between columns \d+ and \d+|at column \d+|column \d+)"
    r"|between \S+ and \S+): "
)
_LOCATION_SUFFIX = re.compile(r" \(line \d+\)$")

#: Above this size a located re-parse of a broken RDF/XML file is not attempted.
_MAX_RELOCATE_BYTES = 64 * 1024 * 1024


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
            hint=f"give the file a known extension or format name ({known}); on the command "
            "line, --input-format",
        ) from None


def parse_bytes(
    data: bytes,
    *,
    fmt: str | ox.RdfFormat,
    path: str = "<input>",
    base_iri: str | None = None,
    limits: Limits | None = None,
    allow_empty: bool = False,
) -> list[ox.Quad]:
    """Parse ``data`` strictly within ``limits``.

    Raises :class:`ParseError` with the location on bad input, :class:`InputLimitError`
    when a limit is passed, :class:`ForbiddenOperationError` for a JSON-LD remote context.
    An input of only white space is refused as "empty" (almost always a mistake) unless
    ``allow_empty`` (RDF 1.1 itself calls it a valid, empty document).
    """
    rdf_format = fmt if isinstance(fmt, ox.RdfFormat) else format_for(path, fmt)
    if not allow_empty and not data.strip():
        raise ParseError("the file is empty", path=path, hint="give a file with RDF data")
    check_input(data, fmt=rdf_format, path=path, limits=limits)
    try:
        return list(ox.parse(data, format=rdf_format, base_iri=base_iri))
    except SyntaxError as exc:
        raise parse_error(exc, path, data=data, fmt=rdf_format, base_iri=base_iri) from None
    except (ValueError, OSError) as exc:
        raise ParseError(_one_line(str(exc)), path=path) from None


def parse_file(
    path: str | Path,
    *,
    fmt: str | None = None,
    base_iri: str | None = None,
    limits: Limits | None = None,
    allow_empty: bool = False,
) -> list[ox.Quad]:
    """Read and parse one local RDF file (never a URL), within ``limits``.

    The format comes from ``fmt`` or the file extension. The size limit is checked before
    the file is read.
    """
    p = Path(path)
    rdf_format = format_for(p, fmt)
    lim = resolve_limits(limits)
    try:
        size = p.stat().st_size
        if size > lim.max_input_bytes:
            raise InputLimitError(
                f"{p}: file of {size:,} bytes is larger than allowed",
                hint=describe_limit("max_input_bytes", lim.max_input_bytes),
            )
        with p.open("rb") as handle:
            # read one byte past the limit, for files that grow or lie about their size
            data = handle.read(lim.max_input_bytes + 1)
    except FileNotFoundError:
        raise SourceNotFoundError(f"{p}: no such file", hint="check the path") from None
    except IsADirectoryError:
        raise SourceNotFoundError(f"{p}: is a directory", hint="name a file") from None
    except OSError as exc:
        raise SourceNotFoundError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_bytes(
        data, fmt=rdf_format, path=str(p), base_iri=base_iri, limits=lim, allow_empty=allow_empty
    )


# -- limits ------------------------------------------------------------------------------


def check_input(
    data: bytes, *, fmt: ox.RdfFormat, path: str = "<input>", limits: Limits | None = None
) -> None:
    """Check ``data`` against the limits for its format; raise :class:`InputLimitError`.

    Every check is a linear scan that does not build the parse tree, so it stays fast on
    hostile input (a megabyte of brackets, a 100 MB line).

    >>> json_ld = ox.RdfFormat.JSON_LD
    >>> check_input(b'{"a": [[[[1]]]]}', fmt=json_ld, limits=Limits(max_nesting_depth=4))
    Traceback (most recent call last):
    ...
    filmkg.errors.InputLimitError: <input>:1: nesting deeper than 4 levels; limit 4 ...
    """
    lim = resolve_limits(limits)
    if len(data) > lim.max_input_bytes:
        raise InputLimitError(
            f"{path}: input of {len(data):,} bytes is larger than allowed",
            hint=describe_limit("max_input_bytes", lim.max_input_bytes),
        )
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        _check_line_length(data, path, lim.max_line_bytes)
    elif fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.JSON_LD):
        _check_depth(data, fmt, path, lim.max_nesting_depth)
    elif fmt == ox.RdfFormat.RDF_XML:
        _check_xml_entities(data, path, lim.max_xml_entity_expansion)


def check_file(path: str | Path, *, fmt: ox.RdfFormat, limits: Limits | None = None) -> None:
    """Check a file that is streamed (bulk-loaded) rather than read whole.

    N-Triples and N-Quads, the formats for big files, are scanned through a memory map
    (no size limit: they stream). Other formats are read and checked like
    :func:`check_input`, so they are held to ``max_input_bytes``.
    """
    lim = resolve_limits(limits)
    p = Path(path)
    size = p.stat().st_size
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        if size:
            with (
                p.open("rb") as handle,
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m,
            ):
                _check_line_length(m, str(p), lim.max_line_bytes)
        return
    if size > lim.max_input_bytes:
        raise InputLimitError(
            f"{p}: file of {size:,} bytes is larger than allowed",
            hint=describe_limit("max_input_bytes", lim.max_input_bytes)
            + " (or convert it to N-Triples, which streams)",
        )
    check_input(p.read_bytes(), fmt=fmt, path=str(p), limits=lim)


def _line_of(data: bytes | mmap.mmap, offset: int) -> int:
    """The 1-based line of ``offset``; lines end with LF, CR LF or CR."""
    prefix = data[:offset]
    return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1


def _check_line_length(data: bytes | mmap.mmap, path: str, limit: int) -> None:
    """Find a line longer than ``limit`` in O(n) C-speed steps of about ``limit`` bytes."""
    pos, size = 0, len(data)
    while pos + limit < size:
        window_end = pos + limit + 1
        last_eol = max(data.rfind(b"\n", pos, window_end), data.rfind(b"\r", pos, window_end))
        if last_eol < 0:
            eol = min(
                (i for i in (data.find(b"\n", pos), data.find(b"\r", pos)) if i >= 0), default=size
            )
            raise InputLimitError(
                f"{path}:{_line_of(data, pos)}: line of {eol - pos:,} bytes is longer than allowed",
                hint=describe_limit("max_line_bytes", limit),
            )
        pos = last_eol + 1


# What can hide a bracket: strings, IRIs, comments and escapes (Turtle, TriG) ...
_TURTLE_LONG_STRINGS = re.compile(
    rb'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""' rb"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''", re.DOTALL
)
_TURTLE_HIDING = re.compile(
    rb'"[^"\\\r\n]*(?:\\[^\r\n][^"\\\r\n]*)*"'
    rb"|'[^'\\\r\n]*(?:\\[^\r\n][^'\\\r\n]*)*'"
    rb"|<[^<>\"{}|^`\\\x00-\x20]*>"
    rb"|#[^\r\n]*"
    rb"|\\[^\r\n]"
)
# ... and strings (JSON, which has no raw newline in a string).
_JSON_HIDING = re.compile(rb'"[^"\\\r\n]*(?:\\[^\r\n][^"\\\r\n]*)*"')
# Keep brackets (as "(" and ")") and newlines (for the line number); drop everything else.
_KEEP = b"()[]{}\n"
_DROP = bytes(b for b in range(256) if b not in _KEEP)
_AS_PARENS = bytes.maketrans(b"[]{}", b"()()")
_CHUNK = 1 << 16


def _bracket_skeleton(data: bytes, fmt: ox.RdfFormat) -> bytes:
    """Only the nesting brackets of ``data``, as ``(`` and ``)``, and its newlines."""
    if fmt == ox.RdfFormat.JSON_LD:
        return _JSON_HIDING.sub(b"", data).translate(_AS_PARENS, _DROP)
    masked = _TURTLE_LONG_STRINGS.sub(lambda m: b"\n" * m.group().count(b"\n"), data)
    masked = _TURTLE_HIDING.sub(b"", masked)
    # RDF-star quoted triples nest too; TriG's { } do not (graphs cannot nest)
    masked = masked.replace(b"{", b"").replace(b"}", b"")
    return masked.replace(b"<<", b"(").replace(b">>", b")").translate(_AS_PARENS, _DROP)


def _check_depth(data: bytes, fmt: ox.RdfFormat, path: str, limit: int) -> None:
    """Refuse input nested deeper than ``limit``, without recursion and at C speed.

    Strings, IRIs and comments are masked out with regular expressions; of the rest only
    brackets (as ``(`` / ``)``) and newlines are kept. That skeleton is walked in 64 KiB
    chunks: removing every innermost ``()`` pair pass after pass leaves ``)))(((``, and
    the passes needed plus the unmatched ``(`` bound how deep the chunk goes. Only a chunk
    that might pass the limit is walked bracket by bracket, to find the exact line.
    """
    openers = data.count(b"(") + data.count(b"[") + data.count(b"{") + data.count(b"<<")
    if openers <= limit:
        return  # cannot be deeper than the number of opening brackets
    skeleton = _bracket_skeleton(data, fmt)
    depth, line = 0, 1
    for start in range(0, len(skeleton), _CHUNK):
        chunk = skeleton[start : start + _CHUNK]
        residue, passes = chunk.replace(b"\n", b""), 0
        while passes <= limit and b"()" in residue:
            residue = residue.replace(b"()", b"")  # one level: replace() does not rescan
            passes += 1
        closing = residue.count(b")")
        opening = len(residue) - closing
        if depth + opening + passes <= limit:
            depth = max(0, depth - closing) + opening
            line += chunk.count(b"\n")
            continue
        for char in chunk:
            if char == 0x0A:
                line += 1
                continue
            depth = depth + 1 if char == 0x28 else max(0, depth - 1)
            if depth > limit:
                raise InputLimitError(
                    f"{path}:{line}: nesting deeper than {limit} levels",
                    hint=describe_limit("max_nesting_depth", limit),
                )


_ENTITY_DECL = re.compile(
    rb"<!ENTITY\s+(%\s+)?([^\s\"'>%]+)\s+(?:\"([^\"]*)\"|'([^']*)'|((?:SYSTEM|PUBLIC)\b[^>]*))\s*>"
)
_ENTITY_REF = re.compile(rb"&([^\s&;#<>\"'%]+);")


def _check_xml_entities(data: bytes, path: str, limit: int) -> None:
    """Bound what RDF/XML entity references can expand to; refuse external entities."""
    declared = data.count(b"<!ENTITY")
    if not declared:
        return
    hint = describe_limit("max_xml_entity_expansion", limit)
    if limit <= 0:
        raise InputLimitError(
            f"{path}:{_line_of(data, data.find(b'<!ENTITY'))}: XML entity declarations are refused",
            hint=hint,
        )
    values: dict[bytes, bytes] = {}
    end_of_declarations = 0
    for match in _ENTITY_DECL.finditer(data):
        end_of_declarations = match.end()
        where = f"{path}:{_line_of(data, match.start())}"
        name = match.group(2).decode("utf-8", "replace")
        if match.group(1):
            raise ForbiddenOperationError(
                f"{where}: XML parameter entity %{name}; is refused", hint="remove the DTD"
            )
        if match.group(5) is not None:
            raise ForbiddenOperationError(
                f"{where}: external XML entity &{name}; is refused "
                "(filmkg reads no file or URL the user did not name)",
                hint="replace the entity by its text",
            )
        values[match.group(2)] = match.group(3) if match.group(3) is not None else match.group(4)
    if len(values) != declared:
        raise InputLimitError(
            f"{path}: {declared} XML entity declarations, "
            f"of which only {len(values)} could be checked",
            hint='remove the DTD, or write each as <!ENTITY name "value">',
        )
    lengths: dict[bytes, int] = {}

    def expanded(name: bytes, stack: tuple[bytes, ...]) -> int:
        if name in lengths:
            return lengths[name]
        if name in stack:
            raise InputLimitError(
                f"{path}: XML entity &{name.decode(errors='replace')}; refers to itself",
                hint="fix the DTD",
            )
        value = values[name]
        total = len(value)
        for ref in _ENTITY_REF.finditer(value):
            if ref.group(1) in values:
                total += expanded(ref.group(1), (*stack, name)) - len(ref.group())
        lengths[name] = total
        return total

    # references after the last declaration: the document (values were counted above)
    refs = _ENTITY_REF.finditer(data, end_of_declarations)
    uses = Counter(m.group(1) for m in refs if m.group(1) in values)
    growth = sum(count * expanded(name, ()) for name, count in uses.items())
    if growth > limit:
        raise InputLimitError(f"{path}: XML entities would expand to {growth:,} bytes", hint=hint)


# -- errors ------------------------------------------------------------------------------


def parse_error(
    exc: SyntaxError,
    path: str,
    *,
    data: bytes | None = None,
    fmt: ox.RdfFormat | None = None,
    base_iri: str | None = None,
) -> ParseError | ForbiddenOperationError:
    """The :class:`ParseError` (file, line, column) for a pyoxigraph ``SyntaxError``.

    Given the parsed ``data``, an RDF/XML error (which pyoxigraph reports without a
    position) gets its line, and a JSON-LD remote context is named.
    """
    text = _one_line(str(exc.args[0]) if exc.args else str(exc))
    if "LoadDocumentCallback" in text:
        return _remote_context_error(data or b"", path)
    line, column = exc.lineno, exc.offset
    match = _LOCATION.search(text)
    if match:
        groups = [g for g in match.groups() if g is not None]
        line, column = int(groups[0]), int(groups[1])
    message = _LOCATION_SUFFIX.sub("", _LOCATION_PREFIX.sub("", text))
    if (
        line is None
        and data is not None
        and fmt == ox.RdfFormat.RDF_XML
        and len(data) <= _MAX_RELOCATE_BYTES
    ):
        line = _locate_xml_error(data, base_iri)
    return ParseError(message, path=path, line=line, column=column)


class _LineReader(io.RawIOBase):
    """Feeds a parser one line per read, so the last read tells where it failed."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.last_read_at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.last_read_at = self._data.tell()
        line = self._data.readline(len(buffer))
        buffer[: len(line)] = line
        return len(line)


def _locate_xml_error(data: bytes, base_iri: str | None) -> int | None:
    """The line of an RDF/XML error that pyoxigraph reports without a position.

    The parser reads as little as it can: feeding it one line at a time, the error is
    raised while the offending line is the last one read.
    """
    reader = _LineReader(data)
    try:
        for _ in ox.parse(
            cast("IO[bytes]", reader), format=ox.RdfFormat.RDF_XML, base_iri=base_iri
        ):
            pass
    except SyntaxError:
        return _line_of(data, reader.last_read_at)
    return None


def _remote_context_error(data: bytes, path: str) -> ForbiddenOperationError:
    try:
        urls = sorted(set(_remote_contexts(json.loads(data))))
    except (ValueError, RecursionError):
        urls = []
    named = ", ".join(f"<{u}>" for u in urls) or "a remote document"
    return ForbiddenOperationError(
        f"{path}: JSON-LD @context {named} is not fetched (filmkg makes no network request "
        "and reads no file while parsing)",
        hint="inline the context: replace the URL in the file by the context's JSON object",
    )


def _remote_contexts(node: Any) -> Iterator[str]:
    """Every context URL (``@context`` strings and ``@import``) in a JSON-LD document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for ctx in value if isinstance(value, list) else [value]:
                    if isinstance(ctx, str):
                        yield ctx
                    elif isinstance(ctx, dict) and isinstance(ctx.get("@import"), str):
                        yield ctx["@import"]
            yield from _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _remote_contexts(item)


def _one_line(text: str) -> str:
    return " ".join(text.split())
