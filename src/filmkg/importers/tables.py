"""Source records: CSV rows, JSON objects and Cypher nodes/relationships as flat tables.

Every reader yields :class:`Record` objects grouped by table name; a mapping picks a table
with ``table = "…"``. Fields that start with ``_`` are added by the reader (where the
record is, its raw text) and can be used in templates like any other field:

========  ===================  ===========================================================
format    tables               reader fields
========  ===================  ===========================================================
csv       ``rows``             ``_file``, ``_row`` (1-based data row), ``_line`` (line in file)
json      ``records``          ``_file``, ``_index`` (0-based position in the array)
cypher    ``nodes``            ``_var``, ``_label``, ``_labels``, ``_line``, ``_text``
cypher    ``relationships``    ``_type``, ``_start``, ``_end``, ``_index``, ``_line``, ``_text``
========  ===================  ===========================================================

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "f.csv").write_text('id,cast\\n1,"A, B"\\n', encoding="utf-8")
>>> [r.fields for r in read_tables("csv", [d / "f.csv"])["rows"]]
[{'id': '1', 'cast': 'A, B', '_file': 'f.csv', '_row': 1, '_line': 2}]
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filmkg.errors import ParseError, SourceNotFoundError
from filmkg.importers.cypher import read_cypher

__all__ = ["FORMATS", "NOTES", "Record", "read_tables"]

#: The source formats and the tables each one provides.
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": ("rows",),
    "json": ("records",),
    "cypher": ("nodes", "relationships"),
}


#: The table of reader notes (a Cypher schema statement skipped …): no mapping takes it,
#: the import lists each note in its quality report.
NOTES = "_notes"


@dataclass(frozen=True)
class Record:
    """One source record: its table and its fields (source fields plus ``_`` reader fields)."""

    table: str
    fields: dict[str, Any]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceNotFoundError(f"{path}: no such file", hint="check the source path") from None
    except IsADirectoryError:
        raise SourceNotFoundError(f"{path}: is a directory", hint="name a file") from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 ({exc.reason})", path=str(path)) from None
    except OSError as exc:
        raise SourceNotFoundError(f"{path}: cannot read ({exc.strerror})") from None


def _read_csv(path: Path) -> list[Record]:
    text = _read_text(path)
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    records: list[Record] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ParseError("the CSV file is empty", path=str(path), hint="give a header row")
        names = [h.strip() for h in header]
        line = reader.line_num + 1
        for row_number, row in enumerate(reader, start=1):
            if len(row) != len(names):
                raise ParseError(
                    f"row {row_number} has {len(row)} fields, the header has {len(names)}",
                    path=str(path),
                    line=line,
                    hint="check the quoting of that row",
                )
            fields: dict[str, Any] = dict(zip(names, row, strict=True))
            fields.update({"_file": path.name, "_row": row_number, "_line": line})
            records.append(Record("rows", fields))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(f"bad CSV: {exc}", path=str(path), line=reader.line_num) from None
    return records


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _is_text(value: Any) -> bool:
    """Whether every string in a JSON value is text (no lone surrogate from a bad escape)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(_is_text(v) for v in value)
    if isinstance(value, dict):
        return all(_is_text(k) and _is_text(v) for k, v in value.items())
    return True


def _lone_surrogate(text: str, path: Path) -> None:
    match = _LONE.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    column = match.start() - text.rfind("\n", 0, match.start()) if match else None
    escape = match.group(0) if match else "\\uD8xx"
    raise ParseError(
        f"{escape} is half of a surrogate pair, not a character",
        path=str(path),
        line=line,
        column=column,
        hint="fix the escape (an emoji is two escapes, \\uD83D\\uDE00)",
    )


def _read_json(path: Path) -> list[Record]:
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(exc.msg, path=str(path), line=exc.lineno, column=exc.colno) from None
    if _SURROGATE.search(text) and not _is_text(data):
        _lone_surrogate(text, path)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise ParseError(
                "expected an array of objects (or an object holding one array)", path=str(path)
            )
        data = lists[0]
    if not isinstance(data, list):
        raise ParseError("expected an array of objects", path=str(path))
    records: list[Record] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise ParseError(f"item {index} is not an object", path=str(path))
        fields = dict(item)
        fields.update({"_file": path.name, "_index": index})
        records.append(Record("records", fields))
    return records


def _read_cypher(path: Path) -> dict[str, list[Record]]:
    graph = read_cypher(path)
    nodes = [
        Record(
            "nodes",
            {
                **n.properties,
                "_var": n.var,
                "_label": n.labels[0] if n.labels else "",
                "_labels": list(n.labels),
                "_line": n.line,
                "_text": n.text,
                "_file": path.name,
            },
        )
        for n in graph.nodes
    ]
    rels = [
        Record(
            "relationships",
            {
                **r.properties,
                "_type": r.type,
                "_start": r.start,
                "_end": r.end,
                "_index": r.index,
                "_line": r.line,
                "_text": r.text,
                "_file": path.name,
            },
        )
        for r in graph.relationships
    ]
    notes = [
        Record(
            NOTES,
            {
                "kind": "schema-statement",
                "_line": st.line,
                "_text": st.text,
                "_file": path.name,
            },
        )
        for st in graph.skipped
    ]
    return {"nodes": nodes, "relationships": rels, NOTES: notes}


def read_tables(fmt: str, files: Sequence[Path]) -> dict[str, list[Record]]:
    """Read ``files`` (in order) in format ``fmt`` into tables of records (and :data:`NOTES`)."""
    tables: dict[str, list[Record]] = {name: [] for name in FORMATS[fmt]}
    tables[NOTES] = []
    for path in files:
        if fmt == "csv":
            tables["rows"].extend(_read_csv(path))
        elif fmt == "json":
            tables["records"].extend(_read_json(path))
        else:
            for name, records in _read_cypher(path).items():
                tables[name].extend(records)
    return tables
