"""What a run writes: the matches as RDF (with their evidence), and the review list.

Each match is ``<entity> skos:exactMatch <item>`` supported by a
:class:`filmkg:Reconciliation` node (a :class:`filmkg:Match`): the matched name, the
confidence, the signals that agreed, our films it shares, and a :class:`filmkg:Evidence`
whose quote is what the endpoint answered about the item and whose source is the
:class:`filmkg:QueryService` asked (its URL without credentials, and the day). IRIs are
derived from the entity and the item, so a rerun writes the same nodes, never copies.

>>> node_key("https://w3id.org/filmkg/id/person/tom-hanks")
'person/tom-hanks'
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from filmkg.errors import UsageError
from filmkg.io.fileio import atomic_write_bytes
from filmkg.rdf.namespaces import PREFIXES
from filmkg.reconcile.matching import WD, Decision, Scored
from filmkg.reconcile.run import Run

__all__ = [
    "DEFAULT_GRAPH",
    "REVIEW_COLUMNS",
    "match_quads",
    "node_key",
    "review_tsv",
    "write_matches",
]

#: The named graph a run writes into (``--graph``).
DEFAULT_GRAPH = "https://w3id.org/filmkg/graph/reconciled"

#: The columns of the review list.
REVIEW_COLUMNS = (
    "entity",
    "label",
    "kind",
    "candidate",
    "name",
    "score",
    "signals",
    "reasons",
)

_KG = "https://w3id.org/filmkg/id/"
_F = "https://w3id.org/filmkg/ontology#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_EXACT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
_URL = ox.NamedNode("http://schema.org/url")
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _f(name: str) -> ox.NamedNode:
    return ox.NamedNode(_F + name)


def node_key(iri: str) -> str:
    """The part of our IRIs that names a reconciliation node: the path after ``id/``
    (a digest for an IRI outside our namespace)."""
    if iri.startswith(_KG) and all(c.isalnum() or c in "-_./" for c in iri[len(_KG) :]):
        return iri[len(_KG) :]
    return "ext/" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]


def _qid(item: str) -> str:
    return item.removeprefix(WD) if item.startswith(WD + "Q") else node_key(item)


def _quote(s: Scored, run: Run) -> str:
    """What the endpoint answered about the item, as one line."""
    c = s.candidate
    parts = [f'{_qid(c.item)} {c.how} "{c.name}"@{c.lang}']
    if c.types:
        parts.append("P31 " + " ".join(sorted(_qid(t) for t in c.types)))
    if c.dates:
        prop = "P577" if s.entity.kind == "film" else "P569"
        parts.append(f"{prop} " + " ".join(sorted(c.dates)))
    for (agent, film), props in sorted(run.credits.items()):
        if agent == c.item:
            parts.append(f"{'/'.join(sorted(props))} of {_qid(film)}")
    return "; ".join(parts)


def match_quads(run: Run, graph: str = DEFAULT_GRAPH) -> Iterator[ox.Quad]:
    """The quads of ``run``'s matches (none for an entity without a match)."""
    g = ox.NamedNode(graph)
    source = ox.NamedNode(
        _KG + "source/query-service/" + hashlib.sha256(run.endpoint.encode()).hexdigest()[:12]
    )
    matches = run.matches
    if matches:
        yield ox.Quad(source, _RDF_TYPE, _f("QueryService"), g)
        yield ox.Quad(source, _LABEL, ox.Literal(f"SPARQL endpoint {run.endpoint}"), g)
        yield ox.Quad(source, _URL, ox.NamedNode(run.endpoint), g)
        when = ox.Literal(run.retrieved.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
        yield ox.Quad(source, _f("retrievedOn"), when, g)
    for decision in matches:
        assert decision.match is not None
        yield from _match(decision.match, run, source, g)


def _match(s: Scored, run: Run, source: ox.NamedNode, g: ox.NamedNode) -> Iterator[ox.Quad]:
    entity, item = ox.NamedNode(s.entity.iri), ox.NamedNode(s.item)
    key = f"{node_key(s.entity.iri)}/{_qid(s.item)}"
    node = ox.NamedNode(f"{_KG}reconciliation/{key}")
    evidence = ox.NamedNode(f"{_KG}evidence/reconciliation/{key}")
    yield ox.Quad(entity, _EXACT, item, g)
    yield ox.Quad(node, _RDF_TYPE, _f("Reconciliation"), g)
    yield ox.Quad(node, _f("matchedEntity"), entity, g)
    yield ox.Quad(node, _f("reconciledWith"), item, g)
    yield ox.Quad(node, _f("matchedName"), ox.Literal(s.candidate.name), g)
    decimal = ox.NamedNode(_XSD + "decimal")
    yield ox.Quad(node, _f("confidence"), ox.Literal(f"{s.score:.2f}", datatype=decimal), g)
    yield ox.Quad(node, _f("method"), ox.Literal(", ".join(s.signals)), g)
    for signal in s.signals:
        yield ox.Quad(node, _f("signal"), ox.Literal(signal), g)
    for film in s.shared:
        yield ox.Quad(node, _f("sharedContext"), ox.NamedNode(film), g)
    yield ox.Quad(node, _f("evidence"), evidence, g)
    yield ox.Quad(evidence, _RDF_TYPE, _f("Evidence"), g)
    yield ox.Quad(evidence, _f("source"), source, g)
    yield ox.Quad(evidence, _f("quote"), ox.Literal(_quote(s, run)), g)
    queries = "candidates.rq, credits.rq" if s.shared else "candidates.rq"
    yield ox.Quad(evidence, _f("sourceRecord"), ox.Literal(queries), g)


def review_rows(run: Run) -> Iterator[list[str]]:
    """One row per candidate to review (entities without a match), best first."""
    for decision in run.decisions:
        for s in decision.review:
            yield _row(decision, s, run)


def _row(decision: Decision, s: Scored, run: Run) -> list[str]:
    reasons = [r for r in s.reasons if r]
    if decision.note:
        reasons.append(decision.note)
    existing = run.links.get(s.entity.iri, frozenset())
    if existing and s.item not in existing:
        reasons.append("the graph links it to " + ", ".join(sorted(_qid(i) for i in existing)))
    return [
        s.entity.iri,
        s.entity.label,
        s.entity.kind,
        s.item,
        s.candidate.name,
        f"{s.score:.2f}",
        ", ".join(s.signals),
        "; ".join(reasons),
    ]


def review_tsv(run: Run) -> str:
    """The review list as tab-separated values with a header line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(REVIEW_COLUMNS)
    for row in review_rows(run):
        writer.writerow(row)
    return out.getvalue()


_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}


def check_output(path: Path) -> None:
    """A usage error for an output file whose suffix names no format written here."""
    if path.suffix.lower() not in _FORMATS:
        raise UsageError(
            f"{path}: cannot tell the RDF format from the suffix {path.suffix or '(none)'}",
            hint="name the file .ttl, .nt, .nq or .trig",
        )


def write_matches(path: Path, quads: list[ox.Quad]) -> None:
    """Write the matches atomically: Turtle / N-Triples (the triples) or N-Quads / TriG
    (with the graph name), sorted."""
    check_output(path)
    rdf_format = _FORMATS[path.suffix.lower()]
    ordered = sorted(set(quads), key=str)
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
        data = ox.serialize(
            [q.triple for q in ordered], format=rdf_format, prefixes=_prefixes(rdf_format)
        )
    else:
        data = ox.serialize(ordered, format=rdf_format, prefixes=_prefixes(rdf_format))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data or b"")


def _prefixes(rdf_format: ox.RdfFormat) -> dict[str, str] | None:
    if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return None
    return dict(PREFIXES)
