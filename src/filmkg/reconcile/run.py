"""A reconciliation run: our entities, the candidates the endpoint gives, the decisions.

Two passes over the endpoint, each in batches of ``batch_size`` values per request:

1. ``candidates.rq`` for every name of every film, person and organisation, in each
   language asked for (an untagged name is asked as ``"Here"@en``, ``"Here"@mul`` …; a
   tagged one only in its language). Films are decided from this pass alone.
2. ``credits.rq`` for the candidate people and organisations, against the items our
   films were matched to: a candidate credited (P57, P161, P272, P750 …) on the item of
   one of the entity's films gets the ``shared film`` signal.

>>> year_of(Literal("1994-07-06T00:00:00Z")), year_of(Literal("x"))
(1994, None)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from filmkg.errors import UsageError
from filmkg.io.progress import track
from filmkg.reconcile.lookup import Checkpoint, Progress, ask, batches, query_text
from filmkg.reconcile.matching import (
    DEFAULT_THRESHOLD,
    Candidate,
    Decision,
    Entity,
    Kind,
    Name,
    decide,
    set_aside,
)
from filmkg.sparql.catalogue import Executor

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_LANGUAGES",
    "Inputs",
    "Options",
    "Run",
    "read_inputs",
    "reconcile",
    "year_of",
]

#: Names (or items) per request.
DEFAULT_BATCH_SIZE = 50

#: Languages an untagged name is asked in: English, and Wikidata's "mul" (the label
#: that holds for every language, used for names of people and companies).
DEFAULT_LANGUAGES = ("en", "mul")

_FILMKG = "https://w3id.org/filmkg/ontology#"
_KINDS: dict[str, Kind] = {
    _FILMKG + "Film": "film",
    _FILMKG + "Person": "person",
    _FILMKG + "Organisation": "organisation",
}
_YEAR = re.compile(r"\s*(\d{4})(?:-|$)")
_LANG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def year_of(term: Node | None) -> int | None:
    """The year of a date, date-time or year literal (None for anything else)."""
    if not isinstance(term, Literal):
        return None
    match = _YEAR.match(str(term))
    return int(match[1]) if match else None


@dataclass(frozen=True)
class Options:
    """How a run asks and decides."""

    threshold: float = DEFAULT_THRESHOLD
    batch_size: int = DEFAULT_BATCH_SIZE
    languages: tuple[str, ...] = DEFAULT_LANGUAGES

    def __post_init__(self) -> None:
        if not 0 <= self.threshold <= 1:
            raise UsageError(f"--threshold {self.threshold}: give a number from 0 to 1")
        if self.batch_size < 1:
            raise UsageError("--batch-size must be at least 1")
        for lang in self.languages:
            if not _LANG.fullmatch(lang):
                raise UsageError(
                    f"--language {lang!r}: not a language tag", hint="e.g. en, de, mul"
                )


@dataclass(frozen=True)
class Inputs:
    """What a run reconciles: the entities, and which agents take part in which films."""

    entities: tuple[Entity, ...]
    films_of: Mapping[str, frozenset[str]]
    links: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class Run:
    """The outcome: one decision per entity, with what the endpoint said."""

    decisions: list[Decision]
    endpoint: str
    retrieved: date
    progress: Progress
    set_aside: int = 0
    credits: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    links: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def matches(self) -> list[Decision]:
        """The decisions with a match."""
        return [d for d in self.decisions if d.match is not None]


def read_inputs(kg: Any) -> Inputs:
    """Our films, people and organisations (with names and years) from ``kg``."""
    names: dict[str, list[Name]] = defaultdict(list)
    kinds: dict[str, Kind] = {}
    labels: dict[str, str] = {}
    years: dict[str, int] = {}
    for entity, kind, name, main, when in kg.select(query_text("entities")).rows:
        iri = str(entity)
        kinds.setdefault(iri, _KINDS[str(kind)])
        is_main = bool(main is not None and main.toPython())
        if is_main:
            labels.setdefault(iri, str(name))
        lang = name.language if isinstance(name, Literal) else None
        if Name(str(name), lang, is_main) not in names[iri]:
            names[iri].append(Name(str(name), lang, is_main))
        year = year_of(when)
        if year is not None:
            years.setdefault(iri, year)
    entities = tuple(
        Entity(
            iri, kinds[iri], labels.get(iri, names[iri][0].text), tuple(names[iri]), years.get(iri)
        )
        for iri in sorted(names)
    )
    films_of: dict[str, set[str]] = defaultdict(set)
    for agent, film in kg.select(query_text("involvement")).rows:
        films_of[str(agent)].add(str(film))
    links: dict[str, set[str]] = defaultdict(set)
    for entity, item in kg.select(query_text("links")).rows:
        links[str(entity)].add(str(item))
    return Inputs(
        entities,
        {a: frozenset(f) for a, f in films_of.items()},
        {e: frozenset(i) for e, i in links.items()},
    )


def _asked(
    entities: Iterable[Entity], languages: Sequence[str]
) -> dict[tuple[str, str], list[tuple[Entity, bool]]]:
    """(name, language) → the entities with that name, and whether it is their main one."""
    asked: dict[tuple[str, str], list[tuple[Entity, bool]]] = defaultdict(list)
    for entity in entities:
        for name in entity.names:
            for lang in [name.lang] if name.lang else languages:
                asked[(name.text, lang)].append((entity, name.main))
    return asked


def _candidates(
    endpoint: Executor, checkpoint: Checkpoint, inputs: Inputs, options: Options, progress: Progress
) -> dict[str, dict[str, Candidate]]:
    """Pass 1: entity IRI → item IRI → candidate."""
    asked = _asked(inputs.entities, options.languages)
    index: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for text, lang in asked:
        index[(text, lang.lower())].append((text, lang))
    found: dict[str, dict[str, Candidate]] = defaultdict(dict)
    groups = batches(list(asked), options.batch_size)
    for group in track(groups, "reconcile: candidates", unit="batches"):
        terms = [Literal(text, lang=lang) for text, lang in group]
        for name, item, how, kind, published, born in ask(
            endpoint, checkpoint, "candidates", {"names": terms}, progress
        ):
            if not isinstance(name, Literal) or not isinstance(item, URIRef):
                continue
            for text, lang in index.get((str(name), (name.language or "").lower()), ()):
                for entity, main in asked[(text, lang)]:
                    _add(found[entity.iri], str(item), str(how), text, lang, main, kind)
                    when = published if entity.kind == "film" else born
                    year = year_of(when)
                    if year is not None and entity.kind != "organisation":
                        found[entity.iri][str(item)].years.add(year)
                        found[entity.iri][str(item)].dates.add(str(when))
    return found


def _add(
    pool: dict[str, Candidate],
    item: str,
    how: str,
    text: str,
    lang: str,
    main: bool,
    kind: Node | None,
) -> None:
    candidate = pool.get(item)
    if candidate is None:
        candidate = pool[item] = Candidate(item, text, lang, how, main)
    else:
        candidate.merge(how, text, lang, main)
    if isinstance(kind, URIRef):
        candidate.types.add(str(kind))


def _credits(
    endpoint: Executor,
    checkpoint: Checkpoint,
    wanted: Mapping[str, set[str]],
    options: Options,
    progress: Progress,
) -> dict[tuple[str, str], set[str]]:
    """Pass 2: (agent item, film item) → the credit properties that link them."""
    credited: dict[tuple[str, str], set[str]] = defaultdict(set)
    groups = batches(list(wanted), options.batch_size)
    for group in track(groups, "reconcile: shared films", unit="batches"):
        films = sorted(set().union(*(wanted[a] for a in group)))
        values: dict[str, Sequence[Node]] = {
            "agents": [URIRef(a) for a in group],
            "films": [URIRef(f) for f in films],
        }
        for agent, prop, film in ask(endpoint, checkpoint, "credits", values, progress):
            if agent is not None and film is not None and prop is not None:
                credited[(str(agent), str(film))].add(str(prop).rsplit("/", 1)[-1])
    return credited


def _wanted(
    found: Mapping[str, Mapping[str, Candidate]],
    inputs: Inputs,
    film_item: Mapping[str, str],
) -> dict[str, set[str]]:
    """Candidate agent item → the items of the matched films our agent takes part in."""
    kinds = {e.iri: e.kind for e in inputs.entities}
    wanted: dict[str, set[str]] = defaultdict(set)
    for iri, pool in found.items():
        films = {film_item[f] for f in inputs.films_of.get(iri, ()) if f in film_item}
        if kinds[iri] == "film" or not films:
            continue
        for item, c in pool.items():
            if not set_aside(kinds[iri], c.types):
                wanted[item] |= films
    return wanted


def _shared(
    entity: Entity,
    pool: Mapping[str, Candidate],
    inputs: Inputs,
    film_item: Mapping[str, str],
    credited: Mapping[tuple[str, str], set[str]],
) -> dict[str, list[str]]:
    """Candidate item → our films of ``entity`` on whose matched item it is credited."""
    films = inputs.films_of.get(entity.iri, ())
    return {
        item: sorted(f for f in films if (item, film_item.get(f, "")) in credited) for item in pool
    }


def reconcile(
    inputs: Inputs,
    endpoint: Executor,
    *,
    endpoint_name: str,
    options: Options | None = None,
    checkpoint: Checkpoint | None = None,
    retrieved: date | None = None,
    progress: Progress | None = None,
) -> Run:
    """Match ``inputs`` to the items of ``endpoint`` (any SELECT executor): films from
    the candidates alone, then people and organisations with the shared films too."""
    options = options or Options()
    checkpoint = checkpoint or Checkpoint(None, endpoint_name)
    progress = progress or Progress()
    found = _candidates(endpoint, checkpoint, inputs, options, progress)
    decisions: dict[str, Decision] = {}
    for e in inputs.entities:
        if e.kind == "film":
            decisions[e.iri] = decide(e, found.get(e.iri, {}).values(), threshold=options.threshold)
    film_item = {iri: d.match.item for iri, d in decisions.items() if d.match is not None}
    wanted = _wanted(found, inputs, film_item)
    credited = _credits(endpoint, checkpoint, wanted, options, progress) if wanted else {}
    for e in inputs.entities:
        if e.kind != "film":
            pool = found.get(e.iri, {})
            shared = _shared(e, pool, inputs, film_item, credited)
            decisions[e.iri] = decide(e, pool.values(), threshold=options.threshold, shared=shared)
    kinds = {e.iri: e.kind for e in inputs.entities}
    aside = sum(
        1 for i, pool in found.items() for c in pool.values() if set_aside(kinds[i], c.types)
    )
    return Run(
        [decisions[e.iri] for e in inputs.entities],
        endpoint_name,
        retrieved or datetime.now(UTC).date(),
        progress,
        aside,
        dict(credited),
        inputs.links,
    )
