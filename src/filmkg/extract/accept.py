"""Accepted candidates → RDF in the source's own named graph, with the curated evidence model.

Every accepted fact becomes an assertion node (``filmkg:Credit``, ``filmkg:Release`` …)
with ``filmkg:evidence`` → a ``filmkg:Evidence`` node holding the verbatim
``filmkg:quote`` and its ``filmkg:source``; a fact the rule read rather than found stated
carries its ``filmkg:note``. Entities carry identity only (type, label, ``mentionedIn``).
Everything goes into ``graph:source/<id>``. IRIs are built from the fact (as in
``graph/here.ttl``: ``credit/here-2024/tom-hanks/cast-member``), so accepting the same
review twice adds nothing. Before anything is written, every quote is checked against the
source text at its offsets.

>>> source_graph("collider-2024-06-22-here")
'https://w3id.org/filmkg/graph/source/collider-2024-06-22-here'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from filmkg.errors import ParseError
from filmkg.extract.linking import mint
from filmkg.extract.model import EntityRef, FieldValue
from filmkg.extract.review import Review, ReviewedCandidate, SourceInfo
from filmkg.importers.mapping import slug
from filmkg.rdf.namespaces import FILMKG_NS, GRAPH, KG, PREFIXES

__all__ = ["Accepted", "check_quotes", "quads_for", "source_graph"]

KG_NS = str(KG)
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_XSD = PREFIXES["xsd"]
_SCHEMA = PREFIXES["schema"]


def _f(local: str) -> ox.NamedNode:
    return ox.NamedNode(FILMKG_NS + local)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(_XSD + datatype))


def source_graph(source_id: str) -> str:
    """The named graph of a source's accepted facts."""
    return str(GRAPH) + f"source/{source_id}"


@dataclass
class Accepted:
    """What one review contributes: the quads, and the decisions counted."""

    quads: list[ox.Quad]
    accepted: list[str]
    rejected: list[str]
    pending: list[str]


def check_quotes(review: Review, text: str, path: str) -> None:
    """Every accepted candidate's quotes must be the source text at their offsets."""
    for c in review.candidates:
        if c.decision != "accept":
            continue
        for q in c.quotes:
            if text[q.start : q.end] != q.text:
                raise ParseError(
                    f"candidate {c.id}: the quote at {q.start}-{q.end} is not the source "
                    "text there",
                    path=path,
                    line=c.key_lines.get("evidence", c.line),
                    hint="put the evidence back as extract wrote it",
                )


class _Writer:
    def __init__(self, source: SourceInfo, path: str) -> None:
        self.source = source
        self.path = path
        self.graph = ox.NamedNode(source_graph(source.id))
        self.src = ox.NamedNode(KG_NS + f"source/{source.id}")
        self.quads: list[ox.Quad] = []

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, p, o, self.graph))

    def entity(self, ref: EntityRef) -> ox.NamedNode:
        node = ox.NamedNode(ref.iri or mint(ref.name, ref.cls, ref.year))
        self.add(node, RDF_TYPE, _f(ref.cls))
        self.add(node, RDFS_LABEL, ox.Literal(ref.name))
        self.add(node, _f("mentionedIn"), self.src)
        return node

    def source_node(self) -> None:
        s, src = self.source, self.src
        news = s.publisher and s.date
        self.add(src, RDF_TYPE, _f("NewsArticle" if news else "Source"))
        label = f"{s.publisher} article ({s.date})" if news else f"text {s.text}"
        self.add(src, RDFS_LABEL, ox.Literal(label))
        self.add(src, _f("textFile"), ox.Literal(s.text))
        if s.publisher:
            org = ox.NamedNode(KG_NS + f"org/{slug(s.publisher) or 'publisher'}")
            self.add(src, ox.NamedNode(_SCHEMA + "publisher"), org)
            self.add(org, RDF_TYPE, _f("Organisation"))
            self.add(org, RDFS_LABEL, ox.Literal(s.publisher))
        if s.date:
            self.add(src, ox.NamedNode(_SCHEMA + "datePublished"), _typed(s.date, "date"))
        if s.url:
            self.add(src, ox.NamedNode(_SCHEMA + "url"), ox.NamedNode(s.url))

    def evidence(self, node: ox.NamedNode, c: ReviewedCandidate) -> None:
        for q in c.quotes:
            ev = ox.NamedNode(KG_NS + f"evidence/{self.source.id}/{q.start}-{q.end}")
            self.add(ev, RDF_TYPE, _f("Evidence"))
            self.add(ev, _f("source"), self.src)
            self.add(ev, _f("quote"), ox.Literal(q.text))
            self.add(node, _f("evidence"), ev)
        if c.note:
            self.add(node, _f("note"), ox.Literal(c.note, language="en"))

    def fail(self, c: ReviewedCandidate, key: str, message: str, hint: str) -> ParseError:
        return ParseError(
            f"candidate {c.id}: {message}",
            path=self.path,
            line=c.key_lines.get(key, c.line),
            hint=hint,
        )

    def need(self, c: ReviewedCandidate, key: str) -> EntityRef:
        value = c.fields.get(key)
        if not isinstance(value, EntityRef):
            raise self.fail(
                c,
                key,
                f"an accepted {c.cls} needs its {key}",
                f"fill in {key} = {{ name = …, class = …, iri = … }}, or reject it",
            )
        return value


def _tail(node: ox.NamedNode) -> str:
    return node.value.rsplit("/", 1)[-1]


def _credit(w: _Writer, c: ReviewedCandidate, by_id: dict[str, ReviewedCandidate]) -> ox.NamedNode:
    work, agent = w.entity(w.need(c, "work")), w.entity(w.need(c, "agent"))
    role = str(c.fields.get("role") or "")
    if not role:
        raise w.fail(c, "role", "an accepted credit needs its role", 'set role = "director" …')
    node = ox.NamedNode(KG_NS + f"credit/{_tail(work)}/{_tail(agent)}/{role}")
    w.add(node, RDF_TYPE, _f("Credit"))
    w.add(node, _f("work"), work)
    w.add(node, _f("agent"), agent)
    w.add(node, _f("role"), ox.NamedNode(PREFIXES["role"] + role))
    if c.fields.get("character"):
        w.add(node, _f("character"), ox.Literal(str(c.fields["character"])))
    if isinstance(c.fields.get("starring"), bool):
        w.add(node, _f("starring"), _typed(str(c.fields["starring"]).lower(), "boolean"))
    return node


def _release_iri(w: _Writer, c: ReviewedCandidate) -> ox.NamedNode:
    ref = w.need(c, "work")
    work = ox.NamedNode(ref.iri or mint(ref.name, ref.cls, ref.year))
    when = str(c.fields.get("date") or c.fields.get("year") or "")
    kind = c.fields.get("kind")
    return ox.NamedNode(KG_NS + f"release/{_tail(work)}/" + (f"{kind}-{when}" if kind else when))


def _release(w: _Writer, c: ReviewedCandidate, by_id: dict[str, ReviewedCandidate]) -> ox.NamedNode:
    node = _release_iri(w, c)
    w.add(node, RDF_TYPE, _f("Release"))
    w.add(node, _f("work"), w.entity(w.need(c, "work")))
    date, year = c.fields.get("date"), c.fields.get("year")
    if bool(date) == bool(year):
        raise w.fail(
            c,
            "date",
            "a release needs a date or a year, not both and not neither",
            'keep one of date = "YYYY-MM-DD" or year = "YYYY"',
        )
    if date:
        w.add(node, _f("releaseDate"), _typed(str(date), "date"))
    else:
        w.add(node, _f("releaseYear"), _typed(str(year), "gYear"))
    if c.fields.get("kind"):
        w.add(
            node, _f("releaseKind"), ox.NamedNode(PREFIXES["releasekind"] + str(c.fields["kind"]))
        )
    places = c.fields.get("places")
    for place in places if isinstance(places, list) else []:
        w.add(node, _f("place"), w.entity(place))
    status = c.fields.get("status")
    concept = {"superseded": "superseded", "planned": "scheduled", "happened": "released"}.get(
        str(status), "current"
    )
    w.add(node, _f("releaseStatus"), ox.NamedNode(PREFIXES["releasestatus"] + concept))
    if w.source.date:
        w.add(node, _f("statusAsOf"), _typed(w.source.date, "date"))
    if c.fields.get("planned_since"):
        w.add(node, _f("plannedSince"), _typed(str(c.fields["planned_since"]), "date"))
    if status == "superseded":
        _superseded(w, c, node, by_id)
    return node


def _superseded(
    w: _Writer, c: ReviewedCandidate, node: ox.NamedNode, by_id: dict[str, ReviewedCandidate]
) -> None:
    other = by_id.get(str(c.fields.get("superseded_by") or ""))
    if other is None:
        raise w.fail(
            c,
            "superseded_by",
            "a superseded release must name the accepted release that replaced it",
            'accept that candidate too, or set status = "planned"',
        )
    w.add(node, _f("supersededBy"), _release_iri(w, other))
    if w.source.date:
        w.add(node, _f("supersededOn"), _typed(w.source.date, "date"))


def _adaptation(
    w: _Writer, c: ReviewedCandidate, by_id: dict[str, ReviewedCandidate]
) -> ox.NamedNode:
    work, src = w.entity(w.need(c, "work")), w.entity(w.need(c, "source_work"))
    node = ox.NamedNode(KG_NS + f"adaptation/{_tail(work)}/{_tail(src)}")
    w.add(node, RDF_TYPE, _f("Adaptation"))
    w.add(node, _f("work"), work)
    w.add(node, _f("sourceWork"), src)
    if isinstance(c.fields.get("shares_title"), bool):
        w.add(node, _f("sharesTitle"), _typed(str(c.fields["shares_title"]).lower(), "boolean"))
    kind = c.fields.get("kind")
    if kind:
        ch = ox.NamedNode(KG_NS + f"characterisation/{_tail(src)}/kind")
        w.add(ch, RDF_TYPE, _f("Characterisation"))
        w.add(ch, _f("subject"), src)
        w.add(ch, _f("describedAs"), ox.Literal(str(kind), language="en"))
        if kind == "graphic novel":
            w.add(ch, _f("category"), _f("GraphicNovel"))
        w.evidence(ch, c)
    return node


def _rights(w: _Writer, c: ReviewedCandidate, by_id: dict[str, ReviewedCandidate]) -> ox.NamedNode:
    work, holder = w.entity(w.need(c, "work")), w.entity(w.need(c, "holder"))
    kind = str(c.fields.get("rights") or "")
    territory = c.fields.get("territory")
    if not isinstance(territory, EntityRef):
        raise w.fail(
            c,
            "territory",
            "the source names no territory for these rights",
            'fill in territory = { name = "United States", class = "Place", iri = "" }',
        )
    node = ox.NamedNode(KG_NS + f"rights/{_tail(work)}/{_tail(holder)}/{kind}")
    w.add(node, RDF_TYPE, _f("RightsGrant"))
    w.add(node, _f("work"), work)
    w.add(node, _f("rightsHolder"), holder)
    w.add(node, _f("rightsKind"), ox.NamedNode(PREFIXES["rightskind"] + kind))
    w.add(node, _f("territory"), w.entity(territory))
    return node


def _affiliation(
    w: _Writer, c: ReviewedCandidate, by_id: dict[str, ReviewedCandidate]
) -> ox.NamedNode:
    subject, parent = w.entity(w.need(c, "subject")), w.entity(w.need(c, "parent"))
    node = ox.NamedNode(KG_NS + f"affiliation/{_tail(subject)}/{_tail(parent)}")
    w.add(node, RDF_TYPE, _f("Affiliation"))
    w.add(node, _f("subject"), subject)
    w.add(node, _f("parent"), parent)
    w.add(node, _f("affiliationKind"), ox.NamedNode(PREFIXES["affiliationkind"] + "label"))
    return node


def _entities(w: _Writer, c: ReviewedCandidate, key: str, least: int) -> list[ox.NamedNode]:
    value = c.fields.get(key)
    refs = [v for v in value if isinstance(v, EntityRef)] if isinstance(value, list) else []
    if len(refs) < least:
        raise w.fail(
            c,
            key,
            f"an accepted {c.cls} needs at least {least} {key}",
            f"list them in {key} = [ … ], or reject it",
        )
    return [w.entity(r) for r in refs]


def _partnership(
    w: _Writer, c: ReviewedCandidate, by_id: dict[str, ReviewedCandidate]
) -> ox.NamedNode:
    partners = _entities(w, c, "partners", 2)
    node = ox.NamedNode(KG_NS + "partnership/" + "-".join(sorted(_tail(p) for p in partners)))
    w.add(node, RDF_TYPE, _f("Partnership"))
    for p in partners:
        w.add(node, _f("partner"), p)
    return node


def _reunion(w: _Writer, c: ReviewedCandidate, by_id: dict[str, ReviewedCandidate]) -> ox.NamedNode:
    members = _entities(w, c, "members", 2)
    earlier, later = w.entity(w.need(c, "earlier_work")), w.entity(w.need(c, "later_work"))
    node = ox.NamedNode(KG_NS + f"reunion/{_tail(earlier)}/{_tail(later)}")
    w.add(node, RDF_TYPE, _f("Reunion"))
    for m in members:
        w.add(node, _f("member"), m)
    w.add(node, _f("earlierWork"), earlier)
    w.add(node, _f("laterWork"), later)
    gap = c.fields.get("gap_years")
    if isinstance(gap, int) and not isinstance(gap, bool):
        w.add(node, _f("gapYears"), _typed(str(gap), "integer"))
    return node


_WRITERS: dict[
    str, Callable[[_Writer, ReviewedCandidate, dict[str, ReviewedCandidate]], ox.NamedNode]
] = {
    "Credit": _credit,
    "Release": _release,
    "Adaptation": _adaptation,
    "RightsGrant": _rights,
    "Affiliation": _affiliation,
    "Partnership": _partnership,
    "Reunion": _reunion,
}


def quads_for(review: Review, path: str) -> Accepted:
    """The quads of the accepted candidates (deduplicated, sorted), and the decisions."""
    w = _Writer(review.source, path)
    accepted = [c for c in review.candidates if c.decision == "accept"]
    by_id = {c.id: c for c in accepted}
    if accepted:
        w.source_node()
    for c in accepted:
        node = _WRITERS[c.cls](w, c, by_id)
        w.evidence(node, c)
    quads = sorted(set(w.quads), key=str)
    return Accepted(
        quads,
        [c.id for c in accepted],
        [c.id for c in review.candidates if c.decision == "reject"],
        [c.id for c in review.candidates if c.decision == "pending"],
    )


_ = FieldValue
