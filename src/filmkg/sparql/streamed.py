"""Whole-graph named queries as one streaming pass over the credits, aggregated in Python.

All-pairs ``coworkers`` is a self-join of the credits with itself: every pair of people
on every film, counted, then joined back to the films and roles. Oxigraph evaluates it in
SPARQL in minutes on a million triples (225 s at 1M, docs/benchmarks.md); here the
credits are read once (:file:`streamed_credits.rq`), each film's cast is paired in
Python, and the labels, years and role names are read once each. The rows, their order
and their terms are those of ``queries/coworkers.rq`` (a differential test compares
both on synthetic graphs; the golden answers are unchanged).

:func:`run_streamed` answers a named query this way when it can (a local graph on
Oxigraph, the whole-graph form of the query) and returns ``None`` otherwise.

>>> from filmkg.build.project import load_project
>>> result = run_streamed(load_project(), "coworkers", {})
>>> len(result.rows), result.rows[0][1]
(18, rdflib.term.Literal('Eric Roth'))
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from filmkg.engines.store import KnowledgeGraph
from filmkg.io import progress
from filmkg.sparql.results import QueryResult, Row, sort_rows

__all__ = ["STREAMED", "coworkers", "run_streamed"]

_INTEGER = re.compile(r"[+-]?[0-9]+")


@cache
def _text(name: str) -> str:
    return (Path(__file__).with_name(f"streamed_{name}.rq")).read_text(encoding="utf-8")


def _year(date: Node | None) -> Node | None:
    """``xsd:integer(SUBSTR(STR(?date), 1, 4))``, unbound when the cast fails."""
    if date is None:
        return None
    head = str(date)[:4]
    if not _INTEGER.fullmatch(head):
        return None
    return Literal(str(int(head)), datatype=XSD.integer)


def _grouped(rows: Iterable[Row]) -> dict[Node, list[Node | None]]:
    """``key → [values…]`` of two-column rows (a key with only unbound values → [None])."""
    table: dict[Node, list[Node | None]] = {}
    for key, value in rows:
        assert key is not None
        values = table.setdefault(key, [])
        if value not in values:
            values.append(value)
    return table


def coworkers(kg: KnowledgeGraph, min_films: int) -> QueryResult:
    """All pairs of people sharing at least ``min_films`` films, as ``coworkers.rq``.

    One row per (person, coworker, shared film, role of each, label and year choice),
    distinct, sorted by the query's ``ORDER BY``.
    """
    people = _grouped(kg.select(_text("people")).rows)
    film_labels: dict[Any, list[Any]] = defaultdict(list)
    film_years: dict[Any, list[Any]] = defaultdict(list)
    for film, label, date in kg.select(_text("films")).rows:
        assert film is not None
        if label not in film_labels[film]:
            film_labels[film].append(label)
        if _year(date) not in film_years[film]:
            film_years[film].append(_year(date))
    role_labels = _grouped(kg.select(_text("roles")).rows)
    cast: dict[Any, dict[Any, list[Any]]] = defaultdict(dict)  # film → person → roles
    for person, film, role in kg.select(_text("credits")).rows:
        assert person is not None
        assert film is not None
        roles = cast[film].setdefault(person, [])
        if role is not None and role not in roles:
            roles.append(role)
    shared: dict[tuple[Any, ...], int] = defaultdict(int)
    for film in progress.track(cast, "counting co-workers", total=len(cast), unit="films"):
        for pair in itertools.permutations([p for p in cast[film] if p in people], 2):
            shared[pair] += 1
    rows: set[Any] = set()
    for film, members in cast.items():
        typed = [p for p in members if p in people]
        for a, b in itertools.permutations(typed, 2):
            n = shared[a, b]
            if n < min_films or str(a) >= str(b):  # each symmetric pair once, as the query
                continue
            count = Literal(str(n), datatype=XSD.integer)
            for r1, r2 in itertools.product(members[a], members[b]):
                for pl, cl, fl, y, rl1, rl2 in itertools.product(
                    people[a],
                    people[b],
                    film_labels[film] or [None],
                    film_years[film] or [None],
                    role_labels.get(r1, [None]),
                    role_labels.get(r2, [None]),
                ):
                    rows.add((a, pl, b, cl, count, y, film, fl, rl1, rl2))
    return _ordered(QueryResult(_VARIABLES, list(rows)))


_VARIABLES = (
    "person",
    "person_label",
    "coworker",
    "coworker_label",
    "shared_films",
    "year",
    "film",
    "film_label",
    "person_role",
    "coworker_role",
)


_ORDER_BY = (
    "person_label",
    "person",
    "coworker_label",
    "coworker",
    "year",
    "film_label",
    "film",
    "person_role",
    "coworker_role",
)


def _ordered(result: QueryResult) -> QueryResult:
    rows = sort_rows(result, [(name, False) for name in _ORDER_BY])
    if rows is None:
        raise _NotStreamableError
    return QueryResult(result.variables, rows)


class _NotStreamableError(Exception):
    """The rows cannot be sorted in Python as the engine would: run the SPARQL instead."""


#: Named query → (streamed implementation, the parameters it must be given without).
STREAMED: dict[str, tuple[Callable[[KnowledgeGraph, Mapping[str, Node]], QueryResult], str]] = {
    "coworkers": (lambda kg, b: coworkers(kg, int(str(b.get("min_films", 2)))), "person"),
}


def run_streamed(kg: KnowledgeGraph, name: str, bindings: Mapping[str, Node]) -> QueryResult | None:
    """The answer of the named query ``name`` by a streaming pass, or ``None`` when there
    is none for it (or for these bindings: a given person is an index lookup in SPARQL)."""
    entry = STREAMED.get(name)
    if entry is None or entry[1] in bindings:
        return None
    try:
        return entry[0](kg, bindings)
    except _NotStreamableError:
        return None
