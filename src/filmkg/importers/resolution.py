"""Entity resolution: which mentions in an import are the same film or person, and which
are entities already in the graph.

Rules, in order (each decision that is not an exact identity is reported):

Films
    A film is its folded title and year (``fold("Stand-By-Me") == "stand by me"``).
    Records with the same key are one film when they share an identity (the same
    Wikipedia page, the same Cypher variable) or a person (a director or cast member);
    otherwise they are *homonyms* and stay apart, each IRI suffixed with its identity.
    A *mangled duplicate title* ("22 July" / "22-Jul") is a pair of films of the same year
    that share a person and whose titles differ only by abbreviated words. A film already
    in the graph with the same key keeps its IRI; so does one with the same title and a
    year one apart when a director or cast member is shared (release year vs premiere
    year: a ``near-year-match``, with a Match node).
Places, organisations
    The folded label.
People
    The folded name: spellings that fold to one name ("Edin Hasanović", "Edin Hasanovic")
    are one person, recorded as a ``name-variant`` with a :class:`filmkg:Match` node.
    Alias rule: a name of three or more words whose last or middle words dropped give a
    known person ("Robin Wright Penn" → "Robin Wright") is a candidate; its confidence is
    ``0.55 + 0.45 × min(1, 0.5 × shared films + 0.1 × shared co-workers)`` times the
    rapidfuzz token-set similarity of the names. At or above the threshold the names are
    merged (with a Match node that lists the shared films and co-workers); below it the
    pair goes to the review list and the two stay apart. Two names found side by side in
    one record (one cast list) are two people and never a candidate; nor is a name that
    ends in a generational suffix (Jr., Sr., III): a son is not his father.

Homonyms: the mentions of one folded name are one person unless their careers say
otherwise: two careers at least :data:`CAREER_GAP` years apart, with no shared role, film
or co-worker (Steve McQueen the actor of the 1960s, Steve McQueen the director of the
2010s) are two people, the second ``person/<name>-<role>-<year>``; the pair goes to the
review list with both careers as evidence (``homonym-person``). Otherwise exact-name
merges are identity by name: the standard assumption of name-keyed datasets without
identifiers. :func:`filmkg.importers.linking.link` applies these rules to one mention.

>>> from filmkg.importers.resolution import Mention
>>> ms = [Mention(0, "film", "Film", "Swan Song", "Swan Song", "2021", "A", "r1"),
...       Mention(1, "film", "Film", "Swan Song", "Swan Song", "2021", "B", "r2")]
>>> r = resolve(ms, [], ReferenceIndex(), source_id="demo", threshold=0.85)
>>> sorted(set(r.iris.values()))
['https://w3id.org/filmkg/id/film/swan-song-2021-a', 'https://w3id.org/filmkg/id/film/swan-song-2021-b']
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz  # imported on first use: most imports have no alias to score

from filmkg.importers.mapping import ValueSpec, fold, slug
from filmkg.importers.quality import Issue
from filmkg.rdf.namespaces import KG
from filmkg.sparql import builder

if TYPE_CHECKING:
    from filmkg.engines.store import KnowledgeGraph

__all__ = ["CAREER_GAP", "Mention", "ReferenceIndex", "Resolution", "resolve"]

KG_NS = str(KG)

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
_PATHS = {"Film": "film", "Person": "person", "Organisation": "org", "Place": "place"}


@dataclass
class Mention:
    """One mention of an entity in one record (before resolution gives it an IRI)."""

    id: int
    map_name: str
    cls: str
    label: str
    raw: str
    year: str | None
    identity: str | None
    record: str
    properties: list[tuple[str, ValueSpec, dict[str, Any]]] = field(default_factory=list)


@dataclass
class ReferenceIndex:
    """What the target graph already knows: names → IRIs, and who is credited on what."""

    persons: dict[str, str] = field(default_factory=dict)  # folded name → IRI
    person_labels: dict[str, str] = field(default_factory=dict)  # IRI → rdfs:label
    films: dict[tuple[str, str | None], str] = field(default_factory=dict)
    film_labels: dict[str, str] = field(default_factory=dict)
    others: dict[tuple[str, str], str] = field(default_factory=dict)  # (class, folded) → IRI
    other_labels: dict[str, str] = field(default_factory=dict)
    credits: set[tuple[str, str]] = field(default_factory=set)  # (work IRI, agent IRI)
    namesakes: dict[str, list[str]] = field(default_factory=dict)  # folded label → IRIs
    film_years: dict[str, int] = field(default_factory=dict)  # film IRI → its first year
    credit_roles: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def namesakes_of(self, key: str) -> list[str]:
        """The people of the graph named ``key`` (folded), the plainest IRI first."""
        found = self.namesakes.get(key) or ([self.persons[key]] if key in self.persons else [])
        return sorted(found, key=lambda iri: (len(iri), iri))

    _names_on: dict[str, set[str]] | None = field(default=None, repr=False, compare=False)
    _maps: tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]] | None = field(
        default=None, repr=False, compare=False
    )

    def credit_maps(self) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
        """(person → films, film → people, folded title → films) of the graph, built once."""
        if self._maps is None:
            films_of: dict[str, set[str]] = defaultdict(set)
            people_on: dict[str, set[str]] = defaultdict(set)
            titles: dict[str, set[str]] = defaultdict(set)
            for w, a in self.credits:
                films_of[a].add(w)
                people_on[w].add(a)
            for (title, _), iri in self.films.items():
                titles[title].add(iri)
            self._maps = (films_of, people_on, titles)
        return self._maps

    def people_names_on(self, work: str) -> set[str]:
        """The folded names of the people credited on ``work`` in the graph."""
        if self._names_on is None:
            self._names_on = defaultdict(set)
            for w, a in self.credits:
                if a in self.person_labels:
                    self._names_on[w].add(fold(self.person_labels[a]))
        return self._names_on.get(work, set())

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph) -> ReferenceIndex:
        """Index the films, people, places, organisations and credits of ``kg``."""
        index = cls()
        q = builder.query("filmkg.importers", "index_people.rq")
        for row in kg.solutions(q):  # type: ignore[union-attr]
            iri, label = row["p"].value, row["label"].value
            index.persons.setdefault(fold(label), iri)
            if row["alt"] is None:
                index.person_labels.setdefault(iri, label)
                index.namesakes.setdefault(fold(label), []).append(iri)
        q = builder.query("filmkg.importers", "index_films.rq")
        for row in kg.solutions(q):  # type: ignore[union-attr]
            iri, label = row["f"].value, row["label"].value
            year = row["d"].value[:4] if row["d"] is not None else None
            index.films.setdefault((fold(label), year), iri)
            index.film_labels.setdefault(iri, label)
            if year is not None and year.isdigit():
                index.film_years[iri] = min(int(year), index.film_years.get(iri, int(year)))
        q = builder.query("filmkg.importers", "index_others.rq")
        for row in kg.solutions(q):  # type: ignore[union-attr]
            local = row["c"].value.rsplit("#", 1)[1]
            index.others.setdefault((local, fold(row["label"].value)), row["e"].value)
            index.other_labels.setdefault(row["e"].value, row["label"].value)
        q = builder.query("filmkg.importers", "index_credits.rq")
        for row in kg.solutions(q):  # type: ignore[union-attr]
            pair = (row["w"].value, row["a"].value)
            index.credits.add(pair)
            if row["role"] is not None:
                index.credit_roles.setdefault(pair, set()).add(row["role"].value)
        return index


@dataclass
class Resolution:
    """The IRI of every mention, with labels, alternative labels, matches and issues."""

    iris: dict[int, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    alt_labels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    credited_as: dict[int, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)


class _UnionFind:
    def __init__(self, items: Iterable[int]) -> None:
        self.parent = {i: i for i in items}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _natural(record: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", record))


def _abbreviated(a: str, b: str) -> bool:
    """Titles that differ only by words cut short ("22 july" / "22 jul")."""
    ta, tb = a.split(), b.split()
    if a == b or len(ta) != len(tb):
        return False
    return all(x == y or x.startswith(y) or y.startswith(x) for x, y in zip(ta, tb, strict=True))


def _prefer(spellings: Counter[str]) -> str:
    return sorted(spellings, key=lambda s: (-sum(ord(c) > 127 for c in s) > 0, -spellings[s], s))[0]


def resolve(
    mentions: Sequence[Mention],
    links: Sequence[tuple[int, int]],
    index: ReferenceIndex,
    *,
    source_id: str,
    threshold: float,
    roles: MappingABC[tuple[int, int], Collection[str]] | None = None,
) -> Resolution:
    """Give every mention an IRI (see the module docs for the rules).

    ``links`` are the (film mention, person mention) pairs of the credits; ``roles`` the
    credit roles of each pair (IRIs), which tell careers apart.
    """
    res = Resolution()
    people_of: dict[int, set[str]] = defaultdict(set)
    for w, a in links:
        people_of[w].add(fold(mentions[a].label))
    _resolve_films([m for m in mentions if m.cls == "Film"], people_of, index, res, source_id)
    for m in mentions:
        if m.cls not in ("Film", "Person"):
            key = (m.cls, fold(m.label))
            iri = index.others.get(key) or str(
                KG_NS + f"{_PATHS.get(m.cls, m.cls.lower())}/{slug(m.label) or 'unnamed'}"
            )
            res.iris[m.id] = iri
            res.labels.setdefault(iri, index.other_labels.get(iri, m.label))
    people = [m for m in mentions if m.cls == "Person"]
    ctx = _Context.of(mentions, links, roles or {}, res)
    key_iri = _resolve_names(people, ctx, index, res, source_id)
    ctx.index_credits(links, index, res)
    _resolve_aliases(people, key_iri, ctx, index, res, source_id, threshold)
    _finish(res)
    return res


# -- films ------------------------------------------------------------------------------
def _resolve_films(
    films: Sequence[Mention],
    people_of: dict[int, set[str]],
    index: ReferenceIndex,
    res: Resolution,
    source_id: str,
) -> None:
    if not films:
        return
    uf, mangled = _film_clusters(films, people_of)
    clusters: dict[int, list[Mention]] = defaultdict(list)
    for m in films:
        clusters[uf.find(m.id)].append(m)
    # clusters that still share a key are homonyms
    by_key: dict[tuple[str, str | None], list[list[Mention]]] = defaultdict(list)
    for members in clusters.values():
        rep = _representative(members)
        by_key[(fold(rep.label), rep.year)].append(members)
    for key, cluster_list in by_key.items():
        for members in cluster_list:
            iri = _film_iri(key, members, cluster_list, people_of, index, res, source_id)
            _place_film(iri, members, mangled, index, res)


def _representative(members: Sequence[Mention]) -> Mention:
    return sorted(members, key=lambda m: (-len(m.label), _natural(m.record)))[0]


def _film_clusters(
    films: Sequence[Mention], people_of: dict[int, set[str]]
) -> tuple[_UnionFind, set[int]]:
    """Records of one film: same key and a shared identity or person; mangled titles."""
    uf = _UnionFind(m.id for m in films)
    groups: dict[tuple[str, str | None], list[Mention]] = defaultdict(list)
    for m in films:
        groups[(fold(m.label), m.year)].append(m)
    for members in groups.values():
        first_by_identity: dict[str | None, int] = {}
        for m in members:
            ident = m.identity if m.identity is not None else f"record:{m.record}"
            if ident in first_by_identity:
                uf.union(first_by_identity[ident], m.id)
            else:
                first_by_identity[ident] = m.id
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if people_of[a.id] & people_of[b.id]:
                    uf.union(a.id, b.id)
    return uf, _union_mangled(films, people_of, uf)


def _union_mangled(
    films: Sequence[Mention], people_of: dict[int, set[str]], uf: _UnionFind
) -> set[int]:
    """Mangled duplicates: same year, a shared person, titles with abbreviated words."""
    by_id = {m.id: m for m in films}
    blocks: dict[tuple[str | None, str], set[int]] = defaultdict(set)
    for m in films:
        for person in people_of[m.id]:
            blocks[(m.year, person)].add(m.id)
    mangled: set[int] = set()
    for ids in blocks.values():
        if len(ids) < 2 or len(ids) > 50:
            continue
        ordered = sorted(ids)
        for i, id_a in enumerate(ordered):
            for id_b in ordered[i + 1 :]:
                if _abbreviated(fold(by_id[id_a].label), fold(by_id[id_b].label)):
                    uf.union(id_a, id_b)
                    mangled.update((id_a, id_b))
    return mangled


def _film_iri(
    key: tuple[str, str | None],
    members: list[Mention],
    cluster_list: list[list[Mention]],
    people_of: dict[int, set[str]],
    index: ReferenceIndex,
    res: Resolution,
    source_id: str,
) -> str:
    """The IRI of one film: the graph's (same key; or a year one apart with a shared
    person), a homonym's own, or a new one."""
    rep = _representative(members)
    base = slug(rep.label) or "untitled"
    base = f"{base}-{rep.year}" if rep.year else base
    homonyms = len(cluster_list) > 1
    if homonyms:
        _homonym_issues(rep, members, cluster_list, res)
    existing = index.films.get(key)
    if existing is not None and not homonyms:
        return existing
    people = set().union(*(people_of[m.id] for m in members))
    near = _near_year_film(key, people, index)
    if near is not None:
        return _near_year_match(near, rep, members, index, res, source_id)
    if homonyms:
        ident = sorted({m.identity or m.record for m in members})[0]
        return KG_NS + f"film/{base}-{slug(ident)}"
    return KG_NS + f"film/{base}"


def _homonym_issues(
    rep: Mention, members: list[Mention], cluster_list: list[list[Mention]], res: Resolution
) -> None:
    others = sorted({m.record for c in cluster_list if c is not members for m in c}, key=_natural)
    for m in members:
        res.issues.append(
            Issue(
                "homonym",
                m.record,
                "title",
                m.label,
                "kept apart",
                f"{rep.label} ({rep.year}) is also the title of another film: " + ", ".join(others),
            )
        )


def _near_year_match(
    near: tuple[str, str, set[str]],
    rep: Mention,
    members: list[Mention],
    index: ReferenceIndex,
    res: Resolution,
    source_id: str,
) -> str:
    iri, year, shared = near
    title = index.film_labels.get(iri, rep.label)
    for m in members:
        res.issues.append(
            Issue(
                "near-year-match",
                m.record,
                "year",
                m.year or "",
                f"one film: {title} ({year})",
                f"years differ by one; shared: {', '.join(sorted(shared))}",
            )
        )
    method = "same title, year one apart, a shared director or cast member"
    res.matches.append(_match(source_id, rep.label, iri, 0.9, method, [], members))
    return iri


def _near_year_film(
    key: tuple[str, str | None], people: set[str], index: ReferenceIndex
) -> tuple[str, str, set[str]] | None:
    """A film of the graph with this title, a year one apart and a shared person."""
    title, year = key
    if year is None or not year.isdigit() or not people:
        return None
    for other in (str(int(year) - 1), str(int(year) + 1)):
        iri = index.films.get((title, other))
        if iri is None:
            continue
        shared = people & index.people_names_on(iri)
        if shared:
            return iri, other, shared
    return None


def _place_film(
    iri: str, members: list[Mention], mangled: set[int], index: ReferenceIndex, res: Resolution
) -> None:
    """Give the records of one film its IRI, labels, and duplicate-record issues."""
    rep = _representative(members)
    res.labels.setdefault(iri, index.film_labels.get(iri, rep.label))
    records = sorted({m.record for m in members}, key=_natural)
    for m in members:
        res.iris[m.id] = iri
        if m.label != res.labels[iri]:
            res.alt_labels[iri].add(m.label)
    if len(records) < 2:
        return
    mangled_title = any(m.id in mangled for m in members)
    kind = "mangled-duplicate-title" if mangled_title else "duplicate-record"
    titles = sorted({m.label for m in members})
    for m in members:
        others = [r for r in records if r != m.record]
        if others:
            res.issues.append(
                Issue(
                    kind,
                    m.record,
                    "title",
                    m.label,
                    "merged into one film",
                    f"same film as {', '.join(others)} (titles: {' / '.join(titles)})",
                )
            )


# -- people -----------------------------------------------------------------------------
#: Careers this many years apart (with no shared role, film or co-worker) are two people.
CAREER_GAP = 20


@dataclass
class _Career:
    """The mentions of one name taken to be one person, with what their records say."""

    members: list[Mention]
    films: set[str]
    years: set[int]
    roles: set[str]
    coworkers: set[str]  # folded names

    def merge(self, other: _Career) -> None:
        self.members += other.members
        self.films |= other.films
        self.years |= other.years
        self.roles |= other.roles
        self.coworkers |= other.coworkers

    def span(self) -> str:
        if not self.years:
            return "years unknown"
        low, high = min(self.years), max(self.years)
        return str(low) if low == high else f"{low}–{high}"

    def describe(self) -> str:
        roles = ", ".join(sorted(r.rsplit("/", 1)[-1] for r in self.roles)) or "no role"
        return f"{roles}, {self.span()}"


def _gap(a: _Career, b: _Career) -> int:
    return max(min(b.years) - max(a.years), min(a.years) - max(b.years))


def _apart(a: _Career, b: _Career) -> bool:
    """Two careers of one name that cannot be one person's: decades apart, disjoint
    roles, no shared film and no shared co-worker."""
    if not (a.years and b.years and a.roles and b.roles):
        return False
    return (
        _gap(a, b) >= CAREER_GAP
        and not a.roles & b.roles
        and not a.films & b.films
        and not a.coworkers & b.coworkers
    )


@dataclass
class _Context:
    """Who worked on what, and with whom, in this import (and then in the graph)."""

    films_of_mention: dict[int, set[int]]  # person mention → film mentions
    roles: MappingABC[tuple[int, int], Collection[str]]
    mentions: Sequence[Mention]
    film_iris: dict[int, str]
    films_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    people_on: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    records_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(
        cls,
        mentions: Sequence[Mention],
        links: Sequence[tuple[int, int]],
        roles: MappingABC[tuple[int, int], Collection[str]],
        res: Resolution,
    ) -> _Context:
        films_of_mention: dict[int, set[int]] = defaultdict(set)
        for w, a in links:
            films_of_mention[a].add(w)
        return cls(films_of_mention, roles, mentions, res.iris)

    def career(self, members: list[Mention], names_on: dict[str, set[str]]) -> _Career:
        films: set[str] = set()
        years: set[int] = set()
        roles: set[str] = set()
        for m in members:
            for w in self.films_of_mention.get(m.id, ()):
                films.add(self.film_iris[w])
                year = self.mentions[w].year
                if year and year.isdigit():
                    years.add(int(year))
                roles |= set(self.roles.get((w, m.id), ()))
        name = fold(members[0].label)
        coworkers = {p for f in films for p in names_on.get(f, ())} - {name}
        return _Career(list(members), films, years, roles, coworkers)

    def index_credits(
        self, links: Sequence[tuple[int, int]], index: ReferenceIndex, res: Resolution
    ) -> None:
        for w, a in links:
            self.films_of[res.iris[a]].add(res.iris[w])
            self.people_on[res.iris[w]].add(res.iris[a])
        for w_iri, a_iri in index.credits:
            self.films_of[a_iri].add(w_iri)
            self.people_on[w_iri].add(a_iri)
        for m in self.mentions:
            if m.cls == "Person":
                self.records_of[res.iris[m.id]].add(m.record)

    def coworkers(self, person: str) -> set[str]:
        return {p for f in self.films_of[person] for p in self.people_on[f]} - {person}


def _careers(members: list[Mention], ctx: _Context, names_on: dict[str, set[str]]) -> list[_Career]:
    """The mentions of one name as careers: one per record, merged unless :func:`_apart`."""
    by_record: dict[str, list[Mention]] = defaultdict(list)
    for m in members:
        by_record[m.record].append(m)
    careers = [ctx.career(ms, names_on) for ms in by_record.values()]
    merged = True
    while merged and len(careers) > 1:
        merged = False
        for i, a in enumerate(careers):
            for b in careers[i + 1 :]:
                if not _apart(a, b):
                    a.merge(b)
                    careers.remove(b)
                    merged = True
                    break
            if merged:
                break
    return sorted(careers, key=lambda c: (-len(c.members), min(c.years, default=0)))


def _resolve_names(
    people: Sequence[Mention],
    ctx: _Context,
    index: ReferenceIndex,
    res: Resolution,
    source_id: str,
) -> dict[str, str]:
    """People by folded name (spellings one person), homonyms by career; key → IRI."""
    by_key: dict[str, list[Mention]] = defaultdict(list)
    for m in people:
        by_key[fold(m.label)].append(m)
    names_on: dict[str, set[str]] = defaultdict(set)
    for a, ws in ctx.films_of_mention.items():
        for w in ws:
            names_on[res.iris[w]].add(fold(ctx.mentions[a].label))
    key_iri: dict[str, str] = {}
    for key, members in by_key.items():
        namesakes = [(iri, _reference_career(iri, key, index)) for iri in index.namesakes_of(key)]
        first: tuple[str, _Career] | None = None
        for career in _careers(members, ctx, names_on):
            iri = _place_career(career, namesakes, first, index, res, source_id)
            key_iri.setdefault(key, iri)
            first = first or (iri, career)
    return key_iri


def _reference_career(iri: str, key: str, index: ReferenceIndex) -> _Career:
    """What the graph says of a person: films, their years, roles and co-workers."""
    films = set(index.credit_maps()[0].get(iri, ()))
    years = {index.film_years[f] for f in films if f in index.film_years}
    roles = {r for f in films for r in index.credit_roles.get((f, iri), ())}
    coworkers = {p for f in films for p in index.people_names_on(f)} - {key}
    return _Career([], films, years, roles, coworkers)


def _place_career(
    career: _Career,
    namesakes: list[tuple[str, _Career]],
    first: tuple[str, _Career] | None,
    index: ReferenceIndex,
    res: Resolution,
    source_id: str,
) -> str:
    """The IRI of one career: the graph's namesake it fits, the name's own IRI, or (when
    it is apart from the namesakes, or from the name's first career here) its own."""
    fits = [iri for iri, ref in namesakes if not _apart(career, ref)]
    if fits:
        return _name_iri(career, fits[0], False, index, res, source_id)
    if not namesakes and first is None:
        return _name_iri(career, None, False, index, res, source_id)
    other_iri, other = namesakes[0] if namesakes else first  # type: ignore[misc]
    iri = _name_iri(career, None, True, index, res, source_id)
    _review_homonym(other, career, other_iri, iri, res)
    return iri


def _name_iri(
    career: _Career,
    existing: str | None,
    homonym: bool,
    index: ReferenceIndex,
    res: Resolution,
    source_id: str,
) -> str:
    members = career.members
    spellings = Counter(m.label for m in members)
    label = (index.person_labels.get(existing, "") if existing else "") or _prefer(spellings)
    iri = existing or KG_NS + f"person/{slug(label) or 'unnamed'}"
    if homonym:  # its own IRI, named by its first role and year
        role = sorted(r.rsplit("/", 1)[-1] for r in career.roles)[0]
        iri = f"{iri}-{role}-{min(career.years)}"
    res.labels.setdefault(iri, label)
    for m in members:
        res.iris[m.id] = iri
    for v in sorted(s for s in spellings if s != res.labels[iri]):
        res.alt_labels[iri].add(v)
        vm = [m for m in members if m.label == v]
        for m in vm:
            res.credited_as[m.id] = v
            res.issues.append(
                Issue(
                    "name-variant",
                    m.record,
                    "name",
                    v,
                    f"one person: {res.labels[iri]}",
                    f"spellings: {' / '.join(sorted(spellings | Counter([res.labels[iri]])))}",
                )
            )
        method = "same name after folding accents, case and punctuation"
        res.matches.append(_match(source_id, v, iri, 0.95, method, [], vm))
    return iri


def _review_homonym(
    first: _Career, other: _Career, first_iri: str, iri: str, res: Resolution
) -> None:
    """List two same-named careers kept apart, with the evidence, for a person to check."""
    name = other.members[0].label
    detail = (
        f"{name} ({first.describe()}) and {name} ({other.describe()}): "
        f"no shared role, film or co-worker, {_gap(first, other)} years apart"
    )
    for m in other.members:
        res.issues.append(
            Issue("homonym-person", m.record, "name", m.label, "kept apart; see review", detail)
        )
    res.review.append(
        {
            "name": name,
            "iri": iri,
            "candidate": res.labels.get(first_iri, name),
            "candidate_iri": first_iri,
            "confidence": 0.0,
            "method": "homonym: careers apart (no shared role, film or co-worker)",
            "shared_films": [],
            "shared_coworkers": [],
            "records": sorted({m.record for m in other.members}, key=_natural),
            "evidence": {
                "gap_years": _gap(first, other),
                "careers": [_career_evidence(first, first_iri), _career_evidence(other, iri)],
            },
        }
    )


def _career_evidence(career: _Career, iri: str) -> dict[str, Any]:
    return {
        "iri": iri,
        "roles": sorted(career.roles),
        "years": career.span(),
        "films": sorted(career.films),
        "records": sorted({m.record for m in career.members}, key=_natural),
    }


def _resolve_aliases(
    people: Sequence[Mention],
    key_iri: dict[str, str],
    ctx: _Context,
    index: ReferenceIndex,
    res: Resolution,
    source_id: str,
    threshold: float,
) -> None:
    """The alias rule: a long name that gives a known person with words dropped."""
    by_key: dict[str, list[Mention]] = defaultdict(list)
    for m in people:
        if res.iris[m.id] == key_iri.get(fold(m.label)):
            by_key[fold(m.label)].append(m)
    known = set(by_key) | set(index.persons)
    for key in sorted(by_key):
        tokens = key.split()
        if len(tokens) < 3 or tokens[-1] in _SUFFIXES:
            continue  # "Vinny Vella Jr." is not "Vinny Vella": a son is not his father
        candidates = [" ".join(tokens[:-1]), f"{tokens[0]} {tokens[-1]}"]
        for cand in dict.fromkeys(candidates):
            if cand == key or cand not in known:
                continue
            a_iri, b_iri = key_iri[key], key_iri.get(cand) or index.persons[cand]
            if a_iri == b_iri or ctx.records_of[a_iri] & ctx.records_of[b_iri]:
                continue  # named side by side in one record: two people
            method = "alias: " + (
                "last word dropped" if cand == candidates[0] else "middle words dropped"
            )
            alias = _Alias(key, cand, a_iri, b_iri, method, by_key[key])
            if _score_alias(alias, ctx, index, res) >= threshold:
                _merge_alias(alias, ctx, res, source_id)
                key_iri[key] = b_iri
                break
            _review_alias(alias, res, threshold)


@dataclass
class _Alias:
    key: str
    cand: str
    a_iri: str
    b_iri: str
    method: str
    members: list[Mention]
    confidence: float = 0.0
    shared_films: set[str] = field(default_factory=set)
    shared_people: set[str] = field(default_factory=set)
    target_label: str = ""


def _score_alias(alias: _Alias, ctx: _Context, index: ReferenceIndex, res: Resolution) -> float:
    a, b = alias.a_iri, alias.b_iri
    alias.shared_films = ctx.films_of[a] & ctx.films_of[b]
    alias.shared_people = (ctx.coworkers(a) & ctx.coworkers(b)) - {a, b}
    context = min(1.0, 0.5 * len(alias.shared_films) + 0.1 * len(alias.shared_people))
    name_score = fuzz.token_set_ratio(alias.key, alias.cand) / 100
    alias.confidence = round(name_score * (0.55 + 0.45 * context), 2)
    alias.target_label = res.labels.get(b) or index.person_labels.get(b, alias.cand)
    return alias.confidence


def _merge_alias(alias: _Alias, ctx: _Context, res: Resolution, source_id: str) -> None:
    a_iri, b_iri = alias.a_iri, alias.b_iri
    name = res.labels[a_iri]
    for m in alias.members:
        res.iris[m.id] = b_iri
        res.credited_as[m.id] = m.label
        res.issues.append(
            Issue(
                "alias-match",
                m.record,
                "name",
                m.label,
                f"one person: {alias.target_label}",
                f"confidence {alias.confidence:.2f}; shared films {len(alias.shared_films)}, "
                f"shared co-workers {len(alias.shared_people)}",
            )
        )
    res.alt_labels[b_iri].add(name)
    res.alt_labels[b_iri] |= res.alt_labels.pop(a_iri, set())
    res.labels.setdefault(b_iri, alias.target_label)
    shared = sorted(alias.shared_films) + sorted(alias.shared_people)[:10]
    res.matches.append(
        _match(source_id, name, b_iri, alias.confidence, alias.method, shared, alias.members)
    )
    ctx.films_of[b_iri] |= ctx.films_of.pop(a_iri, set())
    ctx.records_of[b_iri] |= ctx.records_of.pop(a_iri, set())


def _review_alias(alias: _Alias, res: Resolution, threshold: float) -> None:
    for m in alias.members:
        res.issues.append(
            Issue(
                "alias-review",
                m.record,
                "name",
                m.label,
                "kept apart; see review",
                f"maybe {alias.target_label}: confidence {alias.confidence:.2f} "
                f"below {threshold:.2f}",
            )
        )
    res.review.append(
        {
            "name": res.labels[alias.a_iri],
            "iri": alias.a_iri,
            "candidate": alias.target_label,
            "candidate_iri": alias.b_iri,
            "confidence": alias.confidence,
            "method": alias.method,
            "shared_films": sorted(alias.shared_films),
            "shared_coworkers": sorted(alias.shared_people),
            "records": sorted({m.record for m in alias.members}, key=_natural),
        }
    )


def _finish(res: Resolution) -> None:
    """Drop labels of merged-away IRIs; sort the review and matches; unique match IRIs."""
    used = set(res.iris.values())
    for iri in list(res.labels):
        if iri not in used:
            del res.labels[iri]  # a merged alias's label must not stay on the target
    res.review.sort(key=lambda r: (r["name"], r["candidate"], r["iri"]))
    res.matches.sort(key=lambda m: (m["iri"], m["name"], m["entity"]))
    taken: Counter[str] = Counter()
    for match in res.matches:
        taken[match["iri"]] += 1
        if taken[match["iri"]] > 1:
            match["iri"] = f"{match['iri']}-{taken[match['iri']]}"


def _match(
    source_id: str,
    name: str,
    entity: str,
    confidence: float,
    method: str,
    shared: list[str],
    members: Sequence[Mention],
) -> dict[str, Any]:
    return {
        "iri": KG_NS + f"match/{source_id}/{slug(name) or 'unnamed'}",
        "name": name,
        "entity": entity,
        "confidence": confidence,
        "method": method,
        "shared": shared,
        "mentions": [m.id for m in members],
    }
