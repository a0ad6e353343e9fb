"""Linking names found in text to the entities the graph already has.

People and films are linked by the import's own rules, through
:func:`filmkg.importers.linking.link`: the same folded name (``fold``: accents, case and
punctuation ignored), an alias of three or more words ("Robin Wright Penn"), a film's
title and year (a year apart only with a shared person), with a confidence raised by the
context (the other names of the same fact). Organisations, places and other works are
linked by their folded label or alternative label ("U.S." is the United States). New
entities get the IRIs an import would mint (``person/<slug>``, ``film/<slug>-<year>``,
``org/<slug>``, ``place/<slug>``, ``work/<slug>-<kind>``). Every link says how it was made.

>>> linker = Linker()
>>> linker.add("https://w3id.org/filmkg/id/person/tom-hanks", "Person", "Tom Hanks")
>>> linker.add("https://w3id.org/filmkg/id/place/united-states", "Place", "U.S.", alt=True)
>>> linker.link("Tom Hanks", "Person").how, linker.link("TOM HANKS", "Person").confidence
('same name', 0.76)
>>> linker.link("U.S.", "Place").iri
'https://w3id.org/filmkg/id/place/united-states'
>>> ref = linker.link("Paul Bettany", "Person")
>>> ref.new, ref.iri
(True, 'https://w3id.org/filmkg/id/person/paul-bettany')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from filmkg.extract.model import EntityRef
from filmkg.importers.linking import link as link_mention
from filmkg.importers.mapping import fold, slug
from filmkg.importers.resolution import ReferenceIndex
from filmkg.rdf.namespaces import KG, sparql_prefixes

if TYPE_CHECKING:
    from filmkg.engines.store import KnowledgeGraph

__all__ = ["Known", "Linker", "mint"]

KG_NS = str(KG)
_FAMILY = {
    "Person": "Person",
    "Organisation": "Organisation",
    "Place": "Place",
    "Film": "Film",
    "CreativeWork": "CreativeWork",
    "GraphicNovel": "CreativeWork",
}
_PATHS = {"Person": "person", "Organisation": "org", "Place": "place", "Film": "film"}
_NAMES_QUERY = Path(__file__).with_name("names.rq")


@dataclass(frozen=True)
class Known:
    """One entity of the graph under one of its names."""

    iri: str
    cls: str
    name: str
    label: str
    alt: bool
    year: str | None


@dataclass
class Linker:
    """Names the graph knows, folded, by class family."""

    by_name: dict[tuple[str, str], list[Known]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, str] = field(default_factory=dict)
    index: ReferenceIndex = field(default_factory=ReferenceIndex)

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph) -> Linker:
        """Every label and alternative label of the people, companies, places and works."""
        linker = cls(index=ReferenceIndex.from_graph(kg))
        query = sparql_prefixes() + _NAMES_QUERY.read_text(encoding="utf-8")
        rows = kg.select(query).as_dicts()
        specific = {
            str(r["e"]) for r in rows if str(r["class"]).endswith(("#Film", "#GraphicNovel"))
        }
        # a film is also a CreativeWork once the RDFS closure is derived: keep the narrower class
        rows = [
            r
            for r in rows
            if not (str(r["e"]) in specific and str(r["class"]).endswith("#CreativeWork"))
        ]
        for row in sorted(rows, key=lambda r: (str(r["e"]), bool(r.get("alt")), str(r["label"]))):
            cls_name = str(row["class"]).rsplit("#", 1)[1]
            year = str(row["year"]) if row.get("year") is not None else None
            alt = bool(row.get("alt"))
            linker.add(str(row["e"]), cls_name, str(row["label"]), alt=alt, year=year)
        return linker

    def add(
        self, iri: str, cls: str, name: str, *, alt: bool = False, year: str | None = None
    ) -> None:
        """Index ``name`` as a name of ``iri`` (an rdfs:label unless ``alt``)."""
        if not alt:
            self.labels.setdefault(iri, name)
        family = _FAMILY.get(cls, cls)
        entry = Known(iri, cls, name, self.labels.get(iri, name), alt, year)
        bucket = self.by_name[(family, fold(name))]
        if all(k.iri != iri for k in bucket):
            bucket.append(entry)
        if family == "Person":
            self.index.persons.setdefault(fold(name), iri)
            if not alt:
                self.index.person_labels.setdefault(iri, name)
        elif family == "Film" and not alt:
            self.index.films.setdefault((fold(name), year), iri)
            self.index.film_labels.setdefault(iri, name)

    def names(self) -> list[Known]:
        """Every known (entity, name) pair, for the entity ruler."""
        return [k for bucket in self.by_name.values() for k in bucket]

    def link(
        self, name: str, cls: str, *, year: str | None = None, context: Iterable[str] = ()
    ) -> EntityRef:
        """The entity ``name`` refers to, or a new one with the IRI an import would mint.

        ``context``: the other names of the fact (the film of a credit, its person).
        """
        family = _FAMILY.get(cls, cls)
        if family in ("Person", "Film"):
            hit = link_mention(name, family, self.index, context=list(context), year=year)
            if hit is not None:
                same = self.by_name.get((family, fold(hit.label)), [])
                found_year = next((k.year for k in same if k.iri == hit.iri), None)
                return EntityRef(
                    hit.label, family, hit.iri, hit.confidence, hit.method, year or found_year
                )
        found = self.by_name.get((family, fold(name)), [])
        if family == "Film" and year is not None:
            found = [k for k in found if k.year in (year, None)]
        if len(found) == 1 and family != "Person":
            known = found[0]
            exact = known.name == name
            how = "alternative label" if known.alt else ("label" if exact else "folded name")
            confidence = 1.0 if exact and not known.alt else 0.95
            label = self.labels.get(known.iri, known.name)
            return EntityRef(label, known.cls, known.iri, confidence, how, year or known.year)
        return EntityRef(name, cls, mint(name, cls, year), 0.0, "new", year)


def mint(name: str, cls: str, year: str | None = None) -> str:
    """The IRI a new entity gets (the import's scheme).

    >>> mint("Forrest Gump", "Film", "1994"), mint("Here", "GraphicNovel")
    ('https://w3id.org/filmkg/id/film/forrest-gump-1994', 'https://w3id.org/filmkg/id/work/here-graphic-novel')
    """
    base = slug(name) or "unnamed"
    if cls == "Film":
        return KG_NS + f"film/{base}-{year}" if year else KG_NS + f"film/{base}"
    if cls in ("CreativeWork", "GraphicNovel"):
        kind = "graphic-novel" if cls == "GraphicNovel" else "work"
        return KG_NS + f"work/{base}-{kind}"
    return KG_NS + f"{_PATHS.get(cls, cls.lower())}/{base}"
