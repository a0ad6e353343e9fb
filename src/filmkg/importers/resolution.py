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
    in the graph with the same key keeps its IRI.
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

Exact-name merges across sources are identity by name: the standard assumption of
name-keyed datasets without identifiers; homonymous people cannot be told apart by name.

>>> from filmkg.importers.pipeline import Mention
>>> ms = [Mention(0, "film", "Film", "Swan Song", "Swan Song", "2021", "A", "r1"),
...       Mention(1, "film", "Film", "Swan Song", "Swan Song", "2021", "B", "r2")]
>>> r = resolve(ms, [], ReferenceIndex(), source_id="demo", threshold=0.85)
>>> sorted(set(r.iris.values()))
['https://w3id.org/filmkg/id/film/swan-song-2021-a', 'https://w3id.org/filmkg/id/film/swan-song-2021-b']
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from filmkg.importers.mapping import fold, slug
from filmkg.importers.quality import Issue
from filmkg.rdf.namespaces import KG, sparql_prefixes

if TYPE_CHECKING:
    from filmkg.engines.store import KnowledgeGraph
    from filmkg.importers.pipeline import Mention

__all__ = ["ReferenceIndex", "Resolution", "resolve"]

KG_NS = str(KG)

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
_PATHS = {"Film": "film", "Person": "person", "Organisation": "org", "Place": "place"}


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

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph) -> ReferenceIndex:
        """Index the films, people, places, organisations and credits of ``kg``."""
        index = cls()
        pre = sparql_prefixes()
        q = pre + (
            "SELECT ?p ?label ?alt WHERE { ?p a filmkg:Person . "
            "{ ?p rdfs:label ?label } UNION { ?p skos:altLabel ?label BIND(true AS ?alt) } }"
        )
        for row in kg.store.query(q, use_default_graph_as_union=True):  # type: ignore[union-attr]
            iri, label = row["p"].value, row["label"].value
            index.persons.setdefault(fold(label), iri)
            if row["alt"] is None:
                index.person_labels.setdefault(iri, label)
        q = pre + (
            "SELECT ?f ?label ?d WHERE { ?f a filmkg:Film ; rdfs:label ?label . "
            "OPTIONAL { ?r filmkg:work ?f . { ?r filmkg:releaseYear ?d } UNION "
            "{ ?r filmkg:releaseDate ?d } } }"
        )
        for row in kg.store.query(q, use_default_graph_as_union=True):  # type: ignore[union-attr]
            iri, label = row["f"].value, row["label"].value
            year = row["d"].value[:4] if row["d"] is not None else None
            index.films.setdefault((fold(label), year), iri)
            index.film_labels.setdefault(iri, label)
        q = pre + (
            "SELECT ?e ?c ?label WHERE { VALUES ?c { filmkg:Place filmkg:Organisation } "
            "?e a ?c ; rdfs:label ?label }"
        )
        for row in kg.store.query(q, use_default_graph_as_union=True):  # type: ignore[union-attr]
            local = row["c"].value.rsplit("#", 1)[1]
            index.others.setdefault((local, fold(row["label"].value)), row["e"].value)
            index.other_labels.setdefault(row["e"].value, row["label"].value)
        q = pre + "SELECT ?w ?a WHERE { ?c a filmkg:Credit ; filmkg:work ?w ; filmkg:agent ?a }"
        for row in kg.store.query(q, use_default_graph_as_union=True):  # type: ignore[union-attr]
            index.credits.add((row["w"].value, row["a"].value))
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
    import re

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
) -> Resolution:
    """Give every mention an IRI (see the module docs for the rules)."""
    res = Resolution()
    people_of: dict[int, set[str]] = defaultdict(set)
    for w, a in links:
        people_of[w].add(fold(mentions[a].label))
    _resolve_films([m for m in mentions if m.cls == "Film"], people_of, index, res)
    for m in mentions:
        if m.cls not in ("Film", "Person"):
            key = (m.cls, fold(m.label))
            iri = index.others.get(key) or str(
                KG_NS + f"{_PATHS.get(m.cls, m.cls.lower())}/{slug(m.label) or 'unnamed'}"
            )
            res.iris[m.id] = iri
            res.labels.setdefault(iri, index.other_labels.get(iri, m.label))
    _resolve_people(
        [m for m in mentions if m.cls == "Person"],
        links,
        mentions,
        index,
        res,
        source_id,
        threshold,
    )
    return res


def _resolve_films(
    films: Sequence[Mention], people_of: dict[int, set[str]], index: ReferenceIndex, res: Resolution
) -> None:
    if not films:
        return
    uf = _UnionFind(m.id for m in films)
    by_id = {m.id: m for m in films}
    groups: dict[tuple[str, str | None], list[Mention]] = defaultdict(list)
    for m in films:
        groups[(fold(m.label), m.year)].append(m)
    first_by_identity: dict[str | None, int] = {}
    for members in groups.values():
        first_by_identity.clear()
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
    # mangled duplicates: same year, a shared person, abbreviated words
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
    clusters: dict[int, list[Mention]] = defaultdict(list)
    for m in films:
        clusters[uf.find(m.id)].append(m)
    # clusters that still share a key are homonyms
    by_key: dict[tuple[str, str | None], list[list[Mention]]] = defaultdict(list)
    for members in clusters.values():
        rep = sorted(members, key=lambda m: (-len(m.label), _natural(m.record)))[0]
        by_key[(fold(rep.label), rep.year)].append(members)
    for key, cluster_list in by_key.items():
        homonyms = len(cluster_list) > 1
        existing = index.films.get(key)
        for members in cluster_list:
            rep = sorted(members, key=lambda m: (-len(m.label), _natural(m.record)))[0]
            base = slug(rep.label) or "untitled"
            base = f"{base}-{rep.year}" if rep.year else base
            if homonyms:
                ident = sorted({m.identity or m.record for m in members})[0]
                iri = KG_NS + f"film/{base}-{slug(ident)}"
                others = sorted(
                    {m.record for c in cluster_list if c is not members for m in c}, key=_natural
                )
                for m in members:
                    res.issues.append(
                        Issue(
                            "homonym",
                            m.record,
                            "title",
                            m.label,
                            "kept apart",
                            f"{rep.label} ({rep.year}) is also the title of another film: "
                            + ", ".join(others),
                        )
                    )
            else:
                iri = existing or KG_NS + f"film/{base}"
            res.labels.setdefault(iri, index.film_labels.get(iri, rep.label))
            records = sorted({m.record for m in members}, key=_natural)
            for m in members:
                res.iris[m.id] = iri
                if m.label != res.labels[iri]:
                    res.alt_labels[iri].add(m.label)
            if len(records) > 1:
                kind = (
                    "mangled-duplicate-title"
                    if any(m.id in mangled for m in members)
                    else "duplicate-record"
                )
                titles = sorted({m.label for m in members})
                for m in members:
                    others = [r for r in records if r != m.record]
                    if not others:
                        continue
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


def _resolve_people(
    people: Sequence[Mention],
    links: Sequence[tuple[int, int]],
    mentions: Sequence[Mention],
    index: ReferenceIndex,
    res: Resolution,
    source_id: str,
    threshold: float,
) -> None:
    by_key: dict[str, list[Mention]] = defaultdict(list)
    for m in people:
        by_key[fold(m.label)].append(m)
    key_iri: dict[str, str] = {}
    for key, members in by_key.items():
        existing = index.persons.get(key)
        spellings = Counter(m.label for m in members)
        label = index.person_labels.get(existing, "") if existing else ""
        label = label or _prefer(spellings)
        iri = existing or KG_NS + f"person/{slug(label) or 'unnamed'}"
        key_iri[key] = iri
        res.labels.setdefault(iri, label)
        for m in members:
            res.iris[m.id] = iri
        variants = sorted(s for s in spellings if s != res.labels[iri])
        for v in variants:
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
            res.matches.append(
                _match(
                    source_id,
                    v,
                    iri,
                    0.95,
                    "same name after folding accents, case and punctuation",
                    [],
                    vm,
                )
            )
    # who worked on what, and with whom (this import and the graph)
    films_of: dict[str, set[str]] = defaultdict(set)
    people_on: dict[str, set[str]] = defaultdict(set)
    for w, a in links:
        films_of[res.iris[a]].add(res.iris[w])
        people_on[res.iris[w]].add(res.iris[a])
    for w_iri, a_iri in index.credits:
        films_of[a_iri].add(w_iri)
        people_on[w_iri].add(a_iri)

    records_of: dict[str, set[str]] = defaultdict(set)
    for m in people:
        records_of[res.iris[m.id]].add(m.record)

    def coworkers(person: str) -> set[str]:
        return {p for f in films_of[person] for p in people_on[f]} - {person}

    from rapidfuzz import fuzz

    known = set(by_key) | set(index.persons)
    for key in sorted(by_key):
        tokens = key.split()
        if len(tokens) < 3:
            continue
        if tokens[-1] in _SUFFIXES:
            continue  # "Vinny Vella Jr." is not "Vinny Vella": a son is not his father
        candidates = [" ".join(tokens[:-1]), f"{tokens[0]} {tokens[-1]}"]
        for cand in dict.fromkeys(candidates):
            if cand == key or cand not in known:
                continue
            a_iri = key_iri[key]
            b_iri = key_iri.get(cand) or index.persons[cand]
            if a_iri == b_iri:
                continue
            if records_of[a_iri] & records_of[b_iri]:
                continue  # named side by side in one record: two people
            shared_films = films_of[a_iri] & films_of[b_iri]
            shared_people = (coworkers(a_iri) & coworkers(b_iri)) - {a_iri, b_iri}
            context = min(1.0, 0.5 * len(shared_films) + 0.1 * len(shared_people))
            name_score = fuzz.token_set_ratio(key, cand) / 100
            confidence = round(name_score * (0.55 + 0.45 * context), 2)
            method = "alias: " + (
                "last word dropped" if cand == candidates[0] else "middle words dropped"
            )
            members = by_key[key]
            name = res.labels[a_iri]
            target_label = res.labels.get(b_iri) or index.person_labels.get(b_iri, cand)
            if confidence >= threshold:
                for m in members:
                    res.iris[m.id] = b_iri
                    res.credited_as[m.id] = m.label
                    res.issues.append(
                        Issue(
                            "alias-match",
                            m.record,
                            "name",
                            m.label,
                            f"one person: {target_label}",
                            f"confidence {confidence:.2f}; shared films {len(shared_films)}, "
                            f"shared co-workers {len(shared_people)}",
                        )
                    )
                res.alt_labels[b_iri].add(name)
                res.alt_labels[b_iri] |= res.alt_labels.pop(a_iri, set())
                res.labels.setdefault(b_iri, target_label)
                shared = sorted(shared_films) + sorted(shared_people)[:10]
                res.matches.append(
                    _match(source_id, name, b_iri, confidence, method, shared, members)
                )
                films_of[b_iri] |= films_of.pop(a_iri, set())
                records_of[b_iri] |= records_of.pop(a_iri, set())
                key_iri[key] = b_iri
                break
            for m in members:
                res.issues.append(
                    Issue(
                        "alias-review",
                        m.record,
                        "name",
                        m.label,
                        "kept apart; see review",
                        f"maybe {target_label}: confidence {confidence:.2f} below {threshold:.2f}",
                    )
                )
            res.review.append(
                {
                    "name": name,
                    "iri": a_iri,
                    "candidate": target_label,
                    "candidate_iri": b_iri,
                    "confidence": confidence,
                    "method": method,
                    "shared_films": sorted(shared_films),
                    "shared_coworkers": sorted(shared_people),
                    "records": sorted({m.record for m in members}, key=_natural),
                }
            )
    # a merged alias's label must not stay on the target as rdfs:label
    used = set(res.iris.values())
    for iri in list(res.labels):
        if iri not in used:
            del res.labels[iri]
    res.review.sort(key=lambda r: (r["name"], r["candidate"]))
    res.matches.sort(key=lambda m: (m["iri"], m["name"]))
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
