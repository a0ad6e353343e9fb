"""A deterministic generator of realistic synthetic film graphs, in filmkg's own ontology.

The graph uses exactly the patterns of ``graph/here.ttl``: entities (``filmkg:Film``,
``filmkg:Person``, ``filmkg:Organisation``, ``filmkg:Place``) carry only type, label and
``filmkg:mentionedIn``; every fact is an assertion node (``filmkg:Credit``,
``filmkg:Release``, ``filmkg:RightsGrant``, ``filmkg:Reunion``) with ``filmkg:evidence``
pointing at a ``filmkg:Evidence`` node holding a quote, a ``filmkg:sourceRecord`` and a
``filmkg:source`` — one synthetic ``filmkg:Dataset``.

What makes it realistic:

* careers with a long tail: each credit goes to a new person with a fixed probability,
  otherwise to someone already credited in that role family, chosen in proportion to their
  credits so far (a Yule–Simon process: a few prolific people, many one-film credits);
* people with several roles on one film (directors who write and produce);
* ensembles that reunite years later, recorded as ``filmkg:Reunion`` nodes whose members
  are truly credited on both films;
* release plans superseded by a later schedule (``releasestatus:superseded`` with
  ``filmkg:supersededBy`` and ``filmkg:supersededOn``), and rights grants per territory.

Output is streamed (written film by film, memory grows only by a few bytes per credit) as
N-Triples (default), N-Quads (named graph ``graph:synthetic``) or Turtle. The same
``films`` and ``seed`` give byte-identical output. On average a film yields about
:data:`TRIPLES_PER_FILM` triples, so ``--films 1000`` is ≈ 0.1M triples and
``--films 90000`` ≈ 10M (see :func:`films_for_triples`).

>>> import io
>>> out = io.StringIO()
>>> stats = write(out, films=3, seed=1)
>>> stats.films, stats.triples == len(out.getvalue().splitlines())
(3, True)
>>> write(io.StringIO(), films=3, seed=1) == stats
True
"""

from __future__ import annotations

import io
import random
import re
from array import array
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from filmkg.errors import UsageError
from filmkg.io.fileio import atomic_open
from filmkg.rdf.namespaces import (
    FILMKG,
    GRAPH,
    KG,
    RELEASEKIND,
    RELEASESTATUS,
    RIGHTSKIND,
    ROLE,
    SCHEMA,
)

__all__ = [
    "FORMATS",
    "SYNTH_GRAPH",
    "TRIPLES_PER_FILM",
    "SynthStats",
    "films_for_triples",
    "generate",
    "write",
    "write_file",
]

SynthFormat = Literal["nt", "nq", "ttl"]
#: Output formats of :func:`write`.
FORMATS: tuple[SynthFormat, ...] = ("nt", "nq", "ttl")
#: The named graph of N-Quads output.
SYNTH_GRAPH = GRAPH.synthetic
#: Average triples per film, measured at 2,000–20,000 films (see docs/benchmarks.md).
TRIPLES_PER_FILM = 115

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _iri(term: str) -> str:
    return f"<{term}>"


A = _iri(_RDF + "type")
LABEL = _iri(_RDFS + "label")
F_FILM, F_PERSON, F_ORG, F_PLACE = (
    _iri(FILMKG.Film),
    _iri(FILMKG.Person),
    _iri(FILMKG.Organisation),
    _iri(FILMKG.Place),
)
F_CREDIT, F_RELEASE, F_RIGHTS, F_REUNION = (
    _iri(FILMKG.Credit),
    _iri(FILMKG.Release),
    _iri(FILMKG.RightsGrant),
    _iri(FILMKG.Reunion),
)
F_EVIDENCE, F_DATASET = _iri(FILMKG.Evidence), _iri(FILMKG.Dataset)
P_MENTIONED = _iri(FILMKG.mentionedIn)
P_WORK, P_AGENT, P_ROLE = _iri(FILMKG.work), _iri(FILMKG.agent), _iri(FILMKG.role)
P_CHARACTER, P_STARRING = _iri(FILMKG.character), _iri(FILMKG.starring)
P_EVIDENCE, P_QUOTE, P_SOURCE, P_RECORD = (
    _iri(FILMKG.evidence),
    _iri(FILMKG.quote),
    _iri(FILMKG.source),
    _iri(FILMKG.sourceRecord),
)
P_DATE, P_YEAR, P_KIND, P_PLACE = (
    _iri(FILMKG.releaseDate),
    _iri(FILMKG.releaseYear),
    _iri(FILMKG.releaseKind),
    _iri(FILMKG.place),
)
P_STATUS, P_ASOF, P_SUPBY, P_SUPON, P_PLANNED = (
    _iri(FILMKG.releaseStatus),
    _iri(FILMKG.statusAsOf),
    _iri(FILMKG.supersededBy),
    _iri(FILMKG.supersededOn),
    _iri(FILMKG.plannedSince),
)
P_HOLDER, P_RKIND, P_TERRITORY = (
    _iri(FILMKG.rightsHolder),
    _iri(FILMKG.rightsKind),
    _iri(FILMKG.territory),
)
P_MEMBER, P_EARLIER, P_LATER, P_GAP = (
    _iri(FILMKG.member),
    _iri(FILMKG.earlierWork),
    _iri(FILMKG.laterWork),
    _iri(FILMKG.gapYears),
)
P_DATE_PUBLISHED = _iri(SCHEMA.datePublished)
P_LICENCE = _iri(FILMKG.licence)
#: Synthetic data, free of rights: CC0.
LICENCE = "<https://creativecommons.org/publicdomain/zero/1.0/>"
CURRENT, SUPERSEDED = _iri(RELEASESTATUS.current), _iri(RELEASESTATUS.superseded)
TRUE = f'"true"^^<{_XSD}boolean>'

_ROLES = {
    name: _iri(ROLE[name])
    for name in ("director", "screenwriter", "producer", "executive-producer", "cast-member")
}
_ROLE_WORDS = {
    "director": "directed by",
    "screenwriter": "written by",
    "producer": "produced by",
    "executive-producer": "executive produced by",
    "cast-member": "starring",
}
_RIGHTS = [
    (_iri(RIGHTSKIND["theatrical-distribution"]), "theatrical distribution"),
    (_iri(RIGHTSKIND["streaming-distribution"]), "streaming distribution"),
    (_iri(RIGHTSKIND["international-rights"]), "international rights"),
]
_TERRITORIES = [
    ("united-states", "United States"),
    ("international", "International"),
    ("united-kingdom", "United Kingdom"),
    ("france", "France"),
    ("germany", "Germany"),
    ("japan", "Japan"),
    ("los-angeles", "Los Angeles"),
    ("new-york", "New York"),
]

_FIRST = [
    "Ada",
    "Alan",
    "Alma",
    "Anton",
    "Beatriz",
    "Bruno",
    "Carla",
    "Cyril",
    "Dara",
    "Dmitri",
    "Edith",
    "Emil",
    "Farah",
    "Felix",
    "Greta",
    "Gustavo",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Joan",
    "Jonas",
    "Kaito",
    "Kira",
    "Lena",
    "Leon",
    "Maya",
    "Milo",
    "Nadia",
    "Nils",
    "Olga",
    "Omar",
    "Paula",
    "Pavel",
    "Quinn",
    "Rafael",
    "Rosa",
    "Rui",
    "Sana",
    "Sven",
    "Tara",
    "Theo",
    "Uma",
    "Umar",
    "Vera",
    "Viktor",
    "Wen",
    "Wilhelm",
    "Yara",
    "Yusuf",
    "Zoe",
    "Zeno",
]
_LAST = [
    "Abbott",
    "Adler",
    "Baptiste",
    "Berg",
    "Castillo",
    "Chen",
    "Dahl",
    "Duval",
    "Eklund",
    "Esposito",
    "Falk",
    "Ferreira",
    "Garland",
    "Gupta",
    "Hale",
    "Haas",
    "Ibarra",
    "Ito",
    "Jansen",
    "Jovanovic",
    "Keller",
    "Kowalski",
    "Lind",
    "Lopez",
    "Marlow",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Park",
    "Petrov",
    "Quint",
    "Rahman",
    "Reyes",
    "Rossi",
    "Sato",
    "Silva",
    "Tanaka",
    "Torres",
    "Ueda",
    "Varga",
    "Voss",
    "Wagner",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Young",
    "Zeller",
    "Zhou",
]
_ADJ = [
    "Silent",
    "Broken",
    "Golden",
    "Last",
    "Hidden",
    "Crimson",
    "Distant",
    "Burning",
    "Quiet",
    "Endless",
    "Hollow",
    "Northern",
    "Bitter",
    "Wild",
    "Paper",
    "Glass",
    "Iron",
    "Midnight",
    "Summer",
    "Winter",
    "Lost",
    "Secret",
    "Electric",
    "Velvet",
]
_NOUN = [
    "Harbor",
    "River",
    "Garden",
    "Letter",
    "Station",
    "Mirror",
    "Kingdom",
    "Promise",
    "Shadow",
    "Island",
    "Orchard",
    "Frontier",
    "Signal",
    "Lantern",
    "Carnival",
    "Horizon",
    "Winter",
    "Circus",
    "Empire",
    "Season",
    "Meridian",
    "Tide",
    "Archive",
    "Bridge",
]
_STUDIO = ["Pictures", "Films", "Studios", "Entertainment", "Media", "Productions"]
_CHARACTERS = [
    "the Captain",
    "the Stranger",
    "the Widow",
    "the Detective",
    "the Teacher",
    "the Mayor",
    "the Doctor",
    "the Pilot",
    "the Singer",
    "the Thief",
    "the Twin",
    "the Narrator",
    "the Neighbour",
    "the Priest",
]

_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def _local(term: str) -> str:
    """The last path segment of an IRI term ``<…/x>``."""
    return term[1:-1].rsplit("/", 1)[-1]


def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _date(year: int, day_of_year: int) -> str:
    month, day = 1 + day_of_year // 28 % 12, 1 + day_of_year % 28
    return f'"{year:04d}-{month:02d}-{day:02d}"^^<{_XSD}date>'


@dataclass
class SynthStats:
    """What a generator run produced (counts; ``triples`` is the number of lines of N-Triples)."""

    films: int = 0
    people: int = 0
    organisations: int = 0
    credits: int = 0
    releases: int = 0
    superseded_releases: int = 0
    rights_grants: int = 0
    reunions: int = 0
    evidence: int = 0
    triples: int = 0


Block = tuple[str, list[tuple[str, str]]]  # subject term, [(predicate term, object term)]


class _Careers:
    """A Yule–Simon pool: a new person with probability ``p_new``, else someone credited
    recently, in proportion to their recent credits.

    Only the last ``window`` credits are remembered (a ring buffer: constant memory), so
    careers end and the most prolific people have hundreds of credits, not thousands.
    """

    def __init__(self, rng: random.Random, p_new: float, window: int = 6000) -> None:
        self.rng = rng
        self.p_new = p_new
        self.window = window
        self.slots = array("I")  # person index of each recent credit
        self.next = 0

    def pick(self, new_person: Iterator[int]) -> int:
        if not self.slots or self.rng.random() < self.p_new:
            person = next(new_person)
        else:
            person = self.slots[self.rng.randrange(len(self.slots))]
        if len(self.slots) < self.window:
            self.slots.append(person)
        else:
            self.slots[self.next] = person
            self.next = (self.next + 1) % self.window
        return person


def films_for_triples(triples: int) -> int:
    """The number of films that gives about ``triples`` triples.

    >>> films_for_triples(1_000_000)
    8696
    """
    return max(1, round(triples / TRIPLES_PER_FILM))


#: An earlier film that may reunite: (film index, year, film IRI term, [person indexes]).
_Ensemble = tuple[int, int, str, list[int]]


def generate(films: int, seed: int, stats: SynthStats | None = None) -> Iterator[Block]:
    """Yield the graph as subject blocks, film by film (deterministic for ``films``/``seed``)."""
    if films < 1:
        raise UsageError(f"--films must be at least 1, not {films}")
    yield from _Generator(films, seed, stats if stats is not None else SynthStats()).blocks()


class _Generator:
    """One synthetic graph being made: its random stream, the people and organisations
    minted so far, the ensembles that may reunite later, and the counts.

    Every random draw happens in one fixed order (film by film), so the output depends
    on ``films`` and ``seed`` only.
    """

    def __init__(self, films: int, seed: int, stats: SynthStats) -> None:
        self.films = films
        self.seed = seed
        self.stats = stats
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.source = _iri(KG[f"source/synthetic-{seed}"])
        self.territories: list[tuple[str, str]] = []
        self.orgs: list[tuple[str, str]] = []
        self.people: list[tuple[str, str]] = []  # index → (IRI term, label)
        self.pending: list[Block] = []  # people minted, not yet written
        self.new_person = self._people_counter()
        self.directors = _Careers(self.rng, 0.35)
        self.writers = _Careers(self.rng, 0.45)
        self.producers = _Careers(self.rng, 0.4)
        self.cast = _Careers(self.rng, 0.3)
        self.ensembles: list[_Ensemble] = []

    def blocks(self) -> Iterator[Block]:
        yield from self._dataset()
        yield from self._places()
        yield from self._organisations()
        for i in range(self.films):
            yield from self._film(i)

    def _dataset(self) -> Iterator[Block]:
        yield (
            self.source,
            [
                (A, F_DATASET),
                (LABEL, _lit(f"Synthetic film dataset (seed {self.seed}, {self.films} films)")),
                (P_DATE_PUBLISHED, f'"2024-06-22"^^<{_XSD}date>'),
                (P_LICENCE, LICENCE),
            ],
        )

    def _places(self) -> Iterator[Block]:
        for code, label in _TERRITORIES:
            place = _iri(KG[f"place/synthetic-{code}"])
            self.territories.append((place, label))
            yield place, [(A, F_PLACE), (LABEL, _lit(label))]

    def _organisations(self) -> Iterator[Block]:
        for i in range(max(5, self.films // 25)):
            label = f"{_NOUN[i % len(_NOUN)]} {_STUDIO[i // len(_NOUN) % len(_STUDIO)]}"
            if i >= len(_NOUN) * len(_STUDIO):
                label += f" {i // (len(_NOUN) * len(_STUDIO)) + 1}"
            org = _iri(KG[f"org/synthetic/{_slug(label)}"])
            self.orgs.append((org, label))
            yield org, [(A, F_ORG), (LABEL, _lit(label)), (P_MENTIONED, self.source)]
        self.stats.organisations = len(self.orgs)

    def _people_counter(self) -> Iterator[int]:
        n = 0
        while True:
            first, last = _FIRST[n % len(_FIRST)], _LAST[n // len(_FIRST) % len(_LAST)]
            label = f"{first} {last}"
            if n >= len(_FIRST) * len(_LAST):
                label += f" {n // (len(_FIRST) * len(_LAST)) + 1}"
            iri = _iri(KG[f"person/synthetic/{_slug(label)}"])
            self.people.append((iri, label))
            block = (iri, [(A, F_PERSON), (LABEL, _lit(label)), (P_MENTIONED, self.source)])
            self.pending.append(block)
            yield n
            n += 1

    def _film(self, i: int) -> Iterator[Block]:
        rng = self.rng
        year = 1930 + (i * 95) // self.films
        title = f"The {_ADJ[rng.randrange(len(_ADJ))]} {_NOUN[rng.randrange(len(_NOUN))]}"
        film_slug = f"{_slug(title)}-{year}-{i + 1}"
        film = _iri(KG[f"film/synthetic/{film_slug}"])
        record = f"films.tsv row {i + 1}"
        yield film, [(A, F_FILM), (LABEL, _lit(title)), (P_MENTIONED, self.source)]

        crew = self._crew()
        stars = [self.cast.pick(self.new_person) for _ in range(rng.randint(4, 10))]
        reunion = self._reunion_for(year, crew, stars)
        yield from self.pending
        self.stats.people += len(self.pending)
        self.pending.clear()

        film_ = _Film(film, film_slug, title, year, record)
        seen = yield from self._credits(film_, crew, stars)
        members = [p for p, r in seen if r in ("director", "screenwriter")]
        members += stars[:3]
        if len(self.ensembles) < 4096:
            self.ensembles.append((i, year, film, sorted(set(members))))
        elif rng.random() < 0.25:
            ensemble = (i, year, film, sorted(set(members)))
            self.ensembles[rng.randrange(len(self.ensembles))] = ensemble

        # -- releases: the current one and sometimes plans it replaced -------------------
        yield from _releases(
            rng,
            film,
            film_slug,
            title,
            year,
            self.seed,
            self.territories,
            self.source,
            record,
            self.stats,
        )
        yield from self._rights(film_)
        if reunion is not None:
            yield from self._reunion(film_, reunion, {p for p, _ in seen})
        self.stats.films += 1

    def _crew(self) -> list[tuple[int, str]]:
        """Who made the film: (person index, role), directors first."""
        rng, new = self.rng, self.new_person
        crew: list[tuple[int, str]] = []
        director = self.directors.pick(new)
        crew.append((director, "director"))
        if rng.random() < 0.1:
            crew.append((self.directors.pick(new), "director"))
        if rng.random() < 0.4:
            crew.append((director, "screenwriter"))  # a writer-director
        for _ in range(rng.choice((0, 1, 1, 2))):
            crew.append((self.writers.pick(new), "screenwriter"))
        if rng.random() < 0.2:
            crew.append((director, "producer"))
        for _ in range(rng.randint(1, 3)):
            crew.append((self.producers.pick(new), "producer"))
        for _ in range(rng.randint(0, 2)):
            crew.append((self.producers.pick(new), "executive-producer"))
        return crew

    def _reunion_for(
        self, year: int, crew: list[tuple[int, str]], stars: list[int]
    ) -> _Ensemble | None:
        """Sometimes an earlier ensemble comes back: its people join ``stars`` (leading)."""
        rng = self.rng
        if not (self.ensembles and rng.random() < 0.03):
            return None
        earlier = self.ensembles[rng.randrange(len(self.ensembles))]
        if year - earlier[1] < 3:
            return None
        k = min(len(earlier[3]), rng.randint(2, 4))
        for person in rng.sample(earlier[3], k):
            if person not in stars and all(p != person for p, _ in crew):
                stars.insert(0, person)  # comes back as a (leading) cast member
        return earlier

    def _credits(
        self, film: _Film, crew: list[tuple[int, str]], stars: list[int]
    ) -> Generator[Block, None, set[tuple[int, str]]]:
        """The credits of the film and their evidence; returns the (person, role) pairs."""
        evidence = _iri(KG[f"evidence/synthetic-{self.seed}/{film.slug}/credits"])
        names: dict[str, list[str]] = {}
        seen: set[tuple[int, str]] = set()
        billing = 0
        for person, role in [*crew, *((person, "cast-member") for person in stars)]:
            if (person, role) in seen:
                continue
            seen.add((person, role))
            iri, label = self.people[person]
            names.setdefault(role, []).append(label)
            credit = _iri(KG[f"credit/synthetic/{film.slug}/{_local(iri)}/{role}"])
            po = [(A, F_CREDIT), (P_WORK, film.iri), (P_AGENT, iri), (P_ROLE, _ROLES[role])]
            if role == "cast-member":
                billing += 1
                if billing <= 2:
                    po.append((P_STARRING, TRUE))
                if self.rng.random() < 0.5:
                    po.append((P_CHARACTER, _lit(self.rng.choice(_CHARACTERS))))
            po.append((P_EVIDENCE, evidence))
            self.stats.credits += 1
            yield credit, po
        quote = f"{film.title} ({film.year}): " + "; ".join(
            f"{_ROLE_WORDS[r]} {', '.join(names[r])}" for r in _ROLE_WORDS if r in names
        )
        yield from _evidence(evidence, quote, self.source, film.record, self.stats)
        return seen

    def _rights(self, film: _Film) -> Iterator[Block]:
        rng = self.rng
        evidence = _iri(KG[f"evidence/synthetic-{self.seed}/{film.slug}/rights"])
        sentences = []
        grants = {
            (
                rng.randrange(len(self.orgs)),
                rng.randrange(len(_RIGHTS)),
                rng.randrange(len(self.territories)),
            )
            for _ in range(rng.randint(1, 2))
        }
        for o, k, t in sorted(grants):
            org, org_label = self.orgs[o]
            kind, kind_label = _RIGHTS[k]
            place, place_label = self.territories[t]
            grant_path = f"{film.slug}/{_local(org)}/{_slug(kind_label)}-{_slug(place_label)}"
            grant = _iri(KG[f"rights/synthetic/{grant_path}"])
            sentences.append(f"{org_label} holds {kind_label} rights in {place_label}")
            self.stats.rights_grants += 1
            yield (
                grant,
                [
                    (A, F_RIGHTS),
                    (P_WORK, film.iri),
                    (P_HOLDER, org),
                    (P_RKIND, kind),
                    (P_TERRITORY, place),
                    (P_EVIDENCE, evidence),
                ],
            )
        quote = f"{film.title}: " + "; ".join(sentences) + "."
        yield from _evidence(evidence, quote, self.source, film.record, self.stats)

    def _reunion(self, film: _Film, reunion: _Ensemble, credited: set[int]) -> Iterator[Block]:
        """The reunion node of an earlier ensemble, when two or more of it are credited."""
        back = [p for p in reunion[3] if p in credited]
        if len(back) < 2:
            return
        node = _iri(KG[f"reunion/synthetic/{_local(reunion[2])}/{film.slug}"])
        evidence = _iri(KG[f"evidence/synthetic-{self.seed}/{film.slug}/reunion"])
        gap = film.year - reunion[1]
        po = [(A, F_REUNION)]
        po += [(P_MEMBER, self.people[p][0]) for p in back]
        po += [
            (P_EARLIER, reunion[2]),
            (P_LATER, film.iri),
            (P_GAP, f'"{gap}"^^<{_XSD}integer>'),
            (P_EVIDENCE, evidence),
        ]
        self.stats.reunions += 1
        yield node, po
        who = ", ".join(self.people[p][1] for p in back)
        quote = f"{film.title} reunites {who} for the first time in {gap} years."
        yield from _evidence(evidence, quote, self.source, film.record, self.stats)


@dataclass(frozen=True)
class _Film:
    iri: str
    slug: str
    title: str
    year: int
    record: str


def _evidence(
    node: str, quote: str, source: str, record: str, stats: SynthStats
) -> Iterator[Block]:
    stats.evidence += 1
    yield (
        node,
        [(A, F_EVIDENCE), (P_SOURCE, source), (P_QUOTE, _lit(quote)), (P_RECORD, _lit(record))],
    )


def _releases(
    rng: random.Random,
    film: str,
    film_slug: str,
    title: str,
    year: int,
    seed: int,
    territories: list[tuple[str, str]],
    source: str,
    record: str,
    stats: SynthStats,
) -> Iterator[Block]:
    evidence = _iri(KG[f"evidence/synthetic-{seed}/{film_slug}/releases"])
    day = rng.randrange(336)
    as_of = _date(year, min(day + 20, 335))
    kind = "theatrical" if year < 2000 else rng.choice(("wide", "wide", "streaming"))
    current = _iri(KG[f"release/synthetic/{film_slug}/{kind}-{year}"])
    po = [(A, F_RELEASE), (P_WORK, film), (P_KIND, _iri(RELEASEKIND[kind]))]
    if year < 1960:
        po.append((P_YEAR, f'"{year}"^^<{_XSD}gYear>'))
        quote = f"{title} was released in {year}."
    else:
        po.append((P_DATE, _date(year, day)))
        quote = f"{title} opens ({kind}) in {year}."
    if rng.random() < 0.3:
        po.append((P_PLACE, territories[0][0]))
    po += [(P_STATUS, CURRENT), (P_ASOF, as_of), (P_EVIDENCE, evidence)]
    stats.releases += 1
    yield current, po
    if year >= 1960 and rng.random() < 0.15:
        changed_on = _date(year, max(day - 60, 0))
        for j in range(rng.randint(1, 2)):
            old_kind = ("limited", "exclusive")[j]
            old_day = min(day + 7 * (j + 1), 335)
            plan = _iri(KG[f"release/synthetic/{film_slug}/{old_kind}-plan-{j + 1}"])
            stats.releases += 1
            stats.superseded_releases += 1
            yield (
                plan,
                [
                    (A, F_RELEASE),
                    (P_WORK, film),
                    (P_KIND, _iri(RELEASEKIND[old_kind])),
                    (P_DATE, _date(year, old_day)),
                    (P_PLACE, territories[6 + j][0]),
                    (P_STATUS, SUPERSEDED),
                    (P_ASOF, as_of),
                    (P_SUPBY, current),
                    (P_SUPON, changed_on),
                    (P_EVIDENCE, evidence),
                ],
            )
        quote += " It was first planned as a limited release, a schedule since replaced."
    yield from _evidence(evidence, quote, source, record, stats)


_TTL_PREFIXES = {
    "rdf": _RDF,
    "rdfs": _RDFS,
    "xsd": _XSD,
    "schema": str(SCHEMA),
    "filmkg": str(FILMKG),
    "role": str(ROLE),
    "releasekind": str(RELEASEKIND),
    "releasestatus": str(RELEASESTATUS),
    "rightskind": str(RIGHTSKIND),
}
_LOCAL = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _ttl_term(term: str, base: str) -> str:
    if term.startswith("<"):
        iri = term[1:-1]
        if iri.startswith(base):
            return f"<{iri[len(base) :]}>"
        for prefix, ns in _TTL_PREFIXES.items():
            if iri.startswith(ns) and _LOCAL.match(iri[len(ns) :]):
                return f"{prefix}:{iri[len(ns) :]}"
        return term
    if term.endswith(f"<{_XSD}boolean>"):
        return term.split("^^")[0].strip('"')
    if term.endswith(f"<{_XSD}integer>"):
        return term.split("^^")[0].strip('"')
    head, sep, datatype = term.rpartition("^^")
    if sep:
        return f"{head}^^{_ttl_term(datatype, base)}"
    return term


def write(out: TextIO, *, films: int, seed: int = 0, fmt: SynthFormat = "nt") -> SynthStats:
    """Write the graph to ``out`` as it is generated; return what was written."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown synth format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    stats = SynthStats()
    graph = f" <{SYNTH_GRAPH}>" if fmt == "nq" else ""
    base = str(KG)
    if fmt == "ttl":
        out.write(f"@base <{base}> .\n")
        for prefix, ns in _TTL_PREFIXES.items():
            out.write(f"@prefix {prefix}: <{ns}> .\n")
    triples = 0
    for subject, po in generate(films, seed, stats):
        triples += len(po)
        if fmt == "ttl":
            s = _ttl_term(subject, base)
            body = " ;\n    ".join(
                f"{'a' if p == A else _ttl_term(p, base)} {_ttl_term(o, base)}" for p, o in po
            )
            out.write(f"\n{s} {body} .\n")
        else:
            out.write("".join(f"{subject} {p} {o}{graph} .\n" for p, o in po))
    stats.triples = triples
    return stats


def write_file(
    path: str | Path, *, films: int, seed: int = 0, fmt: SynthFormat | None = None
) -> SynthStats:
    """Write the graph to ``path`` atomically (format from ``fmt`` or the file extension)."""
    target = Path(path)
    chosen = fmt or _format_from_suffix(target)
    with atomic_open(target) as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        stats = write(out, films=films, seed=seed, fmt=chosen)
        out.flush()
        out.detach()  # atomic_open syncs, closes and renames the file itself
    return stats


def _format_from_suffix(path: Path) -> SynthFormat:
    suffix = path.suffix.lstrip(".").lower()
    return {"nq": "nq", "ttl": "ttl", "turtle": "ttl"}.get(suffix, "nt")  # type: ignore[return-value]
