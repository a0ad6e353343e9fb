"""What extraction proposes: entities, evidence and candidate facts.

A :class:`Candidate` is one assertion of the ontology (a credit, a release …) with the
verbatim quotes that state it. Entity-valued fields hold :class:`EntityRef` values: the
name as the graph (or the source) spells it, its class, and the IRI it was linked to or
is proposed under. The candidate id is a hash of the source and of the fact itself
(folded names, not offsets nor IRIs), so the same fact gets the same id on every run.

>>> work = EntityRef("Here", "Film", "https://w3id.org/filmkg/id/film/here-2024", 1.0, "label")
>>> agent = EntityRef("Tom Hanks", "Person", None, 0.0, "new")
>>> c = Candidate("Credit", {"work": work, "agent": agent, "role": "cast-member"})
>>> c.add_evidence(Quote(0, 9, "Tom Hanks"), "credit.stars")
>>> c.key()
'Credit|agent=tom hanks|role=cast-member|work=here'
>>> c.candidate_id("collider-2024-06-22-here") == c.candidate_id("collider-2024-06-22-here")
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from filmkg.importers.mapping import fold

__all__ = ["CLASSES", "Candidate", "EntityRef", "FieldValue", "Quote"]

#: The assertion classes extraction proposes, with the fields each one takes.
CLASSES: dict[str, tuple[str, ...]] = {
    "Credit": ("work", "agent", "role", "character", "starring"),
    "Adaptation": ("work", "source_work", "kind", "shares_title"),
    "Release": (
        "work",
        "date",
        "year",
        "kind",
        "places",
        "status",
        "superseded_by",
        "planned_since",
    ),
    "RightsGrant": ("work", "holder", "rights", "territory"),
    "Affiliation": ("subject", "parent", "kind"),
    "Partnership": ("partners",),
    "Reunion": ("members", "earlier_work", "later_work", "gap_years"),
}

#: Fields that identify a fact (the rest qualify it and may be corrected in review).
_KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "Credit": ("work", "agent", "role"),
    "Adaptation": ("work", "source_work"),
    "Release": ("work", "date", "year", "kind", "status"),
    "RightsGrant": ("work", "holder", "rights"),
    "Affiliation": ("subject", "parent", "kind"),
    "Partnership": ("partners",),
    "Reunion": ("members", "later_work"),
}


@dataclass
class EntityRef:
    """An entity a candidate refers to: linked to the graph (``iri``) or proposed as new."""

    name: str
    cls: str
    iri: str | None
    confidence: float
    how: str
    year: str | None = None

    @property
    def new(self) -> bool:
        """True when the graph does not have this entity yet."""
        return self.how == "new"


FieldValue = str | int | bool | EntityRef | list[EntityRef] | None


@dataclass(frozen=True, order=True)
class Quote:
    """A verbatim span of the source text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str


@dataclass
class Candidate:
    """One proposed assertion with its evidence and the rules that produced it."""

    cls: str
    fields: dict[str, FieldValue]
    quotes: list[Quote] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    note: str | None = None
    confidence: float = 0.9

    def add_evidence(self, quote: Quote, rule: str) -> None:
        """Add a quote and the rule that read it (each once, in order)."""
        if quote not in self.quotes:
            self.quotes.append(quote)
            self.quotes.sort()
        if rule not in self.rules:
            self.rules.append(rule)

    def key(self) -> str:
        """The fact itself, in folded names: equal keys are the same fact."""
        parts = []
        for name in _KEY_FIELDS[self.cls]:
            value = self.fields.get(name)
            if value is None or value == "":
                continue
            parts.append(f"{name}={_key_text(value)}")
        return "|".join([self.cls, *sorted(parts)])

    def candidate_id(self, source_id: str) -> str:
        """A stable id: ``c`` and 12 hex digits of the source and the fact."""
        digest = hashlib.sha256(f"{source_id}\n{self.key()}".encode()).hexdigest()
        return "c" + digest[:12]


def _key_text(value: FieldValue) -> str:
    if isinstance(value, EntityRef):
        return fold(value.name)
    if isinstance(value, list):
        return ",".join(sorted(fold(v.name) for v in value))
    return str(value).lower()
