"""Checks of a mapping against the data it is run on, before anything is made or written.

:func:`mapping_problems` compares every field a mapping reads (``{field}`` in templates,
``each``, ``evidence``, ``where``, ``[[map.check]] field``) with the fields the source
has: the CSV header, the keys seen in the JSON objects, the properties of the Cypher
nodes and relationships a map takes. A ``where`` that no record matches is a problem too.
Each problem is one line naming the mapping file and table, with a "did you mean".

:func:`loss_problem` is the check after an import: one that makes no films, or loses more
than a share of the records its maps take, fails unless allowed (:class:`Limits`).

>>> from filmkg.importers.tables import Record
>>> from filmkg.importers.mapping import parse_mapping
>>> m = parse_mapping('''
... [source]
... id = "tiny"
... format = "csv"
... [dataset]
... title = "Tiny"
... [[map]]
... table = "rows"
... [[map.entity]]
... name = "film"
... class = "Film"
... label = "{Series_Titel}"
... ''', path="tiny.toml")
>>> rows = {"rows": [Record("rows", {"Series_Title": "Heat", "_row": 1})]}
>>> print(mapping_problems(m, rows)[0])  # doctest: +NORMALIZE_WHITESPACE
tiny.toml: [[map]] #1 (table rows) entity 'film' label: unknown column 'Series_Titel';
did you mean 'Series_Title'?
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from filmkg.errors import ImportLossError, ParseError
from filmkg.importers.mapping import Mapping as ImportMapping
from filmkg.importers.mapping import RecordMap, ValueSpec
from filmkg.importers.quality import Issue
from filmkg.importers.tables import NOTES, Record

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_LOSS",
    "ImportLossError",
    "Limits",
    "loss_problem",
    "mapping_problems",
    "matches_where",
]

#: The share of the records a mapping takes that an import may lose (make nothing of).
DEFAULT_MAX_LOSS = 0.05

_FIELD = re.compile(r"\{([^{}|]*)")
_ITEM_FIELDS = frozenset({"@", "@raw", "@role", "@column"})
_WHAT = {"csv": "column", "json": "key", "cypher": "property"}


@dataclass(frozen=True)
class Limits:
    """What an import may lose before it fails: a share of its records, or all its films.

    >>> Limits().max_loss, Limits().allow_empty
    (0.05, False)
    """

    max_loss: float = DEFAULT_MAX_LOSS
    allow_empty: bool = False


@dataclass(frozen=True)
class _Ref:
    where: str
    name: str
    item: bool  # read in the context of one item of an 'each' entity


def _names(template: str | None) -> list[str]:
    return [m.strip() for m in _FIELD.findall(template or "")]


def _spec_names(spec: ValueSpec) -> list[str]:
    return _names(spec.join) if spec.kind == "entity" else _names(spec.template)


def _properties(where: str, props: Mapping[str, list[ValueSpec]], item: bool) -> Iterator[_Ref]:
    for prop, specs in props.items():
        for spec in specs:
            for name in _spec_names(spec):
                yield _Ref(f"{where} property {prop!r}", name, item)


def _references(rmap: RecordMap, where: str, record: str | None) -> Iterator[_Ref]:
    """Every field a map reads, with where in the mapping it is read."""
    for name in _names(rmap.record or record):
        yield _Ref(f"{where} record", name, False)
    for check in rmap.checks:
        yield _Ref(f"{where} check", check.field, False)
    for e in rmap.entities:
        ew = f"{where} entity {e.name!r}"
        item = e.each is not None or bool(e.columns)
        if e.each is not None:
            yield _Ref(f"{ew} each", e.each, False)
        for column in e.columns:
            yield _Ref(f"{ew} columns", column, False)
        for key in ("label", "year", "identity"):
            for name in _names(getattr(e, key)):
                yield _Ref(f"{ew} {key}", name, item)
        yield from _properties(ew, e.properties, item)
    for j, a in enumerate(rmap.assertions, start=1):
        aw = f"{where} assertion #{j} ({a.cls})"
        if a.evidence is not None:
            yield _Ref(f"{aw} evidence", a.evidence, a.each is not None)
        yield from _properties(aw, a.properties, a.each is not None)
    for link in rmap.links:
        for end in (link.subject, link.object):
            for name in _spec_names(end):
                yield _Ref(f"{where} link", name, False)


def matches_where(rec: Record, where: Mapping[str, str]) -> bool:
    """Whether a record has every ``field = value`` of a map's ``where``.

    >>> matches_where(Record("rows", {"type": "Movie"}), {"type": "Movie"})
    True
    >>> matches_where(Record("nodes", {"_labels": ["Person"]}), {"_labels": "Person"})
    True
    """
    return all(_eq(rec.fields.get(k), v) for k, v in where.items())


def _eq(value: Any, expected: str) -> bool:
    if isinstance(value, list):
        return expected in [str(v) for v in value]
    if isinstance(value, bool):
        return str(value).lower() == expected
    return value is not None and str(value) == expected


def _suggest(name: str, known: Sequence[str]) -> str | None:
    close = _close(name, known)
    return f"did you mean {close!r}?" if close else _known(known)


def _values(records: Sequence[Record], key: str) -> list[str]:
    seen: dict[str, None] = {}
    for rec in records:
        v = rec.fields.get(key)
        for item in v if isinstance(v, list) else [v]:
            if item is not None and len(seen) < 10_000:
                seen.setdefault(str(item).lower() if isinstance(item, bool) else str(item))
    return list(seen)


def _where_problems(
    m: ImportMapping, rmap: RecordMap, where: str, records: Sequence[Record], notes: list[Issue]
) -> list[ParseError]:
    """A map no record matches: a misspelled where key or value, or a note."""
    keys: dict[str, None] = {}
    for rec in records:
        keys.update(dict.fromkeys(rec.fields))
    for key, value in rmap.where.items():
        if key not in keys:
            close = _close(key, list(keys))
            hint = f"did you mean {close!r}?" if close else _known(list(keys))
            what = _WHAT.get(m.fmt, "field")
            return [ParseError(f"{where} where: unknown {what} {key!r}", path=m.path, hint=hint)]
        seen = _values(records, key)
        close = _close(value, seen) if value not in seen else None
        if close is not None:
            message = f"{where} where: no record has {key} = {value!r}"
            return [ParseError(message, path=m.path, hint=f"did you mean {close!r}?")]
    shown = ", ".join(f"{k} = {v!r}" for k, v in rmap.where.items())
    detail = f"no record of the source has {shown}: the map makes nothing"
    notes.append(Issue("unused-map", where, "where", shown, "nothing made", detail))
    return []


def _close(name: str, known: Sequence[str]) -> str | None:
    if not name.startswith("_"):  # a source field is not a misspelled reader field (_line)
        known = [k for k in known if not k.startswith("_")]
    folded = {k.casefold(): k for k in known}
    if name.casefold() in folded:
        return folded[name.casefold()]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else None


def _item_problem(m: ImportMapping, ref: _Ref) -> ParseError:
    hint = 'add each = "…" to the entity, or name a field'
    if ref.where.endswith(" label"):
        hint = 'add label = "{…}" naming the field that holds it'
    message = f"'{{{ref.name}}}' is one item of an 'each' entity, and there is none here"
    return ParseError(f"{ref.where}: {message}", path=m.path, hint=hint)


def _map_problems(
    m: ImportMapping, i: int, rmap: RecordMap, records: Sequence[Record], notes: list[Issue]
) -> list[ParseError]:
    where = f"[[map]] #{i} (table {rmap.table})"
    taken = [r for r in records if matches_where(r, rmap.where)]
    if not taken:
        return _where_problems(m, rmap, where, records, notes)
    keys: dict[str, None] = {}
    for rec in taken:
        keys.update(dict.fromkeys(rec.fields))
    known = list(keys)
    problems: list[ParseError] = []
    what = _WHAT.get(m.fmt, "field")
    for ref in _references(rmap, where, m.record):
        if ref.name in _ITEM_FIELDS:
            if not ref.item:
                problems.append(_item_problem(m, ref))
            continue
        if ref.name in keys:
            continue
        close = _close(ref.name, known)
        if m.fmt == "csv" or close is not None:
            message = f"{ref.where}: unknown {what} {ref.name!r}"
            hint = f"did you mean {close!r}?" if close else _known(known)
            problems.append(ParseError(message, path=m.path, hint=hint))
        else:  # JSON objects and Cypher nodes may leave a key out: none of these has it
            detail = f"no record of {where} has it: what the mapping reads from it is empty"
            notes.append(Issue("missing-field", ref.where, ref.name, "", "nothing read", detail))
    return problems


def _known(known: Sequence[str]) -> str | None:
    shown = [k for k in known if not k.startswith("_")][:8]
    return f"the source has {', '.join(repr(k) for k in shown)}" if shown else None


def mapping_problems(
    m: ImportMapping, tables: Mapping[str, Sequence[Record]], notes: list[Issue] | None = None
) -> list[ParseError]:
    """The mistakes of mapping ``m`` for these source tables: every one, in mapping order.

    Fields that JSON or Cypher records leave out, with no close spelling among the fields
    they have, are not mistakes: they are added to ``notes`` (``missing-field`` issues).
    """
    problems: list[ParseError] = []
    found: list[Issue] = []
    for i, rmap in enumerate(m.maps, start=1):
        records = tables.get(rmap.table, [])
        if records and rmap.table != NOTES:
            problems += _map_problems(m, i, rmap, records, found)
        elif not records:
            where = f"[[map]] #{i} (table {rmap.table})"
            detail = f"the source has no {rmap.table}: the map makes nothing"
            found.append(Issue("unused-map", where, "table", rmap.table, "nothing made", detail))
    if notes is not None:
        notes.extend(dict.fromkeys(found))
    return problems


def loss_problem(
    m: ImportMapping, films: int, taken: int, lost: Sequence[str], limits: Limits
) -> ImportLossError | None:
    """Why an import that made ``films`` films and lost ``lost`` of ``taken`` records fails.

    >>> from filmkg.importers.mapping import load_mapping
    >>> m = load_mapping("neo4j-movies")
    >>> print(loss_problem(m, 38, 100, ["line 7"] * 10, Limits()))  # doctest: +NORMALIZE_WHITESPACE
    neo4j-movies: 10 of 100 records (10%) made nothing (line 7, line 7, line 7 …);
    see the quality report, or allow it with --max-loss 0.1
    >>> loss_problem(m, 38, 100, ["line 7"] * 10, Limits(max_loss=0.1)) is None
    True
    """
    if films == 0 and not limits.allow_empty:
        return ImportLossError(
            f"{m.source_id}: the import makes no films ({taken} records taken by the mapping "
            f"{m.path})",
            hint="check the mapping with --check, or allow it with --allow-empty",
        )
    if taken and len(lost) / taken > limits.max_loss:
        share = len(lost) / taken
        first = ", ".join(lost[:3]) + (" …" if len(lost) > 3 else "")
        return ImportLossError(
            f"{m.source_id}: {len(lost)} of {taken} records ({share:.0%}) made nothing ({first})",
            hint=f"see the quality report, or allow it with --max-loss {_ceil(share)}",
        )
    return None


#: The limits an import has unless told otherwise.
DEFAULT_LIMITS = Limits()


def _ceil(share: float) -> str:
    """The smallest 'nice' share at or above ``share``: ``0.1``, ``0.25``, ``1``."""
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if share <= step:
            return f"{step:g}"
    return "1"
