"""The review file: TOML a person edits, one ``[[candidate]]`` block per proposed fact.

TOML because a person can edit it in any editor, it has comments, and Python reads it
strictly (:mod:`tomllib`); a syntax error is reported with its line and column, and a
wrong value with the line of its key. Each block has ``decision = "pending"``; set it to
``"accept"`` or ``"reject"``, or correct a value (a name, the role, a date …) and accept.
An entity is ``{ name, class, iri, link, confidence }``: its ``iri`` decides who it is
(``link = "new"`` mints it; paste another IRI to link it elsewhere).

>>> from filmkg.extract.model import Candidate, EntityRef, Quote
>>> kg = "https://w3id.org/filmkg/id/"
>>> c = Candidate("Credit", {"work": EntityRef("Here", "Film", kg + "film/here", 0.0, "new"),
...     "agent": EntityRef("Tom Hanks", "Person", kg + "person/tom-hanks", 1.0, "label"),
...     "role": "cast-member"})
>>> c.add_evidence(Quote(0, 9, "Tom Hanks"), "credit.stars")
>>> src = SourceInfo("s1", "a.txt", "0" * 64, None, None, None, "a.txt.rejected")
>>> text = render(src, [("c0123456789ab", c)])
>>> review = parse(text, path="r.toml")
>>> review.candidates[0].fields["agent"].iri, review.candidates[0].line
('https://w3id.org/filmkg/id/person/tom-hanks', 13)
>>> parse(text.replace('"pending"', '"acept"'), path="r.toml")
Traceback (most recent call last):
filmkg.errors.ParseError: r.toml:15: decision 'acept' is not one of accept, reject, pending; ...
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from filmkg.errors import ParseError
from filmkg.extract.model import CLASSES, Candidate, EntityRef, FieldValue, Quote

__all__ = ["DECISIONS", "Review", "ReviewedCandidate", "SourceInfo", "parse", "render"]

DECISIONS = ("accept", "reject", "pending")
ROLES = ("director", "screenwriter", "cast-member", "producer", "executive-producer", "author")
_VALUES: dict[str, tuple[str, ...]] = {
    "role": ROLES,
    "status": ("planned", "happened", "superseded"),
    "rights": ("international-rights", "theatrical-distribution", "streaming-distribution"),
}
_RELEASE_KINDS = ("wide", "limited", "exclusive", "theatrical", "streaming")
_ENTITY_FIELDS = {
    "work",
    "agent",
    "source_work",
    "holder",
    "territory",
    "subject",
    "parent",
    "earlier_work",
    "later_work",
}
_LIST_FIELDS = {"places", "partners", "members"}
_COMMON = {"id", "decision", "class", "rules", "confidence", "note", "evidence"}
_HEADER = """\
# filmkg extract: candidate facts for review, one [[candidate]] block each.
# Set decision = "accept" or "reject" (or leave "pending"). You may correct a value
# before accepting: a name, the role, a date, the kind or status of a release.
# An entity's iri decides who it is: link = "new" mints it; paste another IRI to link it
# to an entity the graph has. Then run:  filmkg accept THIS_FILE -o accepted.trig
"""


@dataclass(frozen=True)
class SourceInfo:
    """The source text a review is about."""

    id: str
    text: str
    sha256: str
    publisher: str | None
    date: str | None
    url: str | None
    rejections: str


@dataclass
class ReviewedCandidate:
    """A candidate block as the reviewer left it."""

    id: str
    decision: str
    cls: str
    fields: dict[str, FieldValue]
    quotes: list[Quote]
    rules: list[str]
    note: str | None
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Review:
    """A parsed review file."""

    source: SourceInfo
    candidates: list[ReviewedCandidate]


# -- writing ------------------------------------------------------------------------------
def _s(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _entity(ref: EntityRef) -> str:
    return (
        f"{{ name = {_s(ref.name)}, class = {_s(ref.cls)}, iri = {_s(ref.iri or '')}, "
        f"link = {_s(ref.how)}, confidence = {ref.confidence:.2f} }}"
    )


def render(source: SourceInfo, candidates: list[tuple[str, Candidate]]) -> str:
    """The review file for ``candidates`` (id, candidate) of ``source``."""
    out = [_HEADER, "[source]"]
    for key in ("id", "text", "sha256", "publisher", "date", "url", "rejections"):
        value = getattr(source, key)
        if value is not None:
            out.append(f"{key} = {_s(value)}")
    for cid, c in candidates:
        out += [
            "",
            "[[candidate]]",
            f"id = {_s(cid)}",
            'decision = "pending"',
            f"class = {_s(c.cls)}",
            f"rules = {_s(c.rules)}",
            f"confidence = {c.confidence:.2f}",
        ]
        if c.note:
            out.append(f"note = {_s(c.note)}  # read, not stated word for word")
        for name in CLASSES[c.cls]:
            value = c.fields.get(name)
            if value is None or value == []:
                if name == "territory":
                    out.append('territory = ""  # not stated: fill in a place, or reject')
                continue
            if isinstance(value, EntityRef):
                out.append(f"{name} = {_entity(value)}")
            elif isinstance(value, list):
                out.append(f"{name} = [")
                out += [f"  {_entity(v)}," for v in value if isinstance(v, EntityRef)]
                out.append("]")
            else:
                out.append(f"{name} = {_s(value)}")
        out.append("evidence = [")
        out += [
            f"  {{ start = {q.start}, end = {q.end}, quote = {_s(q.text)} }}," for q in c.quotes
        ]
        out.append("]")
    return "\n".join(out) + "\n"


# -- reading ------------------------------------------------------------------------------
class _Lines:
    """Line numbers of each candidate block and of the keys in it."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.blocks = [
            i + 1 for i, line in enumerate(self.lines) if line.strip() == "[[candidate]]"
        ]
        self.source = next(
            (i + 1 for i, line in enumerate(self.lines) if line.strip() == "[source]"), 1
        )

    def key(self, block: int, key: str) -> int:
        start = self.blocks[block] if block >= 0 else self.source
        nexts = [b for b in self.blocks if b > start]
        end = nexts[0] if nexts else len(self.lines) + 1
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start, end):
            if pattern.match(self.lines[n - 1]):
                return n
        return start


def parse(text: str, *, path: str) -> Review:
    """Read a review file strictly; every problem is a :class:`ParseError` with its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line, column = (int(found[1]), int(found[2])) if found else (None, None)
        raise ParseError(
            f"not valid TOML: {message}",
            path=path,
            line=line,
            column=column,
            hint="fix the quoting or brackets on that line",
        ) from None
    lines = _Lines(text)
    unknown = set(data) - {"source", "candidate"}
    if unknown:
        raise ParseError(
            f"unknown table {sorted(unknown)[0]!r}",
            path=path,
            line=1,
            hint="a review has [source] and [[candidate]] blocks only",
        )
    source = _source(data.get("source"), path, lines)
    blocks = data.get("candidate", [])
    if not isinstance(blocks, list):
        raise ParseError("candidate must be [[candidate]] blocks", path=path, line=1)
    return Review(source, [_candidate(b, i, path, lines) for i, b in enumerate(blocks)])


def _source(data: Any, path: str, lines: _Lines) -> SourceInfo:
    if not isinstance(data, dict):
        raise ParseError(
            "no [source] table", path=path, line=1, hint="keep the [source] block extract wrote"
        )
    values: dict[str, str | None] = {}
    for key in ("id", "text", "sha256", "publisher", "date", "url", "rejections"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ParseError(f"source {key} must be a string", path=path, line=lines.key(-1, key))
        if value is None and key in ("id", "text", "sha256", "rejections"):
            raise ParseError(
                f"[source] has no {key}",
                path=path,
                line=lines.source,
                hint="keep the [source] block extract wrote",
            )
        values[key] = value
    return SourceInfo(**values)  # type: ignore[arg-type]


def _fail(message: str, path: str, line: int, hint: str | None = None) -> ParseError:
    return ParseError(message, path=path, line=line, hint=hint)


def _choice(value: object, allowed: tuple[str, ...], what: str, path: str, line: int) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    close = difflib.get_close_matches(str(value), allowed, n=1)
    hint = f"did you mean {close[0]!r}?" if close else None
    raise _fail(f"{what} {value!r} is not one of {', '.join(allowed)}", path, line, hint)


def _candidate(data: Any, index: int, path: str, lines: _Lines) -> ReviewedCandidate:
    line = lines.blocks[index] if index < len(lines.blocks) else 1
    if not isinstance(data, dict):
        raise _fail("a candidate must be a table", path, line)
    cls = _choice(data.get("class"), tuple(CLASSES), "class", path, lines.key(index, "class"))
    allowed = _COMMON | set(CLASSES[cls])
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            raise _fail(
                f"{cls} has no field {key!r}",
                path,
                lines.key(index, key),
                f"did you mean {close[0]!r}?" if close else None,
            )
    cid = data.get("id")
    if not isinstance(cid, str) or not re.fullmatch(r"c[0-9a-f]{12}", cid):
        raise _fail(
            f"candidate id {cid!r} is not one extract wrote",
            path,
            lines.key(index, "id"),
            "keep the id line as it was",
        )
    decision = _choice(
        data.get("decision"), DECISIONS, "decision", path, lines.key(index, "decision")
    )
    fields = {
        k: _field(k, v, path, lines.key(index, k)) for k, v in data.items() if k in CLASSES[cls]
    }
    quotes = _quotes(data.get("evidence"), path, lines.key(index, "evidence"))
    rules = data.get("rules", [])
    note = data.get("note")
    return ReviewedCandidate(
        cid,
        decision,
        cls,
        fields,
        quotes,
        [str(r) for r in rules] if isinstance(rules, list) else [],
        note if isinstance(note, str) and note else None,
        line,
        {k: lines.key(index, k) for k in data},
    )


def _field(key: str, value: Any, path: str, line: int) -> FieldValue:
    if key in _ENTITY_FIELDS:
        return _entity_value(key, value, path, line) if value != "" else None
    if key in _LIST_FIELDS:
        if not isinstance(value, list):
            raise _fail(f"{key} must be a list of entities", path, line)
        return [_entity_value(key, v, path, line) for v in value]
    if key in _VALUES:
        return _choice(value, _VALUES[key], key, path, line)
    if key == "kind" and isinstance(value, str) and value in (*_RELEASE_KINDS, "label"):
        return value
    if key in ("date", "planned_since"):
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise _fail(f"{key} {value!r} is not a date (YYYY-MM-DD)", path, line) from None
    if key == "year" and not re.fullmatch(r"\d{4}", str(value)):
        raise _fail(f"year {value!r} is not a four-digit year", path, line)
    if key in ("shares_title", "starring") and not isinstance(value, bool):
        raise _fail(f"{key} must be true or false", path, line)
    if key == "gap_years" and not (isinstance(value, int) and value >= 0):
        raise _fail("gap_years must be a whole number of years", path, line)
    if not isinstance(value, str | int | bool):
        raise _fail(f"{key} must be a plain value", path, line)
    return value


def _entity_value(key: str, value: Any, path: str, line: int) -> EntityRef:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise _fail(f"{key} must be {{ name = …, class = …, iri = … }}", path, line)
    name, cls, iri = value["name"].strip(), value.get("class"), value.get("iri", "")
    if not name:
        raise _fail(f"{key} has an empty name", path, line)
    if not isinstance(cls, str) or not isinstance(iri, str):
        raise _fail(f"{key} needs a class and an iri (strings)", path, line)
    if iri and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", iri):
        raise _fail(f"{key} iri {iri!r} is not an http(s) IRI", path, line)
    confidence = value.get("confidence", 0.0)
    how = str(value.get("link", "new"))
    return EntityRef(name, cls, iri or None, float(confidence), how)


def _quotes(value: Any, path: str, line: int) -> list[Quote]:
    if not isinstance(value, list) or not value:
        raise _fail("evidence must list at least one { start, end, quote }", path, line)
    out = []
    for q in value:
        if not (
            isinstance(q, dict)
            and isinstance(q.get("start"), int)
            and isinstance(q.get("end"), int)
            and isinstance(q.get("quote"), str)
        ):
            raise _fail("each evidence needs start, end (numbers) and quote", path, line)
        out.append(Quote(q["start"], q["end"], q["quote"]))
    return out
