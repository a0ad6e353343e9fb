"""Whole-graph analytics as one pass over the credits: co-workers, reunions, reach in k hops.

The named queries ``coworkers``, ``reunions`` and ``connected_within`` are self-joins of
the credits (every pair of people on every film; every pair of works of every person; the
facts around every entity reached so far). Oxigraph evaluates them in minutes on a
million triples (docs/benchmarks.md). Here the credits, their types, the link predicates
and the labels are read once, as integer-coded columns (:func:`filmkg.engines.tables.tables`,
kept beside an on-disk store until it changes), the joins and counts run in NumPy on the
integer ids, and only the rows of the answer are turned into rdflib terms. NumPy was
chosen by measurement against plain Python dicts, Polars and DuckDB (README, "Dependencies").

The rows, their order and their terms are those of ``queries/<name>.rq`` (a differential
test compares both, on the project graph and on random graphs); the ``.rq`` files stay the
catalogue's text for remote endpoints. :func:`run_streamed` answers a named query this way
when it can (a local graph on Oxigraph) and returns ``None`` otherwise.

>>> from filmkg.build.project import load_project
>>> result = run_streamed(load_project(), "coworkers", {})
>>> len(result.rows), result.rows[0][1]
(18, rdflib.term.Literal('Eric Roth'))
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from filmkg.engines.store import KnowledgeGraph
from filmkg.engines.tables import Ids, Tables, tables, term_from_text
from filmkg.rdf.convert import RdfTerm
from filmkg.sparql.results import QueryResult, sort_keys

__all__ = [
    "COLUMNS",
    "LINKS",
    "STREAMED",
    "connected_within",
    "coworkers",
    "prepare",
    "reunions",
    "run_streamed",
]

_FK = "https://w3id.org/filmkg/ontology#"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
AGENT, WORK, ROLE, WORK_DATE = (_FK + n for n in ("agent", "work", "role", "workDate"))
EARLIER, LATER, GAP = (_FK + n for n in ("earlierWork", "laterWork", "gapYears"))
CREDIT, FILM, PERSON, REUNION = (_FK + n for n in ("Credit", "Film", "Person", "Reunion"))

#: The predicates that join an entity to a fact (``connected_within.rq``'s ``link``).
_LINK_NAMES = (
    "work agent sourceWork rightsHolder territory place provider appliedTo technology "
    "partner member earlierWork laterWork subject parent speaker about recipient award"
)
LINKS = tuple(_FK + n for n in _LINK_NAMES.split(" "))
_PREDICATES = tuple(
    dict.fromkeys((AGENT, WORK, ROLE, WORK_DATE, EARLIER, LATER, GAP, _LABEL, _PREF_LABEL, *LINKS))
)
_CLASSES = (CREDIT, FILM, PERSON, REUNION)
#: What the analytics read from a graph: (predicates, classes).
COLUMNS = (_PREDICATES, _CLASSES)

_INTEGER = re.compile(r"[+-]?[0-9]+")


def _columns(kg: KnowledgeGraph) -> Tables:
    return tables(kg, predicates=_PREDICATES, classes=_CLASSES)


def prepare(kg: KnowledgeGraph) -> int:
    """Read the columns the analytics need now (an on-disk store keeps them until it
    changes: ``build --store`` calls this, so the first query does not pay the pass).
    Returns how many distinct terms they hold."""
    return len(_columns(kg).terms)


# -- joins on integer ids ---------------------------------------------------------------


def _unique_pairs(a: Ids, b: Ids) -> tuple[Ids, Ids]:
    if not a.size:
        return a, b
    both = np.unique(np.stack([a, b], axis=1), axis=0)
    return both[:, 0].copy(), both[:, 1].copy()


def _matches(left_key: Ids, right_key: Ids) -> tuple[Ids, Ids]:
    """Row indices ``(i, j)`` with ``left_key[i] == right_key[j]``, every such pair."""
    order = np.argsort(right_key, kind="stable")
    keys = right_key[order]
    lo = np.searchsorted(keys, left_key, "left")
    counts = np.searchsorted(keys, left_key, "right") - lo
    rows = np.repeat(np.arange(left_key.size), counts)
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    return rows, order[starts + np.arange(rows.size)]


def _join(left_key: Ids, left: Ids, right_key: Ids, right: Ids) -> tuple[Ids, Ids]:
    """``(left value, right value)`` for every pair of rows with equal keys."""
    i, j = _matches(left_key, right_key)
    return left[i], right[j]


def _self_join(key: Ids, value: Ids) -> tuple[Ids, Ids, Ids]:
    """``(key, a, b)`` for every two rows with equal keys and values ``a < b``."""
    i, j = _matches(key, key)
    keep = value[i] < value[j]
    i, j = i[keep], j[keep]
    return key[i], value[i], value[j]


def _within(t: Tables, predicate: str, subjects: Ids) -> tuple[Ids, Ids]:
    s, o = t.edges[predicate]
    keep = np.isin(s, subjects)
    return s[keep], o[keep]


def _credits(t: Tables) -> tuple[Ids, Ids]:
    """Distinct ``(agent, work)`` of the typed credits (a credit with two agents counts both)."""
    credits = t.members[CREDIT]
    return _unique_pairs(*_join(*_within(t, AGENT, credits), *_within(t, WORK, credits)))


def _grouped(keys: Ids, values: Ids) -> dict[int, list[int]]:
    table: dict[int, list[int]] = defaultdict(list)
    for k, v in zip(keys.tolist(), values.tolist(), strict=True):
        table[k].append(v)
    return table


def _pair_counts(group: Ids, item: Ids) -> tuple[Ids, Ids, Ids]:
    """For distinct ``(group, item)`` rows: each pair ``a < b`` of items sharing a group,
    with the number of groups they share."""
    _, a, b = _self_join(group, item)
    if not a.size:
        return a, b, a
    n = int(max(a.max(), b.max())) + 1
    pairs, counts = np.unique(a * n + b, return_counts=True)
    return pairs // n, pairs % n, counts


# -- terms of the answer ------------------------------------------------------------------


#: The code of an unbound value in the rows of an :class:`_Answer` (the codes of terms of
#: the tables are >= 0, those of computed integers < 0 and above this).
UNBOUND = -(1 << 62)


class _Answer:
    """The rows of an answer as tuples of integer codes (cheap to hash and compare); the
    terms are made once each, and the rows sorted once, in NumPy, by :meth:`result`."""

    def __init__(self, t: Tables, variables: tuple[str, ...], order: Sequence[str]) -> None:
        self.t = t
        self.variables = variables
        self.order = order
        self.rows: set[tuple[int, ...]] = set()
        self._integers: dict[int, int] = {}
        self._values: dict[tuple[int, object], list[int]] = {}

    def integer(self, n: int | None) -> int:
        """The code of the computed ``xsd:integer`` literal ``n`` (``None``: unbound)."""
        if n is None:
            return UNBOUND
        code = self._integers.get(n)
        if code is None:
            code = self._integers[n] = -1 - len(self._integers)
        return code

    def values(self, table: Mapping[Any, list[int]], key: object) -> list[int]:
        """The terms ``table`` gives ``key``, or unbound (an OPTIONAL that did not match)."""
        known = self._values.get((id(table), key))
        if known is None:
            found = table.get(key)
            known = list(dict.fromkeys(found)) if found else [UNBOUND]
            self._values[id(table), key] = known
        return known

    def _term(self, code: int, integers: Mapping[int, int]) -> RdfTerm | None:
        if code == UNBOUND:
            return None
        return self.t.node(code) if code >= 0 else _integer(integers[code])

    def result(self) -> QueryResult:
        """The rows as rdflib terms, in SPARQL ``ORDER BY`` order of ``self.order``."""
        if not self.rows:
            return QueryResult(self.variables, [])
        integers = {code: n for n, code in self._integers.items()}
        codes = np.asarray(list(self.rows), dtype=np.int64)
        distinct = np.unique(codes)
        terms = {c: self._term(c, integers) for c in distinct.tolist()}
        ranks = []
        for name in reversed(self.order):  # np.lexsort: the last key is the first
            column = codes[:, self.variables.index(name)]
            seen = np.unique(column)
            keys = sort_keys([terms[c] for c in seen.tolist()])
            if keys is None:
                raise _NotStreamableError
            rank = np.empty(seen.size, dtype=np.int64)
            rank[sorted(range(seen.size), key=keys.__getitem__)] = np.arange(seen.size)
            ranks.append(rank[np.searchsorted(seen, column)])
        ordered = codes[np.lexsort(ranks)].tolist()
        return QueryResult(self.variables, [tuple(map(terms.__getitem__, r)) for r in ordered])


@functools.cache
def _integer(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def _year(t: Tables, i: int) -> int | None:
    """``xsd:integer(SUBSTR(STR(?date), 1, 4))`` of term ``i``, None when it fails."""
    term = term_from_text(t.terms[i])
    if term.__class__.__name__ == "BlankNode":
        return None
    head = term.value[:4]
    return int(head) if _INTEGER.fullmatch(head) else None


def _years(t: Tables, works: Iterable[int]) -> dict[int, list[int | None]]:
    dates = _grouped(*t.edges[WORK_DATE])
    return {w: list(dict.fromkeys(_year(t, d) for d in dates[w])) for w in works if w in dates}


class _NotStreamableError(Exception):
    """The rows cannot be sorted in Python as the engine would: run the SPARQL instead."""


def _iri(t: Tables, i: int) -> str | None:
    """STR of an IRI term; None for a blank node or literal (STR fails or differs)."""
    text = t.terms[i]
    return text[1:-1] if text.startswith("<") else None


# -- coworkers ------------------------------------------------------------------------------

_COWORKER_VARIABLES = (
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
_COWORKER_ORDER = (
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


def _roles_by_work(t: Tables) -> dict[int, dict[int, list[int]]]:
    """person → typed film → the roles of the person's typed credits on it."""
    credits = t.members[CREDIT]
    c_agent = _within(t, AGENT, credits)
    c_work = _within(t, WORK, credits)
    c_role = _within(t, ROLE, credits)
    keep = np.isin(c_work[1], t.members[FILM])
    work_of = _grouped(c_work[0][keep], c_work[1][keep])
    role_of = _grouped(*c_role)
    table: dict[int, dict[int, list[int]]] = defaultdict(dict)
    for credit, person in zip(c_agent[0].tolist(), c_agent[1].tolist(), strict=True):
        roles = role_of.get(credit)
        if not roles:
            continue
        for work in work_of.get(credit, ()):
            table[person].setdefault(work, []).extend(roles)
    return table


def _coworker_pairs(
    t: Tables, min_films: int, person: int | None
) -> Iterable[tuple[int, int, int]]:
    """(person, coworker, shared films) as the query orients them."""
    agents, works = _credits(t)
    keep = np.isin(works, t.members[FILM]) & np.isin(agents, t.members[PERSON])
    a, b, n = _pair_counts(works[keep], agents[keep])
    enough = n >= min_films
    for x, y, k in zip(a[enough].tolist(), b[enough].tolist(), n[enough].tolist(), strict=True):
        if person is not None:
            if x == person:
                yield x, y, k
            elif y == person:
                yield y, x, k
            continue
        sx, sy = _iri(t, x), _iri(t, y)
        if sx is None or sy is None:
            continue  # STR() of a blank node fails: the query drops the pair
        yield (x, y, k) if sx < sy else (y, x, k)


def coworkers(kg: KnowledgeGraph, min_films: int = 2, person: Node | None = None) -> QueryResult:
    """Pairs of people credited on at least ``min_films`` films together, as ``coworkers.rq``.

    One row per (person, coworker, shared film, role of each, label and year choice),
    distinct, in the query's ``ORDER BY`` order; with ``person``, only that person's pairs.
    """
    t = _columns(kg)
    answer = _Answer(t, _COWORKER_VARIABLES, _COWORKER_ORDER)
    given = None if person is None else t.id_of(f"<{person}>")
    if person is not None and given is None:
        return answer.result()
    roles = _roles_by_work(t)
    labels = _grouped(*t.edges[_LABEL])
    role_labels = _grouped(*t.edges[_PREF_LABEL])
    years = _years(t, t.members[FILM].tolist())
    for a, b, n in _coworker_pairs(t, min_films, given):
        mine, theirs = roles.get(a, {}), roles.get(b, {})
        count = answer.integer(n)
        for film in mine.keys() & theirs.keys():
            film_years = [answer.integer(y) for y in years.get(film, [None])]
            for r1, r2 in itertools.product(dict.fromkeys(mine[film]), dict.fromkeys(theirs[film])):
                for pl, cl, y, fl, rl1, rl2 in itertools.product(
                    answer.values(labels, a),
                    answer.values(labels, b),
                    film_years,
                    answer.values(labels, film),
                    answer.values(role_labels, r1),
                    answer.values(role_labels, r2),
                ):
                    answer.rows.add((a, pl, b, cl, count, y, film, fl, rl1, rl2))
    return answer.result()


# -- reunions -------------------------------------------------------------------------------

_REUNION_VARIABLES = (
    "earlier",
    "earlier_label",
    "earlier_year",
    "later",
    "later_label",
    "later_year",
    "gap_years",
    "stated_gap",
    "members",
    "member",
    "member_label",
)
_REUNION_ORDER = (
    "earlier_year",
    "earlier_label",
    "earlier",
    "later_year",
    "later_label",
    "later",
    "member_label",
    "member",
)


def _reunited(t: Tables, min_members: int) -> dict[tuple[int, int], list[int]]:
    """Pairs of works (``a <= b`` by id) → the people credited on both, for the pairs of
    distinct works with at least ``min_members`` of them, and for each work with two
    different years (the query pairs such a work with itself)."""
    agents, works = _credits(t)
    person, a, b = _self_join(agents, works)
    found: dict[tuple[int, int], list[int]] = {}
    if a.size:
        n = int(works.max()) + 1
        key = a * n + b
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        keep = counts[inverse] >= min_members
        for w1, w2, p in zip(
            a[keep].tolist(), b[keep].tolist(), person[keep].tolist(), strict=True
        ):
            found.setdefault((w1, w2), []).append(p)
    cast = _grouped(works, agents)
    for w, years in _years(t, cast).items():
        if len({y for y in years if y is not None}) >= 2 and len(cast[w]) >= min_members:
            found[w, w] = cast[w]
    return found


def _stated_gaps(t: Tables) -> dict[tuple[int, int], list[int]]:
    """(earlier work, later work) → the gaps of the typed ``filmkg:Reunion`` nodes."""
    nodes = t.members[REUNION]
    earlier, later, gaps = (_grouped(*_within(t, p, nodes)) for p in (EARLIER, LATER, GAP))
    found: dict[tuple[int, int], list[int]] = defaultdict(list)
    for node in nodes.tolist():
        ends = (earlier.get(node, ()), later.get(node, ()), gaps.get(node, ()))
        for first, last, gap in itertools.product(*ends):
            found[first, last].append(gap)
    return found


def reunions(kg: KnowledgeGraph, min_members: int = 2, person: Node | None = None) -> QueryResult:
    """Pairs of works (earlier, later) sharing at least ``min_members`` people, one row per
    person, as ``reunions.rq``; with ``person``, only the reunions that person is part of."""
    t = _columns(kg)
    answer = _Answer(t, _REUNION_VARIABLES, _REUNION_ORDER)
    given = None if person is None else t.id_of(f"<{person}>")
    if person is not None and given is None:
        return answer.result()
    found = _reunited(t, min_members)
    years = _years(t, {w for pair in found for w in pair})
    labels = _grouped(*t.edges[_LABEL])
    stated = _stated_gaps(t)
    for (w1, w2), members in found.items():
        if given is not None and given not in members:
            continue
        people = list(dict.fromkeys(members))
        count = answer.integer(len(people))
        for y1, y2 in itertools.product(years.get(w1, ()), years.get(w2, ())):
            if y1 is None or y2 is None or y1 == y2:
                continue
            (e, ye), (later, yl) = sorted([(w1, y1), (w2, y2)], key=lambda wy: wy[1])
            head = (answer.integer(ye), answer.integer(yl), answer.integer(yl - ye))
            for el, ll, gap in itertools.product(
                answer.values(labels, e),
                answer.values(labels, later),
                answer.values(stated, (e, later)),
            ):
                for m in people:
                    for ml in answer.values(labels, m):
                        answer.rows.add(
                            (e, el, head[0], later, ll, head[1], head[2], gap, count, m, ml)
                        )
    return answer.result()


# -- connected_within -----------------------------------------------------------------------

_REACH_VARIABLES = ("entity", "entity_label", "distance")


def _links(t: Tables) -> tuple[Ids, Ids]:
    """(fact, entity) of every link predicate, each pair once."""
    pairs = [t.edges[p] for p in LINKS]
    return _unique_pairs(
        np.concatenate([s for s, _ in pairs]), np.concatenate([o for _, o in pairs])
    )


def distances(t: Tables, start: int, hops: int) -> dict[int, int]:
    """Entity → the fewest hops (``^link/link``, through a fact) from ``start``, up to
    ``hops``; ``start`` itself at 0 when it is in a fact."""
    facts_of, entities = _links(t)
    found: dict[int, int] = {}
    frontier = np.asarray([start], dtype=np.int64)
    for hop in range(1, hops + 1):
        facts = np.unique(facts_of[np.isin(entities, frontier)])
        reached = np.unique(entities[np.isin(facts_of, facts)])
        if hop == 1 and start in set(reached.tolist()):
            found[start] = 0
        new = [e for e in reached.tolist() if e not in found]
        found.update((e, hop) for e in new)
        frontier = np.asarray(new, dtype=np.int64)
        if not new:
            break
    return found


def connected_within(kg: KnowledgeGraph, start: Node, hops: int = 2) -> QueryResult:
    """Every labelled entity within ``hops`` hops of ``start`` (1 to 4; more count as 4),
    with its distance, as ``connected_within.rq``."""
    t = _columns(kg)
    answer = _Answer(
        t, ("entity", "entity_label", "distance"), ("distance", "entity_label", "entity")
    )
    given = t.id_of(start.n3()) if isinstance(start, URIRef) else None
    if given is None:
        return answer.result()
    labels = _grouped(*t.edges[_LABEL])
    for entity, d in distances(t, given, min(hops, 4)).items():
        if d > 0:
            for label in labels.get(entity, ()):
                answer.rows.add((entity, label, answer.integer(d)))
    return answer.result()


# -- the named queries answered here --------------------------------------------------------


def _int(bindings: Mapping[str, Node], name: str, default: int) -> int:
    value = bindings.get(name)
    return default if value is None else int(str(value))


#: Named query → its answer by a streaming pass (the bindings of its parameters).
STREAMED: dict[str, Callable[[KnowledgeGraph, Mapping[str, Node]], QueryResult]] = {
    "coworkers": lambda kg, b: coworkers(kg, _int(b, "min_films", 2), b.get("person")),
    "reunions": lambda kg, b: reunions(kg, _int(b, "min_members", 2), b.get("person")),
    "connected_within": lambda kg, b: connected_within(kg, b["start"], _int(b, "hops", 2)),
}


def run_streamed(kg: KnowledgeGraph, name: str, bindings: Mapping[str, Node]) -> QueryResult | None:
    """The answer of the named query ``name`` by a streaming pass, or ``None`` when there
    is none for it (or the rows hold terms Python cannot sort as the engine does)."""
    answer = STREAMED.get(name)
    if answer is None:
        return None
    try:
        return answer(kg, bindings)
    except _NotStreamableError:
        return None
