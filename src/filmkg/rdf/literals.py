"""Well-formedness of typed literals, checked at load time with the place in the file.

RDF parsers accept ill-typed literals such as ``"2024-13-45"^^xsd:date`` (they are legal
RDF, just meaningless). filmkg rejects them when loading, naming file, line and column,
because every one of them is a typo in someone's data.

>>> well_formed("2024-11-15", XSD + "date")
True
>>> well_formed("2024-13-45", XSD + "date")
False
>>> well_formed("1994", XSD + "gYear")
True
>>> well_formed("PT2H22M", XSD + "duration"), well_formed("142 min", XSD + "duration")
(True, False)
"""

from __future__ import annotations

import datetime as dt
import mmap
import re
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from filmkg.errors import ParseError

__all__ = ["XSD", "check_file_literals", "check_literals", "well_formed"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_TZ = r"(Z|[+-](0\d|1[0-4]):[0-5]\d)?"


def _date(text: str) -> bool:
    match = re.fullmatch(r"(-?\d{4,})-(\d\d)-(\d\d)" + _TZ, text)
    if not match:
        return False
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    try:
        dt.date(2000 if not 1 <= year <= 9999 else year, month, day)
    except ValueError:
        return False
    return True


def _datetime(text: str) -> bool:
    date, _, time = text.partition("T")
    return _date(date) and bool(
        re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?" + _TZ, time)
    )


_CHECKS: dict[str, Callable[[str], bool]] = {
    "date": _date,
    "dateTime": _datetime,
    "gYear": lambda t: bool(re.fullmatch(r"-?\d{4,}" + _TZ, t)),
    "gYearMonth": lambda t: bool(re.fullmatch(r"-?\d{4,}-(0[1-9]|1[0-2])" + _TZ, t)),
    "integer": lambda t: bool(re.fullmatch(r"[+-]?\d+", t)),
    "nonNegativeInteger": lambda t: bool(re.fullmatch(r"\+?\d+|-0+", t)),
    "decimal": lambda t: bool(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t)),
    "double": lambda t: bool(re.fullmatch(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN", t)),
    "boolean": lambda t: t in {"true", "false", "1", "0"},
    # ISO 8601 durations: PT2H22M (at least one part; a T only before a time part)
    "duration": lambda t: bool(
        re.fullmatch(
            r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?", t
        )
    ),
}


def well_formed(lexical: str, datatype: str) -> bool:
    """Whether ``lexical`` is a valid form of ``datatype`` (unknown datatypes pass)."""
    if not datatype.startswith(XSD):
        return True
    check = _CHECKS.get(datatype[len(XSD) :])
    return check is None or check(lexical)


def check_literals(quads: Iterable[ox.Quad], data: bytes, path: str) -> None:
    """Raise :class:`ParseError` at the first ill-typed literal, located in ``data``."""
    for quad in quads:
        obj = quad.object
        if isinstance(obj, ox.Literal) and not well_formed(obj.value, obj.datatype.value):
            kind = obj.datatype.value[len(XSD) :]
            line, column = _locate(data, obj.value)
            raise ParseError(
                f'"{obj.value}" is not a valid xsd:{kind}',
                path=path,
                line=line,
                column=column,
                hint=_HINTS.get(kind, f"write a valid xsd:{kind} value"),
            )


def check_file_literals(path: str, fmt: ox.RdfFormat) -> None:
    """:func:`check_literals` for a big file, without parsing it in Python.

    For N-Triples / N-Quads (where every typed literal is written out in full) a regular
    expression over the memory-mapped file finds the literals of the checked datatypes;
    each distinct lexical form is checked once. Other formats are parsed (streamed).
    """
    if fmt not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            check_literals(ox.parse(path=path, format=fmt), data, path)  # type: ignore[arg-type]
        return
    names = "|".join(sorted(_CHECKS, key=len, reverse=True))
    pattern = re.compile(
        rb'"((?:[^"\\\n]|\\.)*)"\^\^<' + re.escape(XSD.encode()) + rb"(" + names.encode() + rb")>"
    )
    seen: set[tuple[bytes, bytes]] = set()
    with open(path, "rb") as f:
        if not f.seek(0, 2):
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for match in pattern.finditer(data):  # type: ignore[call-overload]
                key = (match[1], match[2])
                if key in seen:
                    continue
                seen.add(key)
                lexical, kind = match[1].decode("utf-8", "replace"), match[2].decode()
                if not well_formed(lexical, XSD + kind):
                    literal = ox.Literal(lexical, datatype=ox.NamedNode(XSD + kind))
                    check_literals([ox.Quad(_ANY, _ANY, literal)], data, path)  # type: ignore[arg-type]


_ANY = ox.NamedNode("urn:x-filmkg:any")


_HINTS = {
    "date": "write a real calendar date as YYYY-MM-DD",
    "gYear": "write a year as YYYY",
    "gYearMonth": "write a month as YYYY-MM",
    "integer": "write a whole number",
    "boolean": "write true or false",
    "duration": "write an ISO 8601 duration such as PT2H22M",
}


def _locate(data: bytes, lexical: str) -> tuple[int | None, int | None]:
    needle = lexical.encode("utf-8")
    for quoted in (b'"' + needle + b'"', b"'" + needle + b"'", needle):
        index = data.find(quoted)
        if index >= 0:
            before = data[:index]
            line = before.count(b"\n") + 1
            column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
            return line, column
    return None, None
