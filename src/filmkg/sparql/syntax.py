"""SPARQL syntax errors as Jena's arq reports them: the token found, where, and what the
grammar expected there.

rdflib's parser (pyparsing) reports where the outermost alternative failed, which is
often the start of a group ("Expected SelectQuery" at the ``{``). Here the same grammar
is run again with a watch on every terminal (keyword, punctuation, token pattern): the
furthest position any of them failed at is where the text stops being SPARQL, and the
terminals that failed there are what it expected, as arq lists them.

>>> explain("SELECT ?x WHERE { ?x ?p ?o ?x }")
(1, 28, 'Encountered "?x"; was expecting one of: ",", ".", ";", "BIND", "FILTER", ...')
>>> explain("SELECT ?x WHERE { ?x ?p ?o")[2]
'Encountered <EOF>; was expecting one of: ",", ".", ";", "BIND", "FILTER", "GRAPH", ...'
"""

from __future__ import annotations

import threading
from typing import Any

import pyparsing as pp
from rdflib.plugins.sparql import parser as sparql_parser

from filmkg.sparql.tokenizer import TOKEN

__all__ = ["explain"]

_LOCK = threading.Lock()  # the grammar is rdflib's, shared: one watched parse at a time
#: terminals that only make sense as part of a bigger token ("?" "x" of a variable)
_PARTS = {"<VARNAME>", "<PN_PREFIX>", "<PN_LOCAL>", "<PLX>", "<PN_CHARS_BASE>"}


#: At most this many expected tokens are listed (an expression allows some eighty).
_SHOWN = 24


def _terminals(root: pp.ParserElement) -> list[pp.ParserElement]:
    seen: set[int] = set()
    found: list[pp.ParserElement] = []
    stack = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        if isinstance(element, pp.Token):
            found.append(element)
        stack.extend(getattr(element, "exprs", None) or [])
        inner = getattr(element, "expr", None)
        if inner is not None:
            stack.append(inner)
    return found


_NAMES = {id(v): k for k, v in vars(sparql_parser).items() if isinstance(v, pp.ParserElement)}


def _label(element: pp.ParserElement) -> str:
    name = _NAMES.get(id(element))
    if name is not None and not isinstance(element, pp.Keyword | pp.Literal):
        return f"<{name}>"
    match = getattr(element, "match", None)
    if isinstance(match, str):
        return f'"{match}"'
    return f"<{name or type(element).__name__}>"


def explain(text: str, *, update: bool = False) -> tuple[int, int, str] | None:
    """``(line, column, message)`` of the first syntax error in ``text`` (1-based), or
    ``None`` when it parses. ``update``: read it as SPARQL Update."""
    root = sparql_parser.UpdateUnit if update else sparql_parser.QueryUnit
    parse = sparql_parser.parseUpdate if update else sparql_parser.parseQuery
    furthest = [-1]
    expected: set[str] = set()

    def failed(_text: str, loc: int, element: pp.ParserElement, exc: Any, *_: Any) -> None:
        at = getattr(exc, "loc", loc)
        if at > furthest[0]:
            furthest[0] = at
            expected.clear()
        if at == furthest[0]:
            expected.add(_label(element))

    def quiet(*_: Any) -> None:
        pass

    terminals = _terminals(root)
    with _LOCK:
        for element in terminals:
            element.set_debug_actions(quiet, quiet, failed)
        try:
            parse(text)
            return None
        except pp.ParseBaseException:
            pass
        finally:
            for element in terminals:
                element.set_debug(False)
    loc = max(furthest[0], 0)
    line = text.count("\n", 0, loc) + 1
    column = loc - (text.rfind("\n", 0, loc) + 1) + 1
    found = TOKEN.match(text, loc)
    token = f'"{found.group(0)[:40]}"' if found and loc < len(text) else "<EOF>"
    names = sorted(expected - _PARTS)
    wanted = ", ".join(names[:_SHOWN]) or "the end of the query"
    if len(names) > _SHOWN:
        wanted += f" … ({len(names) - _SHOWN} more)"
    return line, column, f"Encountered {token}; was expecting one of: {wanted}"
