"""A reader for Cypher ``CREATE`` scripts: the data-load subset, as a property graph.

Data sets such as the Neo4j movie graph are shipped as a script of ``CREATE`` statements.
This module reads that subset of openCypher — not a query engine — into plain rows that
a mapping (:mod:`filmkg.importers.mapping`) turns into RDF:

* ``CREATE`` followed by comma-separated path patterns;
* ``MATCH (a:Person {name: 'Ann'}), (m:Movie) WHERE m.title = 'X' CREATE (a)-[:R]->(m)``:
  each matched pattern must find exactly one node the script created before (by its
  labels and property values, from the pattern's map and ``WHERE var.key = value AND …``);
* schema statements (``CREATE CONSTRAINT …``, ``CREATE INDEX …``, ``DROP …``), as Neo4j's
  guides ship them, are skipped: each is kept in :attr:`CypherGraph.skipped` so an import
  can note it; statements end at ``;``, and variables are scoped by statement;
* node patterns ``(var:Label:Other {key: value, …})`` and references ``(var)``;
* relationship patterns ``-[:TYPE {…}]->`` and ``<-[:TYPE {…}]-`` (a relationship that
  ``CREATE`` makes must have one type and a direction);
* values: strings in single or double quotes with the escapes ``\\' \\" \\\\ \\n \\t \\r
  \\b \\f \\uXXXX``, integers, floats, ``true``/``false``/``null`` and lists of values;
* ``//`` and ``/* … */`` comments.

Anything else (``MERGE``, ``SET``, ``RETURN``, parameters …) is a :class:`ParseError` naming
the line and column. Each node and relationship keeps the line and the exact text it was
declared with, so evidence can quote it.

>>> g = parse_cypher("CREATE (a:Person {name: 'Ann', born: 70})-[:KNOWS {since: [1]}]->(b:Person)")
>>> [(n.var, n.labels, n.properties) for n in g.nodes]
[('a', ('Person',), {'name': 'Ann', 'born': 70}), ('b', ('Person',), {})]
>>> r = g.relationships[0]
>>> (r.type, r.start, r.end, r.properties)
('KNOWS', 'a', 'b', {'since': [1]})
>>> r.text
"(a:Person {name: 'Ann', born: 70})-[:KNOWS {since: [1]}]->(b:Person)"
>>> g.counts()
{'nodes': 2, 'relationships': 1, 'properties': 3, 'labels': 1}
>>> g = parse_cypher("CREATE INDEX FOR (p:Person) ON (p.name);\\n"
...                  "CREATE (:Person {name: 'Ann'}), (:Person {name: 'Bo'});\\n"
...                  "MATCH (a:Person {name: 'Ann'}), (b:Person) WHERE b.name = 'Bo' "
...                  "CREATE (a)-[:KNOWS]->(b);")
>>> [(s.line, s.text) for s in g.skipped]
[(1, 'CREATE INDEX FOR (p:Person) ON (p.name)')]
>>> [(r.type, r.start, r.end) for r in g.relationships]
[('KNOWS', '_anon1', '_anon2')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filmkg.errors import ParseError, SourceNotFoundError

__all__ = [
    "CypherGraph",
    "CypherNode",
    "CypherRelationship",
    "SkippedStatement",
    "parse_cypher",
    "read_cypher",
]

Value = Any  # str | int | float | bool | None | list[Value]


@dataclass(frozen=True)
class CypherNode:
    """A node created by the script."""

    var: str
    labels: tuple[str, ...]
    properties: dict[str, Value]
    line: int
    text: str


@dataclass(frozen=True)
class CypherRelationship:
    """A relationship created by the script, from ``start`` to ``end`` (node variables)."""

    type: str
    start: str
    end: str
    properties: dict[str, Value]
    line: int
    text: str
    index: int


@dataclass(frozen=True)
class SkippedStatement:
    """A schema statement (constraint, index) the reader skipped: it makes no data."""

    line: int
    text: str


@dataclass
class CypherGraph:
    """The nodes and relationships a ``CREATE`` script makes, in script order."""

    nodes: list[CypherNode] = field(default_factory=list)
    relationships: list[CypherRelationship] = field(default_factory=list)
    skipped: list[SkippedStatement] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """What Neo4j reports after running the script on an empty database."""
        props = sum(len(n.properties) for n in self.nodes)
        props += sum(len(r.properties) for r in self.relationships)
        labels = {label for n in self.nodes for label in n.labels}
        return {
            "nodes": len(self.nodes),
            "relationships": len(self.relationships),
            "properties": props,
            "labels": len(labels),
        }


_Wanted = tuple[str, tuple[str, ...], dict[str, Value], int]  # MATCH var, labels, props, pos
_SCHEMA_WORDS = frozenset({"CONSTRAINT", "INDEX", "FULLTEXT", "RANGE", "TEXT", "POINT", "LOOKUP"})

_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.pos = 0
        self.graph = CypherGraph()
        self.bound: dict[str, str] = {}  # variable of this statement → node key
        self.keys: set[str] = set()  # keys of every node created so far
        self.anonymous = 0

    # -- positions and errors -----------------------------------------------------
    def where(self, pos: int | None = None) -> tuple[int, int]:
        p = self.pos if pos is None else pos
        line = self.text.count("\n", 0, p) + 1
        column = p - (self.text.rfind("\n", 0, p) + 1) + 1
        return line, column

    def error(self, message: str, pos: int | None = None, hint: str | None = None) -> ParseError:
        line, column = self.where(pos)
        return ParseError(message, path=self.path, line=line, column=column, hint=hint)

    # -- lexing helpers -------------------------------------------------------------
    def skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch.isspace():
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def peek(self, token: str) -> bool:
        self.skip()
        return self.text.startswith(token, self.pos)

    def expect(self, token: str, what: str | None = None) -> None:
        self.skip()
        if not self.text.startswith(token, self.pos):
            found = self.text[self.pos : self.pos + 12].split("\n")[0] or "end of file"
            raise self.error(f"expected {what or repr(token)}, found {found!r}")
        self.pos += len(token)

    def name(self, what: str) -> str:
        self.skip()
        text = self.text
        if self.pos < len(text) and text[self.pos] == "`":
            end = text.find("`", self.pos + 1)
            if end < 0:
                raise self.error("unterminated `quoted name`")
            value = text[self.pos + 1 : end]
            self.pos = end + 1
            return value
        start = self.pos
        while self.pos < len(text) and (text[self.pos].isalnum() or text[self.pos] == "_"):
            self.pos += 1
        if start == self.pos or text[start].isdigit():
            self.pos = start
            raise self.error(f"expected {what}")
        return text[start : self.pos]

    # -- grammar --------------------------------------------------------------------
    def script(self) -> CypherGraph:
        self.skip()
        while self.pos < len(self.text):
            self.statement()
            if self.peek(";"):
                self.pos += 1
                self.bound.clear()  # variables are scoped by statement
            self.skip()
        return self.graph

    def statement(self) -> None:
        keyword_pos = self.pos
        word = self.name("a CREATE clause").upper()
        if word in {"CREATE", "DROP"} and self.schema_word():
            self.skip_schema(keyword_pos)
            return
        if word == "MATCH":
            self.match()
            keyword_pos = self.pos
            word = self.name("CREATE after MATCH").upper()
        if word != "CREATE":
            raise self.error(
                f"unsupported clause {self.text[keyword_pos : self.pos]!r}",
                keyword_pos,
                hint="only CREATE data-load scripts (and MATCH … CREATE) are read",
            )
        self.pattern()
        while self.peek(","):
            self.pos += 1
            self.pattern()

    def schema_word(self) -> bool:
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos].isalpha():
            self.pos += 1
        word = self.text[start : self.pos].upper()
        self.pos = start
        return word in _SCHEMA_WORDS

    def skip_schema(self, start: int) -> None:
        """Skip a schema statement up to its ``;`` (strings may hold a ``;``)."""
        while self.pos < len(self.text) and not self.peek(";"):
            ch = self.text[self.pos]
            if ch in "'\"":
                self.string(ch)
            elif ch == "`":
                self.name("a quoted name")
            else:
                self.pos += 1
        line, _ = self.where(start)
        text = " ".join(self.text[start : self.pos].split())
        self.graph.skipped.append(SkippedStatement(line, text))

    def match(self) -> None:
        """``MATCH`` node patterns [``WHERE`` equalities]: bind each to one created node."""
        wanted: list[_Wanted] = []
        while True:
            self.skip()
            start = self.pos
            self.expect("(", "'(' (a node pattern)")
            var = self.name("a node variable")
            names: list[str] = []
            while self.peek(":"):
                self.pos += 1
                names.append(self.name("a label"))
            props = self.properties() if self.peek("{") else {}
            self.expect(")")
            wanted.append((var, tuple(names), props, start))
            if not self.peek(","):
                break
            self.pos += 1
        self.skip()
        if self.text[self.pos : self.pos + 5].upper() == "WHERE":
            self.pos += 5
            self.where_clause(wanted)
        for var, labels, props, start in wanted:
            self.bound[var] = self.find_node(labels, props, start)

    def where_clause(self, wanted: list[_Wanted]) -> None:
        by_var = {w[0]: w[2] for w in wanted}
        while True:
            self.skip()
            var_pos = self.pos
            var = self.name("a variable")
            if var not in by_var:
                raise self.error(f"WHERE names {var!r}, which MATCH does not bind", var_pos)
            self.expect(".", "'.' and a property key")
            key = self.name("a property key")
            self.expect("=", "'=' (the reader takes equalities joined by AND)")
            by_var[var][key] = self.value()
            self.skip()
            if self.text[self.pos : self.pos + 3].upper() != "AND":
                return
            self.pos += 3

    def find_node(self, labels: tuple[str, ...], props: dict[str, Value], start: int) -> str:
        found = [
            n.var
            for n in self.graph.nodes
            if set(labels) <= set(n.labels)
            and all(n.properties.get(k) == v for k, v in props.items())
        ]
        if len(found) != 1:
            what = "no node" if not found else f"{len(found)} nodes"
            raise self.error(
                f"MATCH finds {what} created before it",
                start,
                hint="each MATCH pattern must name exactly one node the script created",
            )
        return found[0]

    def pattern(self) -> None:
        left, left_start = self.node()
        while self.peek("-") or self.peek("<-"):
            rel_pos = self.pos
            incoming = self.peek("<-")
            self.expect("<-" if incoming else "-")
            self.expect("[", "'[' (a relationship needs a type)")
            if not self.peek(":"):
                self.name("a relationship variable")
            self.expect(":", "':' and a relationship type")
            rel_type = self.name("a relationship type")
            if self.peek("|"):
                raise self.error("CREATE needs exactly one relationship type")
            props = self.properties() if self.peek("{") else {}
            self.expect("]")
            if incoming:
                self.expect("-")
            elif self.peek("->"):
                self.pos += 2
            else:
                raise self.error("CREATE needs a direction: '->' or '<-'", rel_pos)
            right, right_start = self.node()
            start_var, end_var = (right, left) if incoming else (left, right)
            line, _ = self.where(left_start)
            self.graph.relationships.append(
                CypherRelationship(
                    rel_type,
                    start_var,
                    end_var,
                    props,
                    line,
                    " ".join(self.text[left_start : self.pos].split()),
                    len(self.graph.relationships),
                )
            )
            left, left_start = right, right_start

    def node(self) -> tuple[str, int]:
        self.skip()
        start = self.pos
        self.expect("(", "'(' (a node pattern)")
        self.skip()
        var = ""
        if not self.peek(":") and not self.peek("{") and not self.peek(")"):
            var = self.name("a node variable")
        labels: list[str] = []
        while self.peek(":"):
            self.pos += 1
            labels.append(self.name("a label"))
        props = self.properties() if self.peek("{") else None
        self.expect(")")
        declares = bool(labels) or props is not None or not var
        if not var:
            self.anonymous += 1
            var = f"_anon{self.anonymous}"
        if var in self.bound:
            if declares:
                raise self.error(f"variable {var!r} is already bound", start)
            return self.bound[var], start
        key = var
        while key in self.keys:  # a variable of an earlier statement, used again
            self.anonymous += 1
            key = f"{var}_{self.anonymous}"
        self.keys.add(key)
        self.bound[var] = key
        line, _ = self.where(start)
        text = " ".join(self.text[start : self.pos].split())
        self.graph.nodes.append(CypherNode(key, tuple(labels), props or {}, line, text))
        return key, start

    def properties(self) -> dict[str, Value]:
        self.expect("{")
        props: dict[str, Value] = {}
        if self.peek("}"):
            self.pos += 1
            return props
        while True:
            self.skip()
            key_pos = self.pos
            key = self.name("a property key")
            if key in props:
                raise self.error(f"duplicate property {key!r}", key_pos)
            self.expect(":", "':' after the property key")
            value = self.value()
            if value is not None:  # Cypher does not store null properties
                props[key] = value
            if self.peek(","):
                self.pos += 1
                continue
            self.expect("}", "',' or '}'")
            return props

    def value(self) -> Value:
        self.skip()
        text = self.text
        if self.pos >= len(text):
            raise self.error("expected a value, found end of file")
        ch = text[self.pos]
        if ch in "'\"":
            return self.string(ch)
        if ch == "[":
            self.pos += 1
            items: list[Value] = []
            if self.peek("]"):
                self.pos += 1
                return items
            while True:
                items.append(self.value())
                if self.peek(","):
                    self.pos += 1
                    continue
                self.expect("]", "',' or ']'")
                return items
        if ch == "-" or ch.isdigit():
            return self.number()
        start = self.pos
        word = self.name("a value").lower()
        if word in {"true", "false"}:
            return word == "true"
        if word == "null":
            return None
        raise self.error(f"unsupported value {word!r}", start, hint="use a string, number or list")

    def string(self, quote: str) -> str:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text):
                raise self.error("unterminated string", start)
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(out)
            if ch == "\\":
                esc = text[self.pos + 1 : self.pos + 2]
                if esc in _ESCAPES:
                    out.append(_ESCAPES[esc])
                    self.pos += 2
                elif esc in {"u", "U"}:
                    width = 4 if esc == "u" else 8
                    digits = text[self.pos + 2 : self.pos + 2 + width]
                    if len(digits) != width or any(
                        c not in "0123456789abcdefABCDEF" for c in digits
                    ):
                        raise self.error(f"bad \\{esc} escape")
                    at, self.pos = self.pos, self.pos + 2 + width
                    out.append(self.code_point(int(digits, 16), esc, at))
                else:
                    raise self.error(f"unknown escape \\{esc}")
                continue
            out.append(ch)
            self.pos += 1

    def code_point(self, code: int, esc: str, at: int) -> str:
        """The character of a ``\\u``/``\\U`` escape; a surrogate pair is two escapes."""
        text = self.text
        low = text[self.pos : self.pos + 6]
        if 0xD800 <= code <= 0xDBFF and re.fullmatch(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}", low):
            self.pos += 6
            return chr(0x10000 + ((code - 0xD800) << 10) + (int(low[2:], 16) - 0xDC00))
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise self.error(
                f"\\{esc}{code:04X} is not a character (a lone surrogate or too big)", at
            )
        return chr(code)

    def number(self) -> int | float:
        start = self.pos
        text = self.text
        if text[self.pos] == "-":
            self.pos += 1
        while self.pos < len(text) and (text[self.pos].isalnum() or text[self.pos] in "."):
            self.pos += 1
        token = text[start : self.pos]
        try:
            return int(token)
        except ValueError:
            pass
        try:
            return float(token)
        except ValueError:
            raise self.error(f"bad number {token!r}", start) from None


def parse_cypher(text: str, *, path: str = "<cypher>") -> CypherGraph:
    """Read a ``CREATE`` script; raise :class:`ParseError` (with line/column) on other input.

    >>> parse_cypher("MERGE (n:Person)", path="x.cypher")
    Traceback (most recent call last):
    ...
    filmkg.errors.ParseError: x.cypher:1:1: unsupported clause 'MERGE'; only CREATE ...
    """
    return _Parser(text, path).script()


def read_cypher(path: str | Path) -> CypherGraph:
    """Read a ``CREATE`` script from a UTF-8 file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceNotFoundError(f"{p}: no such file", hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 ({exc.reason})", path=str(p)) from None
    except OSError as exc:
        raise SourceNotFoundError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_cypher(text, path=str(p))
