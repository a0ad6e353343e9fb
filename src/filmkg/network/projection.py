"""The collaboration network: NetworkX projections of the credits, analytics, and the way back.

Every projection is built from rows of named SPARQL queries (``queries/network_*.rq``), so
it runs unchanged on any engine; rows are aggregated one work at a time in Python (a
pair list per work, never a SPARQL self-join), which is what keeps it linear in the number
of credits on large graphs.

Three projections, all :class:`networkx.Graph` with node attributes ``label``, ``kind``
(``person``, ``film``, ``graphic novel``, ``work``, ``organisation``) and ``iri``:

* :func:`collaboration_graph` — people; an edge for each pair credited on a work together,
  with the works, their labels and years, each side's roles per work, the credits, and
  ``count`` (= ``weight``) shared works;
* :func:`person_work_graph` — bipartite people and works, the role(s) on each edge;
* :func:`company_work_graph` — organisations and works, the capacity (rights kind and
  territory, technology provider) on each edge.

Analytics go through NetworkX: :func:`centrality`, :func:`communities`,
:func:`collaboration_path`, :func:`find_reunions`, :func:`ego_network`. The way back:
:func:`derived_triples` writes ``filmkg:Collaboration`` and ``filmkg:DerivedReunion``
nodes with ``prov:wasDerivedFrom`` links to the credits they come from.

>>> rows = [
...     CreditRow("c1", "p/ann", "Ann", "f/one", "One", "film", 1990, "r/director", "director"),
...     CreditRow("c2", "p/bob", "Bob", "f/one", "One", "film", 1990, "r/cast", "cast member"),
...     CreditRow("c3", "p/ann", "Ann", "f/two", "Two", "film", 2020, "r/director", "director"),
...     CreditRow("c4", "p/bob", "Bob", "f/two", "Two", "film", 2020, "r/cast", "cast member"),
... ]
>>> g = collaboration_graph_from_rows(rows)
>>> g.edges["p/ann", "p/bob"]["count"], g.edges["p/ann", "p/bob"]["years"]
(2, [1990, 2020])
>>> [(r.earlier_work, r.later_work, r.gap_years, r.members) for r in find_reunions(g, 10)]
[('f/one', 'f/two', 30, ('p/ann', 'p/bob'))]
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from filmkg.build.inference import entailed
from filmkg.errors import UnknownEntityError, UsageError
from filmkg.io import progress
from filmkg.rdf.namespaces import FILMKG, GRAPH, KG, PROV
from filmkg.sparql import builder
from filmkg.sparql import catalogue as queries
from filmkg.sparql.results import QueryResult

if TYPE_CHECKING:
    from filmkg.engines.store import Engine, KnowledgeGraph

__all__ = [
    "COLLABORATION_SHARE",
    "NETWORK_GRAPH",
    "CentralityRow",
    "CompanyRow",
    "CreditRow",
    "Derived",
    "Hop",
    "HopWork",
    "NetworkStats",
    "Reunion",
    "StatedReunion",
    "add_derived_relations",
    "centrality",
    "collaboration_graph",
    "collaboration_graph_from_rows",
    "collaboration_path",
    "communities",
    "company_rows",
    "company_work_graph",
    "company_work_graph_from_rows",
    "compare_reunions",
    "credit_rows",
    "derived_triples",
    "ego_network",
    "evidence_quotes",
    "export_graph",
    "find_reunions",
    "lean_collaboration_graph",
    "network_stats",
    "overview_graph",
    "person_work_graph",
    "person_work_graph_from_rows",
    "resolve_node",
    "scalar_graph",
    "stated_reunions",
]

#: The named graph that holds the derived collaborations and reunions.
NETWORK_GRAPH = GRAPH.network

#: Seed of every randomised algorithm (communities, layouts): same input, same output.
SEED = 42

PERSON = "person"
ORGANISATION = "organisation"


# -- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditRow:
    """One credit: a person's part in a work, in one role (a row of ``network_credits``)."""

    credit: str
    person: str
    person_label: str
    work: str
    work_label: str
    work_kind: str
    year: int | None
    role: str
    role_label: str


@dataclass(frozen=True)
class CompanyRow:
    """One organisation's part in a work (a row of ``network_companies``)."""

    assertion: str
    organisation: str
    organisation_label: str
    work: str
    work_label: str
    work_kind: str
    year: int | None
    capacity: str
    capacity_label: str
    detail: str | None
    detail_label: str | None


@dataclass(frozen=True)
class StatedReunion:
    """A reunion as a source states it (``network_stated_reunions``)."""

    reunion: str
    earlier_work: str
    later_work: str
    gap_years: int | None
    members: tuple[str, ...]


def _select(
    kg: KnowledgeGraph, name: str, params: Mapping[str, str], engine: Engine
) -> QueryResult:
    """Run the named query ``name`` with bound parameters."""
    return queries.run(kg, name, params, engine=engine)


def _text(value: object, default: str) -> str:
    return default if value is None else str(value)


def _year(value: object) -> int | None:
    return value if isinstance(value, int) else None


def credit_rows(
    kg: KnowledgeGraph, *, engine: Engine = "oxigraph", person: str | None = None
) -> list[CreditRow]:
    """Every credit of a person (of ``person`` only, if given), sorted by work.

    >>> from filmkg.build.project import load_project
    >>> rows = credit_rows(load_project())
    >>> len(rows), rows[0].work_label, rows[0].year
    (20, 'Forrest Gump', 1994)
    """
    params = {"person": person} if person else {}
    if engine == "oxigraph":
        return _credit_rows_oxigraph(kg, params)
    result = _select(kg, "network_credits", params, engine)
    out: list[CreditRow] = []
    for row in result.as_dicts():
        iri = str(row["credit"])
        out.append(
            CreditRow(
                credit=iri,
                person=str(row["person"]),
                person_label=_text(row.get("person_label"), str(row["person"])),
                work=str(row["work"]),
                work_label=_text(row.get("work_label"), str(row["work"])),
                work_kind=_text(row.get("work_kind"), "work"),
                year=_year(row.get("year")),
                role=str(row["role"]),
                role_label=_text(row.get("role_label"), _local_name(str(row["role"]))),
            )
        )
    return out


def _credit_rows_oxigraph(kg: KnowledgeGraph, params: Mapping[str, str]) -> list[CreditRow]:
    """:func:`credit_rows` straight from pyoxigraph's solutions (no rdflib terms): the
    same rows, built about twice as fast, for projections of millions of triples."""
    named = queries.get("network_credits")
    text = queries.bound_query(named, queries.resolve_params(kg, named, params))
    # The rows are sorted here, not by the engine: Oxigraph's ORDER BY looks up the IRIs'
    # text at every comparison (15 s of 20 at 1M triples on disk).
    text = queries.without_order_by(text)
    solutions = kg.solutions(text)
    assert isinstance(solutions, ox.QuerySolutions)

    def value(term: object, default: str) -> str:
        return default if term is None else str(term.value)  # type: ignore[attr-defined]

    out: list[CreditRow] = []
    for row in solutions:
        credit, person, work, role = row["credit"], row["person"], row["work"], row["role"]
        year = row["year"]
        out.append(
            CreditRow(
                credit=credit.value,  # type: ignore[union-attr]
                person=person.value,  # type: ignore[union-attr]
                person_label=value(row["person_label"], person.value),  # type: ignore[union-attr]
                work=work.value,  # type: ignore[union-attr]
                work_label=value(row["work_label"], work.value),  # type: ignore[union-attr]
                work_kind=value(row["work_kind"], "work"),
                year=int(year.value) if isinstance(year, ox.Literal) else None,
                role=role.value,  # type: ignore[union-attr]
                role_label=value(row["role_label"], _local_name(role.value)),  # type: ignore[union-attr]
            )
        )
    out.sort(key=lambda r: (r.work, r.person, r.role, r.credit))  # the query's ORDER BY
    return out


def company_rows(kg: KnowledgeGraph, *, engine: Engine = "oxigraph") -> list[CompanyRow]:
    """Every rights grant and technology use of an organisation on a work, sorted by work."""
    result = _select(kg, "network_companies", {}, engine)
    out: list[CompanyRow] = []
    for row in result.as_dicts():
        detail = row.get("detail")
        out.append(
            CompanyRow(
                assertion=str(row["assertion"]),
                organisation=str(row["organisation"]),
                organisation_label=_text(row.get("organisation_label"), str(row["organisation"])),
                work=str(row["work"]),
                work_label=_text(row.get("work_label"), str(row["work"])),
                work_kind=_text(row.get("work_kind"), "work"),
                year=_year(row.get("year")),
                capacity=str(row["capacity"]),
                capacity_label=_text(row.get("capacity_label"), _local_name(str(row["capacity"]))),
                detail=None if detail is None else str(detail),
                detail_label=None
                if detail is None
                else _text(row.get("detail_label"), _local_name(str(detail))),
            )
        )
    return out


def evidence_quotes(kg: KnowledgeGraph, *, engine: Engine = "oxigraph") -> dict[str, list[str]]:
    """Assertion IRI → the verbatim quotes it rests on (credits, rights, technology use,
    adaptations)."""
    quotes: dict[str, list[str]] = defaultdict(list)
    for row in _select(kg, "network_evidence", {}, engine).as_dicts():
        quotes[str(row["assertion"])].append(str(row["quote"]))
    return dict(quotes)


def stated_reunions(kg: KnowledgeGraph, *, engine: Engine = "oxigraph") -> list[StatedReunion]:
    """The reunions the sources state, members sorted."""
    groups: dict[str, dict[str, Any]] = {}
    for row in _select(kg, "network_stated_reunions", {}, engine).as_dicts():
        entry = groups.setdefault(
            str(row["reunion"]),
            {
                "earlier": str(row["earlier_work"]),
                "later": str(row["later_work"]),
                "gap": _year(row.get("gap_years")),
                "members": set(),
            },
        )
        entry["members"].add(str(row["member"]))
    return [
        StatedReunion(iri, e["earlier"], e["later"], e["gap"], tuple(sorted(e["members"])))
        for iri, e in sorted(groups.items())
    ]


# -- projections ---------------------------------------------------------------------------


def _by_work(rows: Iterable[CreditRow]) -> Iterator[list[CreditRow]]:
    """Group rows by work (the query sorts by work; we do not rely on it)."""
    groups: dict[str, list[CreditRow]] = defaultdict(list)
    for row in rows:
        groups[row.work].append(row)
    for work in sorted(groups):
        yield groups[work]


def _work_sort_key(year: int | None, iri: str) -> tuple[int, int, str]:
    return (0 if year is not None else 1, year or 0, iri)


def collaboration_graph_from_rows(rows: Iterable[CreditRow]) -> nx.Graph:
    """The person–person collaboration graph of credit rows.

    Each edge ``(a, b)`` (``a < b``) carries ``works``, ``work_labels`` and ``years`` (sorted
    by year), ``roles`` (work → person → role labels), ``credits`` (work → person → credit
    IRIs), and ``count`` = ``weight`` = the number of shared works. People with no
    collaborator are nodes too.
    """
    rows = list(rows)
    graph = nx.Graph(name="collaboration")
    people: dict[str, str] = {}
    works_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        people.setdefault(row.person, row.person_label)
        works_of[row.person].add(row.work)
    for person in sorted(people):
        graph.add_node(
            person, label=people[person], kind=PERSON, iri=person, works=len(works_of[person])
        )
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for credits in progress.track(_by_work(rows), "projecting", unit="works"):
        first = credits[0]
        roles: dict[str, list[str]] = defaultdict(list)
        credit_iris: dict[str, list[str]] = defaultdict(list)
        for row in credits:
            if row.role_label not in roles[row.person]:
                roles[row.person].append(row.role_label)
            credit_iris[row.person].append(row.credit)
        for a, b in itertools.combinations(sorted(roles), 2):
            entry = pairs.setdefault((a, b), {"works": [], "roles": {}, "credits": {}})
            entry["works"].append((first.year, first.work, first.work_label))
            entry["roles"][first.work] = {a: sorted(roles[a]), b: sorted(roles[b])}
            entry["credits"][first.work] = {a: sorted(credit_iris[a]), b: sorted(credit_iris[b])}
    for (a, b), entry in sorted(pairs.items()):
        works = sorted(entry["works"], key=lambda w: _work_sort_key(w[0], w[1]))
        graph.add_edge(
            a,
            b,
            count=len(works),
            weight=len(works),
            works=[w[1] for w in works],
            work_labels=[w[2] for w in works],
            years=[w[0] for w in works],
            roles=entry["roles"],
            credits=entry["credits"],
        )
    return graph


def collaboration_graph(
    kg: KnowledgeGraph, *, engine: Engine = "oxigraph", lean: bool | None = None
) -> nx.Graph:
    """The person–person collaboration graph of the knowledge graph.

    ``lean=None`` (the default) picks the lean graph of :func:`lean_collaboration_graph`
    when the store holds more than :data:`LEAN_THRESHOLD` statements, else the rich one of
    :func:`collaboration_graph_from_rows`; ``lean=True``/``False`` forces a mode. Both
    have the same nodes, edges and ``count``/``weight``.

    >>> from filmkg.build.project import load_project
    >>> g = collaboration_graph(load_project())
    >>> g.number_of_nodes(), g.number_of_edges()
    (14, 78)
    >>> lean = collaboration_graph(load_project(), lean=True)
    >>> sorted(lean.edges) == sorted(g.edges)
    True
    """
    if lean is None:
        lean = len(kg) > LEAN_THRESHOLD
    if lean:
        return lean_collaboration_graph(kg)
    return collaboration_graph_from_rows(credit_rows(kg, engine=engine))


#: Above this many statements :func:`collaboration_graph` builds the lean graph: the rich
#: edge attributes (works, roles, credit IRIs per edge) take ≈ 1.6 GB at 1M triples.
LEAN_THRESHOLD = 1_000_000

#: The cast of every work, one row per work, IRIs joined by spaces (why so: the file).
_LEAN_CASTS = builder.query("filmkg.network", "lean_casts.rq")

#: People credited under a blank node (no IRI to join by spaces): rare, listed per credit.
_LEAN_BLANK_CREDITS = builder.query("filmkg.network", "lean_blank_credits.rq")

#: Every person's labels (once per person, not once per credit).
_LEAN_LABELS = builder.query("filmkg.network", "lean_labels.rq")

#: Every work's date (filmkg:workDate: the year of the collaboration, done or planned).
_LEAN_DATES = builder.query("filmkg.network", "lean_dates.rq")


def _solutions(kg: KnowledgeGraph, text: str) -> Iterator[Any]:
    """The solutions of a SELECT on the store itself (pyoxigraph terms, no conversion)."""
    solutions = kg.solutions(text)
    assert isinstance(solutions, ox.QuerySolutions)
    return iter(solutions)


def lean_collaboration_graph(kg: KnowledgeGraph) -> nx.Graph:
    """The collaboration graph with lean edges, for graphs of millions of triples.

    The same nodes and edges as :func:`collaboration_graph_from_rows` (the credits of
    ``network_credits``), but each edge carries only ``count`` = ``weight`` (shared works)
    and ``first_year`` / ``last_year`` (``None`` when no shared work has a year); nodes
    carry ``label`` (the least of a person's labels), ``kind``, ``iri`` and ``works``.

    Built from three small queries so that few terms leave the store (on disk, each costs
    a lookup): the cast of each work as one row (:data:`_LEAN_CASTS`), each person's label
    and each work's date once. No SPARQL self-join: each work's pairs are
    counted in Python, on integer person ids numbered in IRI order.

    >>> from filmkg.build.project import load_project
    >>> g = lean_collaboration_graph(load_project())
    >>> d = g.edges["https://w3id.org/filmkg/id/person/tom-hanks",
    ...             "https://w3id.org/filmkg/id/person/robert-zemeckis"]
    >>> d["count"], d["first_year"], d["last_year"]
    (2, 1994, 2024)
    """
    members: dict[str, list[str]] = {}
    for row in _solutions(kg, _LEAN_CASTS):
        members[row[0].value] = row[1].value.split(" ")
    for row in _solutions(kg, _LEAN_BLANK_CREDITS):
        members.setdefault(row[0].value, []).append(row[1].value)
    people = sorted({person for cast in members.values() for person in cast})
    ids = {person: i for i, person in enumerate(people)}
    labels = _least_labels(kg, ids)
    years = _first_years(kg, members)
    n = len(people)
    works_of = [0] * n
    counts: dict[int, int] = {}  # pair key a * n + b (a < b) → shared works, first seen first
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    count = counts.get
    works = sorted(members)
    for work in progress.track(works, "projecting", total=len(works), unit="works"):
        cast = sorted({ids[person] for person in members.pop(work)})
        for pid in cast:
            works_of[pid] += 1
        keys = [a * n + b for a, b in itertools.combinations(cast, 2)]
        for key in keys:
            counts[key] = count(key, 0) + 1
        work_year = years.get(work)
        if work_year is not None:
            for key in keys:
                if first.setdefault(key, work_year) > work_year:
                    first[key] = work_year
                if last.setdefault(key, work_year) < work_year:
                    last[key] = work_year
    del ids, members
    graph = nx.Graph(name="collaboration")
    graph.add_nodes_from(
        (p, {"label": labels.get(p, p), "kind": PERSON, "iri": p, "works": works_of[i]})
        for i, p in enumerate(people)
    )
    graph.add_edges_from(
        (
            people[key // n],
            people[key % n],
            {"count": c, "weight": c, "first_year": first.get(key), "last_year": last.get(key)},
        )
        for key, c in counts.items()
    )
    return graph


def _least_labels(kg: KnowledgeGraph, people: Container[str]) -> dict[str, str]:
    """The least label of each of ``people`` (lean projection)."""
    labels: dict[str, str] = {}
    for row in _solutions(kg, _LEAN_LABELS):
        person, label = row[0].value, row[1].value
        if person in people and (person not in labels or label < labels[person]):
            labels[person] = label
    return labels


def _first_years(kg: KnowledgeGraph, works: Container[str]) -> dict[str, int]:
    """The earliest year of each of ``works`` that has a date (lean projection)."""
    years: dict[str, int] = {}
    for row in _solutions(kg, _LEAN_DATES):
        try:
            year = int(row[1].value[:4])
        except ValueError:
            continue
        work = row[0].value
        if work in works and years.get(work, year + 1) > year:
            years[work] = year
    return years


def _work_node(row: CreditRow | CompanyRow) -> dict[str, Any]:
    """A work's node attributes in a bipartite graph (``year`` only when known)."""
    attrs: dict[str, Any] = {
        "label": row.work_label,
        "kind": row.work_kind,
        "iri": row.work,
        "bipartite": 1,
    }
    if row.year is not None:
        attrs["year"] = row.year
    return attrs


def person_work_graph_from_rows(rows: Iterable[CreditRow]) -> nx.Graph:
    """The bipartite person–work graph: ``bipartite`` is 0 for people, 1 for works.

    An edge holds ``roles`` (labels), ``role_iris``, ``credits`` and ``label`` (the roles
    joined by ", ").
    """
    graph = nx.Graph(name="person-work")
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, list[str]]] = {}
    for row in rows:
        nodes.setdefault(
            row.person,
            {"label": row.person_label, "kind": PERSON, "iri": row.person, "bipartite": 0},
        )
        nodes.setdefault(row.work, _work_node(row))
        entry = edges.setdefault(
            (row.person, row.work), {"roles": [], "role_iris": [], "credits": []}
        )
        if row.role not in entry["role_iris"]:
            entry["role_iris"].append(row.role)
            entry["roles"].append(row.role_label)
        entry["credits"].append(row.credit)
    for node in sorted(nodes):
        graph.add_node(node, **nodes[node])
    for (person, work), entry in sorted(edges.items()):
        order = sorted(range(len(entry["roles"])), key=lambda i: entry["roles"][i])
        roles = [entry["roles"][i] for i in order]
        graph.add_edge(
            person,
            work,
            roles=roles,
            role_iris=[entry["role_iris"][i] for i in order],
            credits=sorted(entry["credits"]),
            label=", ".join(roles),
            relation="credit",
        )
    return graph


def person_work_graph(kg: KnowledgeGraph, *, engine: Engine = "oxigraph") -> nx.Graph:
    """The bipartite person–work graph of the knowledge graph.

    >>> from filmkg.build.project import load_project
    >>> g = person_work_graph(load_project())
    >>> g.edges["https://w3id.org/filmkg/id/person/robert-zemeckis",
    ...         "https://w3id.org/filmkg/id/film/here-2024"]["label"]
    'director, producer, screenwriter'
    """
    return person_work_graph_from_rows(credit_rows(kg, engine=engine))


def _capacity_text(row: CompanyRow) -> str:
    if row.detail_label is None:
        return row.capacity_label
    return f"{row.capacity_label} ({row.detail_label})"


def company_work_graph_from_rows(rows: Iterable[CompanyRow]) -> nx.Graph:
    """The organisation–work graph: an edge holds ``capacities`` (e.g. "theatrical
    distribution (United States)", "technology provider (Metaphysic AI tools)"),
    ``capacity_iris``, ``assertions`` and ``label``."""
    graph = nx.Graph(name="company-work")
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], list[CompanyRow]] = defaultdict(list)
    for row in rows:
        nodes.setdefault(
            row.organisation,
            {
                "label": row.organisation_label,
                "kind": ORGANISATION,
                "iri": row.organisation,
                "bipartite": 0,
            },
        )
        nodes.setdefault(row.work, _work_node(row))
        edges[(row.organisation, row.work)].append(row)
    for node in sorted(nodes):
        graph.add_node(node, **nodes[node])
    for (org, work), found in sorted(edges.items()):
        found = sorted(found, key=lambda r: (_capacity_text(r), r.assertion))
        capacities = [_capacity_text(r) for r in found]
        graph.add_edge(
            org,
            work,
            capacities=capacities,
            capacity_iris=[r.capacity for r in found],
            assertions=[r.assertion for r in found],
            label=", ".join(dict.fromkeys(r.capacity_label for r in found)),
            relation="company",
        )
    return graph


def company_work_graph(kg: KnowledgeGraph, *, engine: Engine = "oxigraph") -> nx.Graph:
    """The organisation–work graph of the knowledge graph.

    >>> from filmkg.build.project import load_project
    >>> g = company_work_graph(load_project())
    >>> g.edges["https://w3id.org/filmkg/id/org/miramax",
    ...         "https://w3id.org/filmkg/id/film/here-2024"]["capacities"]
    ['international rights (International)']
    """
    return company_work_graph_from_rows(company_rows(kg, engine=engine))


def overview_graph(kg: KnowledgeGraph, *, engine: Engine = "oxigraph") -> nx.Graph:
    """People, works and organisations in one graph, for pictures: credit edges (roles),
    company edges (capacities) and adaptation edges ("based on"). Every edge has
    ``relation``, ``label`` and ``assertions`` (the IRIs its evidence hangs on).

    >>> from filmkg.build.project import load_project
    >>> g = overview_graph(load_project())
    >>> g.number_of_nodes(), g.number_of_edges()
    (21, 23)
    """
    people = person_work_graph(kg, engine=engine)
    companies = company_work_graph(kg, engine=engine)
    graph = nx.Graph(name="overview")
    nodes: dict[str, dict[str, Any]] = {}
    for source in (people, companies):
        for node, data in source.nodes(data=True):
            attrs = {k: v for k, v in data.items() if k != "bipartite"}
            nodes.setdefault(node, attrs)
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for u, v, data in people.edges(data=True):
        edges[_pair(u, v)] = {
            "relation": "credit",
            "label": data["label"],
            "roles": data["roles"],
            "assertions": data["credits"],
        }
    for u, v, data in companies.edges(data=True):
        edges[_pair(u, v)] = {
            "relation": "company",
            "label": data["label"],
            "capacities": data["capacities"],
            "assertions": data["assertions"],
        }
    for row in _select(kg, "network_adaptations", {}, engine).as_dicts():
        work, source_work = str(row["work"]), str(row["source"])
        nodes.setdefault(
            work,
            {
                "label": _text(row.get("work_label"), work),
                "kind": _text(row.get("work_kind"), "work"),
                "iri": work,
            },
        )
        nodes.setdefault(
            source_work,
            {
                "label": _text(row.get("source_label"), source_work),
                "kind": _text(row.get("source_kind"), "work"),
                "iri": source_work,
            },
        )
        entry = edges.setdefault(
            _pair(work, source_work),
            {"relation": "adaptation", "label": "based on", "assertions": []},
        )
        entry["assertions"] = sorted({*entry["assertions"], str(row["assertion"])})
    for node in sorted(nodes):
        graph.add_node(node, **nodes[node])
    for (u, v), data in sorted(edges.items()):
        graph.add_edge(u, v, **data)
    return graph


def _pair(u: str, v: str) -> tuple[str, str]:
    return (u, v) if u <= v else (v, u)


# -- analytics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CentralityRow:
    """Centrality of one node: degree, degree centrality and betweenness."""

    node: str
    label: str
    degree: int
    shared_works: int
    degree_centrality: float
    betweenness: float


def centrality(graph: nx.Graph) -> list[CentralityRow]:
    """Degree (collaborators), shared works (weighted degree), degree centrality and
    betweenness centrality of every node; most central first.

    >>> g = nx.path_graph(["a", "b", "c"])
    >>> [(r.node, r.degree, r.betweenness) for r in centrality(g)]
    [('b', 2, 1.0), ('a', 1, 0.0), ('c', 1, 0.0)]
    """
    degree = (
        nx.degree_centrality(graph) if graph.number_of_nodes() > 1 else dict.fromkeys(graph, 0.0)
    )
    between = nx.betweenness_centrality(graph, normalized=True)
    rows = [
        CentralityRow(
            node=str(node),
            label=str(graph.nodes[node].get("label", node)),
            degree=int(graph.degree(node)),
            shared_works=int(graph.degree(node, weight="weight")),
            degree_centrality=round(float(degree[node]), 6),
            betweenness=round(float(between[node]), 6),
        )
        for node in graph
    ]
    return sorted(rows, key=lambda r: (-r.betweenness, -r.degree, -r.shared_works, r.label, r.node))


def communities(graph: nx.Graph, *, seed: int = SEED) -> list[list[str]]:
    """Communities by Louvain modularity (weighted by shared works, fixed seed): lists of
    nodes, each sorted, largest community first.

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y")])
    >>> communities(g)
    [['a', 'b', 'c'], ['x', 'y']]
    """
    if graph.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    groups = [sorted(str(n) for n in group) for group in found]
    return sorted(groups, key=lambda g: (-len(g), g))


@dataclass(frozen=True)
class NetworkStats:
    """Summary of a collaboration graph."""

    nodes: int
    edges: int
    components: int
    largest_component: int
    density: float
    isolated: list[str]
    centrality: list[CentralityRow]
    communities: list[list[str]]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "components": self.components,
            "largest_component": self.largest_component,
            "density": self.density,
            "isolated": self.isolated,
            "centrality": [r.__dict__ for r in self.centrality],
            "communities": self.communities,
        }


def network_stats(graph: nx.Graph, *, seed: int = SEED) -> NetworkStats:
    """Size, components, density, centrality and communities of a graph.

    >>> s = network_stats(nx.Graph([("a", "b")]))
    >>> s.nodes, s.edges, s.components, s.density
    (2, 1, 1, 1.0)
    """
    parts = list(nx.connected_components(graph)) if graph.number_of_nodes() else []
    return NetworkStats(
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        components=len(parts),
        largest_component=max((len(p) for p in parts), default=0),
        density=round(float(nx.density(graph)), 6) if graph.number_of_nodes() else 0.0,
        isolated=sorted(str(n) for n in nx.isolates(graph)),
        centrality=centrality(graph),
        communities=communities(graph, seed=seed),
    )


def resolve_node(graph: nx.Graph, text: str, *, kind: str = PERSON) -> str:
    """The node of ``kind`` named ``text``: its IRI, or its label (case-insensitive).

    Raises :class:`~filmkg.errors.UnknownEntityError` with suggestions when no node or
    several nodes match.

    >>> g = nx.Graph()
    >>> g.add_node("p/tom", label="Tom Hanks", kind="person")
    >>> resolve_node(g, "tom hanks")
    'p/tom'
    >>> resolve_node(g, "Tom Hank")
    Traceback (most recent call last):
    ...
    filmkg.errors.UnknownEntityError: no person named 'Tom Hank' in the network; did you mean ...
    """
    candidates = {n: d for n, d in graph.nodes(data=True) if d.get("kind") == kind}
    if text in candidates:
        return text
    wanted = " ".join(text.split()).casefold()
    exact = sorted(n for n, d in candidates.items() if str(d.get("label", "")).casefold() == wanted)
    if len(exact) == 1:
        return str(exact[0])
    if len(exact) > 1:
        raise UnknownEntityError(
            f"{len(exact)} {kind} nodes are named {text!r}",
            hint="give the IRI instead: " + ", ".join(exact),
        )
    labels = sorted({str(d.get("label", n)) for n, d in candidates.items()})
    close = difflib.get_close_matches(text, labels, n=3, cutoff=0.6)
    if not close:
        lower = {label.casefold(): label for label in labels}
        close = [lower[m] for m in difflib.get_close_matches(wanted, list(lower), n=3, cutoff=0.6)]
    hint = "did you mean " + " or ".join(repr(c) for c in close) + "?" if close else None
    if hint is None:
        hint = "names are rdfs:label values or IRIs of people credited on a work"
    raise UnknownEntityError(f"no {kind} named {text!r} in the network", hint=hint)


@dataclass(frozen=True)
class HopWork:
    """A work two adjacent people on a path share, with each one's roles on it."""

    work: str
    label: str
    year: int | None
    source_roles: tuple[str, ...]
    target_roles: tuple[str, ...]


@dataclass(frozen=True)
class Hop:
    """One step of a collaboration path: from ``source`` to ``target`` through ``works``."""

    source: str
    source_label: str
    target: str
    target_label: str
    works: tuple[HopWork, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "source": self.source,
            "source_label": self.source_label,
            "target": self.target,
            "target_label": self.target_label,
            "works": [
                {
                    "work": w.work,
                    "label": w.label,
                    "year": w.year,
                    "source_roles": list(w.source_roles),
                    "target_roles": list(w.target_roles),
                }
                for w in self.works
            ],
        }


def collaboration_path(graph: nx.Graph, source: str, target: str) -> list[Hop]:
    """The shortest collaboration path between two people (names or IRIs), with the works
    and each side's roles on every hop. Raises UsageError when there is none.

    >>> g = collaboration_graph_from_rows([
    ...     CreditRow("c1", "p/a", "A", "f/1", "One", "film", 2000, "r/d", "director"),
    ...     CreditRow("c2", "p/b", "B", "f/1", "One", "film", 2000, "r/c", "cast member"),
    ...     CreditRow("c3", "p/b", "B", "f/2", "Two", "film", 2010, "r/c", "cast member"),
    ...     CreditRow("c4", "p/c", "C", "f/2", "Two", "film", 2010, "r/p", "producer"),
    ... ])
    >>> path = collaboration_path(g, "A", "C")
    >>> [(h.source_label, h.works[0].label, h.target_label) for h in path]
    [('A', 'One', 'B'), ('B', 'Two', 'C')]
    """
    a = resolve_node(graph, source)
    b = resolve_node(graph, target)
    try:
        nodes = nx.shortest_path(graph, a, b)
    except nx.NetworkXNoPath:
        raise UsageError(
            f"no collaboration path between {graph.nodes[a]['label']!r} and "
            f"{graph.nodes[b]['label']!r}",
            hint="they are in different components of the network (see `filmkg network stats`)",
        ) from None
    hops: list[Hop] = []
    for u, v in itertools.pairwise(nodes):
        data = graph.edges[u, v]
        works = tuple(
            HopWork(
                work=work,
                label=label,
                year=year,
                source_roles=tuple(data["roles"][work][u]),
                target_roles=tuple(data["roles"][work][v]),
            )
            for work, label, year in zip(
                data["works"], data["work_labels"], data["years"], strict=True
            )
        )
        hops.append(Hop(u, graph.nodes[u]["label"], v, graph.nodes[v]["label"], works))
    return hops


def ego_network(graph: nx.Graph, person: str, *, radius: int = 1) -> nx.Graph:
    """The people within ``radius`` collaboration hops of ``person`` (name or IRI).

    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> for n in g: g.nodes[n].update(label=n.upper(), kind="person")
    >>> sorted(ego_network(g, "a"))
    ['a', 'b']
    """
    if radius < 0:
        raise UsageError(f"radius must be 0 or more, not {radius}")
    center = resolve_node(graph, person)
    ego: nx.Graph = nx.ego_graph(graph, center, radius=radius)
    ego.graph["center"] = center
    return ego


@dataclass(frozen=True)
class Reunion:
    """People who worked together on ``earlier_work`` and next on ``later_work``, after
    ``gap_years`` years with no shared work in between (found from the credits)."""

    earlier_work: str
    earlier_label: str
    earlier_year: int
    later_work: str
    later_label: str
    later_year: int
    gap_years: int
    members: tuple[str, ...]
    member_labels: tuple[str, ...]
    credits: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}


def find_reunions(graph: nx.Graph, min_gap: int = 10) -> list[Reunion]:
    """Reunions after at least ``min_gap`` years, found from the collaboration graph.

    For each pair of collaborators, consecutive shared works (by year) at least
    ``min_gap`` years apart are a pair reunion; pairs with the same (earlier, later) works
    merge into one group. Works without a year are left out. Sorted by later year, then
    gap, then works.
    """
    if min_gap < 0:
        raise UsageError(f"--min-gap must be 0 or more, not {min_gap}")
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for u, v, data in graph.edges(data=True):
        dated = [
            (year, work, label)
            for work, label, year in zip(
                data["works"], data["work_labels"], data["years"], strict=True
            )
            if year is not None
        ]
        dated.sort(key=lambda w: (w[0], w[1]))
        for (y1, w1, l1), (y2, w2, l2) in itertools.pairwise(dated):
            if y2 - y1 < min_gap or w1 == w2:
                continue
            entry = groups.setdefault(
                (w1, w2),
                {"labels": (l1, l2), "years": (y1, y2), "members": set(), "credits": set()},
            )
            entry["members"].update((u, v))
            for work in (w1, w2):
                for person in (u, v):
                    entry["credits"].update(data["credits"][work][person])
    out = []
    for (w1, w2), entry in groups.items():
        members = tuple(sorted(entry["members"]))
        y1, y2 = entry["years"]
        out.append(
            Reunion(
                earlier_work=w1,
                earlier_label=entry["labels"][0],
                earlier_year=y1,
                later_work=w2,
                later_label=entry["labels"][1],
                later_year=y2,
                gap_years=y2 - y1,
                members=members,
                member_labels=tuple(str(graph.nodes[m].get("label", m)) for m in members),
                credits=tuple(sorted(entry["credits"])),
            )
        )
    return sorted(out, key=lambda r: (r.later_year, -r.gap_years, r.earlier_work, r.later_work))


def compare_reunions(
    found: Sequence[Reunion], stated: Sequence[StatedReunion]
) -> list[tuple[StatedReunion, Reunion | None]]:
    """Pair each stated reunion with the found reunion of the same works and members
    (``None`` when the credits do not show it); the gap must agree when the source gives one.
    """
    index = {(r.earlier_work, r.later_work, r.members): r for r in found}
    pairs: list[tuple[StatedReunion, Reunion | None]] = []
    for s in stated:
        match = index.get((s.earlier_work, s.later_work, s.members))
        if match is not None and s.gap_years is not None and s.gap_years != match.gap_years:
            match = None
        pairs.append((s, match))
    return pairs


# -- the way back: derived relations as RDF -----------------------------------------------


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _slug(iri: str) -> str:
    """The last path segment of a filmkg IRI; a short hash for other IRIs."""
    if iri.startswith(str(KG)):
        return _local_name(iri)
    return "x" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:12]


Triple = tuple[URIRef, URIRef, URIRef | Literal]


def derived_triples(
    graph: nx.Graph,
    reunions: Sequence[Reunion] = (),
    stated: Sequence[StatedReunion] = (),
) -> list[Triple]:
    """RDF for the collaboration graph's edges and found reunions, sorted.

    One ``filmkg:Collaboration`` per pair and shared work (two ``filmkg:member``, the
    ``filmkg:work``, ``prov:wasDerivedFrom`` each credit of both on it), and one
    ``filmkg:DerivedReunion`` per reunion (members, earlier and later work, gap, the credits
    it comes from, and ``prov:alternateOf`` the stated reunion it agrees with).

    >>> kg = str(KG)
    >>> g = collaboration_graph_from_rows([
    ... CreditRow(kg + "credit/1", kg + "person/a", "A", kg + "film/f", "F", "film", 2000, "", ""),
    ... CreditRow(kg + "credit/2", kg + "person/b", "B", kg + "film/f", "F", "film", 2000, "", ""),
    ... ])
    >>> str(derived_triples(g)[0][0])
    'https://w3id.org/filmkg/id/collaboration/f/a/b'
    """
    triples = _pair_triples(_pair_facts(graph))
    agree = {
        (r.earlier_work, r.later_work, r.members): URIRef(s.reunion)
        for s, r in compare_reunions(reunions, stated)
        if r is not None
    }
    for r in reunions:
        node = KG[f"derived-reunion/{_slug(r.earlier_work)}/{_slug(r.later_work)}"]
        names = ", ".join(r.member_labels)
        triples += [
            (node, RDF.type, FILMKG.DerivedReunion),
            (
                node,
                RDFS.label,
                Literal(
                    f"{names}: {r.earlier_label} ({r.earlier_year}) → "
                    f"{r.later_label} ({r.later_year})"
                ),
            ),
            (node, FILMKG.earlierWork, URIRef(r.earlier_work)),
            (node, FILMKG.laterWork, URIRef(r.later_work)),
            (node, FILMKG.gapYears, Literal(r.gap_years, datatype=XSD.integer)),
        ]
        triples += [(node, FILMKG.member, URIRef(m)) for m in r.members]
        triples += [(node, PROV.wasDerivedFrom, URIRef(c)) for c in r.credits]
        stated_iri = agree.get((r.earlier_work, r.later_work, r.members))
        if stated_iri is not None:
            triples.append((node, PROV.alternateOf, stated_iri))
    return sorted(set(triples))


#: A collaboration triple as plain strings: subject, predicate, object, object is a literal.
_PairFact = tuple[str, URIRef, str, bool]


def _pair_facts(graph: nx.Graph) -> Iterator[_PairFact]:
    """The ``filmkg:Collaboration`` triples of :func:`derived_triples`, as plain strings
    (counting them costs no rdflib terms and no sort of them)."""
    collaboration = str(FILMKG.Collaboration)
    a_type, label, member = RDF.type, RDFS.label, FILMKG.member  # rdflib's attribute lookups
    on, derived_from = FILMKG.work, PROV.wasDerivedFrom  # are slow: once, not per triple
    for u, v, data in graph.edges(data=True):
        a, b = sorted((str(u), str(v)))
        for work in data["works"]:
            node = f"{KG}collaboration/{_slug(work)}/{_slug(a)}/{_slug(b)}"
            yield node, a_type, collaboration, False
            yield node, label, _collab_label(graph, a, b, data, work), True
            yield node, member, a, False
            yield node, member, b, False
            yield node, on, work, False
            for person in (a, b):
                for credit in data["credits"][work][person]:
                    yield node, derived_from, credit, False


def _pair_triples(facts: Iterable[_PairFact]) -> list[Triple]:
    return [(URIRef(s), p, Literal(o) if literal else URIRef(o)) for s, p, o, literal in facts]


def _collab_label(graph: nx.Graph, a: str, b: str, data: Mapping[str, Any], work: str) -> str:
    label = data["work_labels"][data["works"].index(work)]
    return f"{graph.nodes[a]['label']} and {graph.nodes[b]['label']} on {label}"


#: The build writes the derived collaborations when they at most double the graph: they
#: grow with the square of a cast (200 films: 94k triples for 22k stated).
COLLABORATION_SHARE = 1.0


@dataclass(frozen=True)
class Derived:
    """What :func:`add_derived_relations` wrote: triples, and whether collaborations."""

    triples: int
    collaborations: int
    #: False: left out, the graph in proportion (see :data:`COLLABORATION_SHARE`)
    with_collaborations: bool


def add_derived_relations(
    kg: KnowledgeGraph,
    *,
    min_gap: int = 10,
    engine: Engine = "oxigraph",
    graph: URIRef = NETWORK_GRAPH,
    collaborations: bool | None = True,
) -> Derived:
    """Derive collaborations and reunions from the credits and (re)write them, with the
    types and properties the ontology entails for them, to the named graph ``graph``
    (default ``graph:network``).

    ``collaborations=None`` writes the ``filmkg:Collaboration`` nodes only when their
    triples are at most :data:`COLLABORATION_SHARE` times the graph's (the derived
    reunions always); ``False`` never.
    """
    collab = collaboration_graph(kg, engine=engine)
    reunions = derived_triples(
        nx.Graph(), find_reunions(collab, min_gap), stated_reunions(kg, engine=engine)
    )
    facts = set(_pair_facts(collab))  # counted as strings: rdflib terms only if kept
    n_collab = len({fact[0] for fact in facts})  # one node, one rdf:type
    keep = collaborations
    if keep is None:
        keep = len(facts) <= COLLABORATION_SHARE * len(kg)
    triples = sorted({*reunions, *(_pair_triples(facts) if keep else ())})
    kg.clear_graph(graph)
    kg.add_triples(graph, triples)
    more = entailed(kg, triples)
    kg.add_triples(graph, more)
    return Derived(len(triples) + len(more), n_collab, keep)


# -- export --------------------------------------------------------------------------------


def _scalar(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join("" if v is None else str(v) for v in value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def scalar_graph(graph: nx.Graph) -> nx.Graph:
    """A copy with only scalar attributes (lists joined by "; ", dicts as JSON), as GraphML
    and GEXF need (Gephi, Cytoscape); ``None`` values are dropped.

    >>> g = nx.Graph()
    >>> g.add_edge("a", "b", years=[1994, 2024], roles={"x": ["director"]})
    >>> sorted(scalar_graph(g).edges["a", "b"].items())
    [('roles', '{"x": ["director"]}'), ('years', '1994; 2024')]
    """
    out = nx.Graph(name=graph.graph.get("name", ""))
    for node in sorted(graph):
        data = graph.nodes[node]
        out.add_node(str(node), **{k: _scalar(v) for k, v in data.items() if v is not None})
    for u, v in sorted(_pair(str(a), str(b)) for a, b in graph.edges()):
        data = graph.edges[u, v]
        out.add_edge(u, v, **{k: _scalar(x) for k, x in sorted(data.items()) if x is not None})
    return out


def export_graph(graph: nx.Graph, fmt: str) -> bytes:
    """The graph as GraphML, GEXF or node-link JSON, deterministically (sorted nodes and
    edges; GraphML and GEXF with scalar attributes only).

    >>> g = nx.Graph([("a", "b")])
    >>> b'"edges"' in export_graph(g, "json")
    True
    """
    if fmt == "json":
        data = nx.node_link_data(_sorted_copy(graph), edges="edges")
        return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    flat = scalar_graph(graph)
    if fmt == "graphml":
        text = "\n".join(nx.generate_graphml(flat, prettyprint=True))
        return (text + "\n").encode("utf-8")
    if fmt == "gexf":
        text = "\n".join(nx.generate_gexf(flat, prettyprint=True))
        return _strip_gexf_date(text + "\n").encode("utf-8")
    raise UsageError(f"unknown network export format {fmt!r}", hint="use graphml, gexf or json")


def _sorted_copy(graph: nx.Graph) -> nx.Graph:
    out = nx.Graph(**graph.graph)
    for node in sorted(graph):
        out.add_node(node, **graph.nodes[node])
    for u, v in sorted(_pair(str(a), str(b)) for a, b in graph.edges()):
        out.add_edge(u, v, **graph.edges[u, v])
    return out


def _strip_gexf_date(text: str) -> str:
    """GEXF writers stamp today's date into <meta lastmodifieddate=…>: drop it."""
    return re.sub(r' lastmodifieddate="[^"]*"', "", text, count=1)
