"""Linking names found in text to the entities the graph already has.

An adapter over the import's resolution rules (:mod:`filmkg.importers.resolution`): names are
compared folded (:func:`filmkg.importers.mapping.fold`: accents, case and punctuation ignored), new
entities get the IRIs an import would give them (``person/<slug>``, ``film/<slug>-<year>``,
``org/<slug>``, ``place/<slug>``), and a person's name that is close to a known one
(rapidfuzz token-set similarity ≥ 0.92, the import's fuzzy bar) is linked with that
similarity as its confidence. Every link says how it was made.

>>> linker = Linker()
>>> linker.add("https://w3id.org/filmkg/id/person/tom-hanks", "Person", "Tom Hanks")
>>> linker.add("https://w3id.org/filmkg/id/place/united-states", "Place", "U.S.", alt=True)
>>> linker.link("Tom Hanks", "Person").how, linker.link("TOM HANKS", "Person").confidence
('label', 0.95)
>>> linker.link("U.S.", "Place").iri
'https://w3id.org/filmkg/id/place/united-states'
>>> ref = linker.link("Paul Bettany", "Person")
>>> ref.new, ref.iri
(True, 'https://w3id.org/filmkg/id/person/paul-bettany')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from filmkg.extract.model import EntityRef
from filmkg.importers.mapping import fold, slug
from filmkg.rdf.namespaces import KG, sparql_prefixes

if TYPE_CHECKING:
    from filmkg.engines.store import KnowledgeGraph

__all__ = ["FUZZY_THRESHOLD", "Known", "Linker"]

KG_NS = str(KG)
FUZZY_THRESHOLD = 0.92
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

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph) -> Linker:
        """Every label and alternative label of the people, companies, places and works."""
        linker = cls()
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

    def names(self) -> list[Known]:
        """Every known (entity, name) pair, for the entity ruler."""
        return [k for bucket in self.by_name.values() for k in bucket]

    def link(self, name: str, cls: str, *, year: str | None = None) -> EntityRef:
        """The entity ``name`` refers to, or a new one with the IRI an import would mint."""
        family = _FAMILY.get(cls, cls)
        found = self.by_name.get((family, fold(name)), [])
        if family == "Film" and year is not None:
            dated = [k for k in found if k.year in (year, None)]
            found = dated
        if len(found) == 1:
            known = found[0]
            exact = known.name == name
            how = "alternative label" if known.alt else ("label" if exact else "folded name")
            confidence = 1.0 if exact and not known.alt else 0.95
            label = self.labels.get(known.iri, known.name)
            return EntityRef(label, known.cls, known.iri, confidence, how, year or known.year)
        if family == "Person" and not found:
            close = self._close_person(name)
            if close is not None:
                return close
        return EntityRef(name, cls, mint(name, cls, year), 0.0, "new", year)

    def _close_person(self, name: str) -> EntityRef | None:
        best: tuple[float, Known] | None = None
        folded = fold(name)
        for (family, key), bucket in self.by_name.items():
            if family != "Person" or len(bucket) != 1:
                continue
            score = fuzz.token_set_ratio(folded, key) / 100
            if len(key.split()) == len(folded.split()) and (best is None or score > best[0]):
                best = (score, bucket[0])
        if best is None or best[0] < FUZZY_THRESHOLD:
            return None
        known = best[1]
        label = self.labels.get(known.iri, known.name)
        return EntityRef(label, known.cls, known.iri, round(best[0], 2), "similar name")


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
