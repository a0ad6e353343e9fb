"""Link one mention — a name, its class and what surrounds it — to an entity of the graph.

:func:`link` applies the import's resolution rules (:mod:`filmkg.importers.resolution`) to
a single mention, for code that finds names one at a time (text extraction, a search box):

* **people**: the same folded name (confidence base 0.8; an exact spelling scores 1.0 on
  the name, a folded one 0.95), or an alias of three or more words whose last or middle
  words dropped give a known person (base 0.55, times the rapidfuzz token-set similarity);
  a name ending in Jr./Sr./III is never an alias;
* **films**: the same folded title and year (base 0.9; a year one apart only with a
  person of the context credited on the film, times 0.9), or the title alone when no year
  is given (times 0.8);
* **places, organisations**: the folded label.

The *context* (names or IRIs of the films and people found beside the mention) raises the
confidence from its base towards 1: ``base + (1 − base) × min(1, 0.5 × shared films +
0.1 × shared co-workers)``, the same weights as the import's alias rule. With several
candidates the most confident wins; ``None`` means nothing in the graph fits.

>>> from filmkg.importers.resolution import ReferenceIndex
>>> kg = "https://w3id.org/filmkg/id/"
>>> index = ReferenceIndex(
...     persons={"tom hanks": kg + "person/tom-hanks", "robin wright": kg + "person/robin-wright"},
...     person_labels={kg + "person/tom-hanks": "Tom Hanks",
...                    kg + "person/robin-wright": "Robin Wright"},
...     films={("forrest gump", "1994"): kg + "film/forrest-gump-1994"},
...     film_labels={kg + "film/forrest-gump-1994": "Forrest Gump"},
...     credits={(kg + "film/forrest-gump-1994", kg + "person/tom-hanks"),
...              (kg + "film/forrest-gump-1994", kg + "person/robin-wright")})
>>> link("Tom Hanks", "Person", index)  # doctest: +NORMALIZE_WHITESPACE
Link(iri='https://w3id.org/filmkg/id/person/tom-hanks', label='Tom Hanks',
     confidence=0.8, method='same name', shared=())
>>> hit = link("Robin Wright Penn", "Person", index, context=["Forrest Gump", "Tom Hanks"])
>>> hit.iri, hit.confidence, hit.method
('https://w3id.org/filmkg/id/person/robin-wright', 0.82, 'alias: last word dropped')
>>> link("Forrest Gump", "Film", index, year="1995", context=["Tom Hanks"]).confidence
0.82
>>> link("Forrest Gump", "Film", index, year="1995") is None  # a year apart, nothing shared
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from filmkg.importers.mapping import fold
from filmkg.importers.resolution import ReferenceIndex

__all__ = ["Link", "link"]

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})


@dataclass(frozen=True)
class Link:
    """The entity a mention is taken to denote, how sure that is, and why."""

    iri: str
    label: str
    confidence: float
    method: str
    shared: tuple[str, ...] = ()  # IRIs of the context the mention and the entity share


def link(
    name: str,
    cls: str,
    index: ReferenceIndex,
    *,
    context: Iterable[str] = (),
    year: str | None = None,
) -> Link | None:
    """The entity of ``index`` that the mention ``name`` (of class ``cls``) denotes, or None.

    ``context`` holds the names (or IRIs) of films and people mentioned with it; ``year``
    a film's year. See the module docs for the rules and the confidence.
    """
    key = fold(name)
    if not key:
        return None
    near = _context_iris(context, index)
    if cls == "Person":
        return _link_person(name, key, index, near)
    if cls == "Film":
        return _link_film(key, year, index, near)
    iri = index.others.get((cls, key))
    if iri is None:
        return None
    label = index.other_labels.get(iri, name)
    return Link(iri, label, 1.0 if label == name else 0.95, "same name")


def _context_iris(context: Iterable[str], index: ReferenceIndex) -> set[str]:
    titles = index.credit_maps()[2]
    out: set[str] = set()
    for item in context:
        if item.startswith(("http://", "https://")):
            out.add(item)
            continue
        key = fold(item)
        if key in index.persons:
            out.add(index.persons[key])
        out |= titles.get(key, set())
    return out


def _with_context(base: float, shared_films: int, shared_people: int) -> float:
    return base + (1 - base) * min(1.0, 0.5 * shared_films + 0.1 * shared_people)


def _link_person(name: str, key: str, index: ReferenceIndex, near: set[str]) -> Link | None:
    candidates: list[tuple[str, float, float, str]] = []  # iri, name score, base, method
    if key in index.persons:
        iri = index.persons[key]
        exact = index.person_labels.get(iri) == name
        candidates.append((iri, 1.0 if exact else 0.95, 0.8, "same name"))
    tokens = key.split()
    if len(tokens) >= 3 and tokens[-1] not in _SUFFIXES:
        for cand, how in ((" ".join(tokens[:-1]), "last"), (f"{tokens[0]} {tokens[-1]}", "middle")):
            if cand in index.persons and cand != key:
                score = fuzz.token_set_ratio(key, cand) / 100
                method = f"alias: {how} word{'s' if how == 'middle' else ''} dropped"
                candidates.append((index.persons[cand], score, 0.55, method))
    films_of, people_on, _ = index.credit_maps()
    best: Link | None = None
    for iri, score, base, method in candidates:
        films = films_of.get(iri, set()) & near
        coworkers = {p for f in films_of.get(iri, ()) for p in people_on[f]} - {iri}
        people = coworkers & near
        confidence = round(score * _with_context(base, len(films), len(people)), 2)
        label = index.person_labels.get(iri, name)
        found = Link(iri, label, confidence, method, tuple(sorted(films) + sorted(people)))
        if best is None or found.confidence > best.confidence:
            best = found
    return best


def _link_film(key: str, year: str | None, index: ReferenceIndex, near: set[str]) -> Link | None:
    _, people_on, titles = index.credit_maps()
    years = {iri: y for (title, y), iri in index.films.items() if title == key}
    best: Link | None = None
    for iri in sorted(titles.get(key, ())):
        year_score, method = _year_score(year, years.get(iri))
        shared = tuple(sorted(people_on.get(iri, set()) & near))
        if year_score == 0.0 or (year_score == 0.9 and not shared):
            continue  # a year apart needs a person of the context credited on the film
        confidence = round(year_score * _with_context(0.9, 0, len(shared)), 2)
        found = Link(iri, index.film_labels.get(iri, key), confidence, method, shared)
        if best is None or found.confidence > best.confidence:
            best = found
    return best


def _year_score(year: str | None, film_year: str | None) -> tuple[float, str]:
    if year is None or film_year is None:
        return 0.8, "same title (no year to compare)"
    if year == film_year:
        return 1.0, "same title and year"
    if year.isdigit() and film_year.isdigit() and abs(int(year) - int(film_year)) == 1:
        return 0.9, "same title, year one apart, a shared person"
    return 0.0, ""
