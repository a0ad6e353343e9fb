"""How a candidate item is scored: the signals that agree, and the decision.

A candidate is an item whose label (or alias) is one of an entity's names, in one of the
languages asked for. Its score is the sum of the signals that agree (capped at 1):

==============  =====  ========================================================
signal          score  when
==============  =====  ========================================================
label           0.50   the item's label is the entity's main name (0.45 for
                       one of its other names)
alias           0.35   only one of the item's aliases is one of the names
type            0.25   instance of (P31) the Wikidata class of the entity's kind
date            0.20   publication (films) or birth (people) year as ours (0.10
                       for a year off by one)
unique          0.10   the only item of the right type with that name (films;
                       0.05 for people and organisations)
shared film     0.25   credited on a film that matches one of the entity's films
==============  =====  ========================================================

A date more than a year off costs 0.30 (``date differs``). An item typed with another
kind's class (a song called *Here* for a film, a film for a person) is set aside: it is
never matched, nor listed for review. An entity is matched to its best candidate when
that candidate reaches the threshold and no other one comes within :data:`MARGIN` of it;
otherwise its candidates go to the review list.

>>> here = (Name("Here", None, True),)
>>> film = Entity("https://w3id.org/filmkg/id/film/here-2024", "film", "Here", here, 2024)
>>> c = Candidate("http://www.wikidata.org/entity/Q1", "Here", "en", "label", True)
>>> c.types.add("http://www.wikidata.org/entity/Q11424"); c.years.add(2024)
>>> s = score(film, c, unique=False, shared=())
>>> s.score, s.signals
(0.95, ('label', 'type', 'date'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DEFAULT_THRESHOLD",
    "FILM_CLASSES",
    "HUMAN",
    "MARGIN",
    "ORGANISATION_CLASSES",
    "Candidate",
    "Decision",
    "Entity",
    "Kind",
    "Name",
    "Scored",
    "decide",
    "score",
    "set_aside",
]

Kind = Literal["film", "person", "organisation"]

WD = "http://www.wikidata.org/entity/"

#: The confidence a match needs to enter the graph (``--threshold``).
DEFAULT_THRESHOLD = 0.85

#: The lead a best candidate needs over the second best to be matched.
MARGIN = 0.10

#: Classes (direct P31) of films: film, feature, animated, television, short, documentary.
FILM_CLASSES = frozenset(
    WD + q for q in ("Q11424", "Q24869", "Q202866", "Q506240", "Q24862", "Q93204")
)

#: Human (Q5): the class of people.
HUMAN = WD + "Q5"

#: Classes (direct P31) of companies and organisations: organization, business,
#: company, enterprise, public company, film production company, film studio, media
#: company. Another class gives no type point, but only a human or a film is set aside.
ORGANISATION_CLASSES = frozenset(
    WD + q
    for q in (
        "Q43229",
        "Q4830453",
        "Q783794",
        "Q6881511",
        "Q891723",
        "Q1762059",
        "Q375336",
        "Q1331793",
    )
)

_POINTS = {"label": 0.50, "other name": 0.45, "alias": 0.35, "type": 0.25, "date": 0.20}
_SHARED = 0.25
_DATE_DIFFERS = -0.30
_UNIQUE: dict[str, float] = {"film": 0.10, "person": 0.05, "organisation": 0.05}


@dataclass(frozen=True)
class Name:
    """One name of an entity: its text, its language tag (None: untagged), and whether it
    is the main name (rdfs:label) or another one (skos:altLabel)."""

    text: str
    lang: str | None
    main: bool


@dataclass(frozen=True)
class Entity:
    """A film, person or organisation of our graph, with its names and year."""

    iri: str
    kind: Kind
    label: str
    names: tuple[Name, ...]
    year: int | None = None


@dataclass
class Candidate:
    """An item found for one entity: how its name matched, its types and years."""

    item: str
    name: str
    lang: str
    how: str  # "label" or "alias"
    ours_main: bool
    types: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)  # as the endpoint gave them

    def merge(self, how: str, name: str, lang: str, ours_main: bool) -> None:
        """Keep the better of two ways the same item matched (label over alias, our main
        name over another)."""
        if (how == "label", ours_main) > (self.how == "label", self.ours_main):
            self.how, self.name, self.lang, self.ours_main = how, name, lang, ours_main


@dataclass(frozen=True)
class Scored:
    """A candidate with its score, the signals that agreed and the reasons (for review)."""

    entity: Entity
    candidate: Candidate
    score: float
    signals: tuple[str, ...]
    reasons: tuple[str, ...]
    shared: tuple[str, ...] = ()
    set_aside: bool = False

    @property
    def item(self) -> str:
        """The candidate item's IRI."""
        return self.candidate.item


@dataclass(frozen=True)
class Decision:
    """What became of one entity: its match (or None) and the candidates to review."""

    entity: Entity
    match: Scored | None
    review: tuple[Scored, ...]
    note: str = ""


def _type_signal(kind: Kind, types: set[str]) -> tuple[float, str | None, bool]:
    """(points, reason, set aside) for the candidate's P31 classes."""
    short = ", ".join(sorted(t.removeprefix(WD) for t in types)) or "none"
    if kind == "film":
        right = bool(types & FILM_CLASSES)
        wrong = bool(types) and not right
    elif kind == "person":
        right = HUMAN in types
        wrong = bool(types) and not right
    else:
        right = bool(types & ORGANISATION_CLASSES)
        wrong = not right and bool(types & (FILM_CLASSES | {HUMAN}))
    if right:
        return _POINTS["type"], f"type {short}", False
    if wrong:
        return 0.0, f"wrong type {short}", True
    return 0.0, f"type not known for {'an' if kind[0] in 'aeiou' else 'a'} {kind} ({short})", False


def set_aside(kind: Kind, types: set[str]) -> bool:
    """Whether an item with these P31 classes is of another kind than ``kind``.

    >>> set_aside("person", {WD + "Q11424"}), set_aside("organisation", {WD + "Q7366"})
    (True, False)
    """
    return _type_signal(kind, types)[2]


def _date_signal(ours: int | None, theirs: set[int]) -> tuple[float, str | None]:
    if ours is None or not theirs:
        return 0.0, None
    nearest = min(theirs, key=lambda y: (abs(y - ours), y))
    if nearest == ours:
        return _POINTS["date"], f"year {nearest}"
    if abs(nearest - ours) == 1:
        return _POINTS["date"] / 2, f"year {nearest}, ours {ours} (off by one)"
    return _DATE_DIFFERS, f"year {nearest} differs from ours ({ours})"


def score(entity: Entity, c: Candidate, *, unique: bool, shared: Sequence[str]) -> Scored:
    """Score one candidate of ``entity``; ``shared`` are our films it is credited on."""
    signals: list[str] = []
    reasons: list[str] = []
    if c.how == "label":
        points = _POINTS["label" if c.ours_main else "other name"]
        signals.append("label")
        reasons.append(f"label {c.name!r}@{c.lang}")
    else:
        points = _POINTS["alias"]
        signals.append("alias")
        reasons.append(f"alias {c.name!r}@{c.lang}")
    typed, why, aside = _type_signal(entity.kind, c.types)
    points += typed
    if typed:
        signals.append("type")
    reasons.append(why or "")
    dated, when = _date_signal(entity.year, c.years)
    points += dated
    if dated > 0:
        signals.append("date")
    if when:
        reasons.append(when)
    if unique and typed:
        points += _UNIQUE[entity.kind]
        signals.append("unique")
        reasons.append("the only one of its type with this name")
    if shared:
        points += _SHARED
        signals.append("shared film")
        reasons.append(f"credited on {len(shared)} of our films")
    elif entity.kind != "film":
        reasons.append("no shared film")
    value = round(max(0.0, min(1.0, points)), 2)
    return Scored(entity, c, value, tuple(signals), tuple(reasons), tuple(shared), aside)


def decide(
    entity: Entity,
    candidates: Iterable[Candidate],
    *,
    threshold: float,
    shared: Mapping[str, Sequence[str]] | None = None,
) -> Decision:
    """Score ``candidates`` and decide: a match, or candidates to review.

    ``shared`` maps a candidate item to our films it is credited on.
    """
    pool = list(candidates)
    typed = [c for c in pool if _type_signal(entity.kind, c.types)[0] > 0]
    unique = len({c.item for c in typed}) == 1
    scored = [score(entity, c, unique=unique, shared=(shared or {}).get(c.item, ())) for c in pool]
    kept = sorted((s for s in scored if not s.set_aside), key=lambda s: (-s.score, s.item))
    if not kept:
        return Decision(entity, None, ())
    best = kept[0]
    rival = kept[1] if len(kept) > 1 else None
    if best.score >= threshold and (rival is None or best.score - rival.score >= MARGIN - 1e-9):
        return Decision(entity, best, ())
    note = ""
    if best.score >= threshold and rival is not None:
        note = f"ambiguous: {rival.item.removeprefix(WD)} scores {rival.score:.2f} too"
    return Decision(entity, None, tuple(kept[:5]), note)
