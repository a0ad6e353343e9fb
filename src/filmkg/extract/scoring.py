"""Scoring extraction against a curated graph: the same fact, in folded names.

A fact is compared by what it says, not by IRIs (a cold run, with no graph to link to,
mints its own): a credit by (work, agent, role); an adaptation by (work, source work,
its class); a release by (work, date or year, kind, status, and the date and kind of the
release that superseded it); a rights grant by (work, holder, rights kind); a label
affiliation by (label, parent); a partnership by its partners; a reunion by (members,
earlier work, later work). A curated assertion with a ``filmkg:note`` was *read* rather
than stated: it is scored apart, and a candidate matching it counts for neither side's
precision.

>>> s = Score(tp=9, fp=1, fn=3)
>>> round(s.precision, 2), round(s.recall, 2)
(0.9, 0.75)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from filmkg.extract.model import Candidate, EntityRef
from filmkg.importers.evaluation import PrecisionRecall
from filmkg.importers.mapping import fold
from filmkg.rdf.namespaces import FILMKG_NS

__all__ = ["Fact", "Score", "candidate_fact", "curated_facts", "score"]

Fact = tuple[str, ...]
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_CLASSES = (
    "Credit",
    "Adaptation",
    "Release",
    "RightsGrant",
    "Affiliation",
    "Partnership",
    "Reunion",
)


@dataclass
class Score(PrecisionRecall):
    """True positives, false positives and false negatives of one class."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


def _status(status: str, when: str, as_of: str) -> str:
    concept = status.rsplit("/", 1)[-1]
    if concept in ("superseded", "scheduled", "released"):
        return {"scheduled": "planned", "released": "happened"}.get(concept, concept)
    return "planned" if as_of and when > as_of[: len(when)] else "happened"


class _Curated:
    """The nodes of a curated file, by subject: predicate → object values."""

    def __init__(self, path: Path) -> None:
        self.nodes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for q in ox.parse(path=str(path)):
            self.nodes[q.subject.value][q.predicate.value].append(q.object.value)

    def one(self, iri: str, prop: str) -> str:
        values = self.nodes[iri].get(FILMKG_NS + prop) or [""]
        return values[0]

    def all(self, iri: str, prop: str) -> list[str]:
        return list(self.nodes[iri].get(FILMKG_NS + prop) or [])

    def name(self, iri: str) -> str:
        labels = self.nodes[iri].get(_LABEL) if iri else None
        return fold(labels[0]) if labels else ""

    def tail(self, iri: str, prop: str) -> str:
        value = self.one(iri, prop)
        return value.rsplit("/", 1)[-1] if value else "-"

    def fact(self, cls: str, iri: str) -> Fact:
        one, name = self.one, self.name
        if cls == "Credit":
            return (cls, name(one(iri, "work")), name(one(iri, "agent")), self.tail(iri, "role"))
        if cls == "Adaptation":
            src = one(iri, "sourceWork")
            graphic = FILMKG_NS + "GraphicNovel" in self.nodes[src].get(_TYPE, [])
            return (
                cls,
                name(one(iri, "work")),
                name(src),
                "GraphicNovel" if graphic else "CreativeWork",
            )
        if cls == "Release":
            return self.release(iri)
        if cls == "RightsGrant":
            return (
                cls,
                name(one(iri, "work")),
                name(one(iri, "rightsHolder")),
                self.tail(iri, "rightsKind"),
            )
        if cls == "Affiliation":
            return (cls, name(one(iri, "subject")), name(one(iri, "parent")))
        if cls == "Partnership":
            return (cls, *sorted(name(p) for p in self.all(iri, "partner")))
        members = ",".join(sorted(name(m) for m in self.all(iri, "member")))
        return (cls, members, name(one(iri, "earlierWork")), name(one(iri, "laterWork")))

    def release(self, iri: str) -> Fact:
        def when(x: str) -> str:
            return self.one(x, "releaseDate") or self.one(x, "releaseYear")

        status = _status(self.one(iri, "releaseStatus"), when(iri), self.one(iri, "statusAsOf"))
        by = self.one(iri, "supersededBy")
        replaced = f"{when(by)} {self.tail(by, 'releaseKind')}" if by else "-"
        kind = self.tail(iri, "releaseKind")
        return ("Release", self.name(self.one(iri, "work")), when(iri), kind, status, replaced)


def curated_facts(path: Path) -> dict[Fact, bool]:
    """Facts of a curated Turtle file → True when read (has a note), False when stated."""
    curated = _Curated(path)
    out: dict[Fact, bool] = {}
    for iri, node in list(curated.nodes.items()):
        types = [t.rsplit("#", 1)[-1] for t in node.get(_TYPE, [])]
        cls = next((t for t in types if t in _CLASSES), None)
        if cls is not None:
            out[curated.fact(cls, iri)] = bool(node.get(FILMKG_NS + "note"))
    return out


def candidate_fact(c: Candidate, by_id: dict[str, Candidate]) -> Fact:
    """A candidate's fact in the form of :func:`curated_facts`."""
    f = c.fields

    def n(key: str) -> str:
        v = f.get(key)
        return fold(v.name) if isinstance(v, EntityRef) else ""

    if c.cls == "Credit":
        return (c.cls, n("work"), n("agent"), str(f.get("role")))
    if c.cls == "Adaptation":
        src = f.get("source_work")
        kind = (
            "GraphicNovel"
            if isinstance(src, EntityRef) and src.cls == "GraphicNovel"
            else "CreativeWork"
        )
        return (c.cls, n("work"), n("source_work"), kind)
    if c.cls == "Release":
        by = by_id.get(str(f.get("superseded_by") or ""))
        replaced = "-"
        if by is not None:
            replaced = (
                f"{by.fields.get('date') or by.fields.get('year')} {by.fields.get('kind') or '-'}"
            )
        when = str(f.get("date") or f.get("year"))
        return (c.cls, n("work"), when, str(f.get("kind") or "-"), str(f.get("status")), replaced)
    if c.cls == "RightsGrant":
        return (c.cls, n("work"), n("holder"), str(f.get("rights")))
    if c.cls == "Affiliation":
        return (c.cls, n("subject"), n("parent"))
    names: dict[str, list[str]] = {}
    for key in ("partners", "members"):
        value = f.get(key)
        refs = value if isinstance(value, list) else []
        names[key] = sorted(fold(v.name) for v in refs)
    if c.cls == "Partnership":
        return (c.cls, *names["partners"])
    return (c.cls, ",".join(names["members"]), n("earlier_work"), n("later_work"))


def score(gold: dict[Fact, bool], predicted: Iterable[Fact]) -> dict[tuple[str, str], Score]:
    """Per (class, "stated" | "read"): the score of ``predicted`` against ``gold``."""
    out: dict[tuple[str, str], Score] = defaultdict(Score)
    found = set(predicted)
    for fact, read in gold.items():
        s = out[(fact[0], "read" if read else "stated")]
        if fact in found:
            s.tp += 1
        else:
            s.fn += 1
            s.misses.append(" | ".join(fact[1:]))
    for fact in sorted(found - set(gold)):
        s = out[(fact[0], "stated")]
        s.fp += 1
        s.wrong.append(" | ".join(fact[1:]))
    return dict(out)
