"""From a text to reviewed-ready candidates: read, apply the rules, link, merge.

The same fact stated in several sentences becomes one candidate with several quotes
(like the curated graph's assertions with several evidence nodes). A release stated
without its kind ("set for release on November 15, 2024") joins the one release of that
film, date and status that has a kind. A superseded release names the release that
replaced it in the same sentence. Candidates rejected before are left out.

>>> from filmkg.extract.linking import Linker
>>> ex = Extractor(Linker())
>>> found = ex.extract("Big is a 1988 American film directed by Penny Marshall.", source_id="t")
>>> [(c.cls, c.rules) for c in found]
[('Credit', ['credit.by']), ('Release', ['release.year'])]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from filmkg.extract.context import Document, read_text
from filmkg.extract.linking import Linker
from filmkg.extract.model import Candidate, EntityRef
from filmkg.extract.nlp import pipeline
from filmkg.extract.rules import apply_rules, matcher_for

__all__ = ["Extractor", "Proposal"]


@dataclass
class Proposal:
    """A linked, merged candidate with its stable id."""

    id: str
    candidate: Candidate


class Extractor:
    """The spaCy pipeline and the rules, with the graph's names; reusable across texts."""

    def __init__(self, linker: Linker) -> None:
        self.linker = linker
        self.nlp = pipeline(linker)
        self.matcher = matcher_for(self.nlp)

    def extract(
        self,
        text: str,
        *,
        source_id: str,
        source_date: str | None = None,
        rejected: Iterable[str] = (),
    ) -> list[Candidate]:
        """The candidates ``text`` states, minus those whose id is in ``rejected``."""
        return [p.candidate for p in self.propose(text, source_id, source_date, rejected)]

    def propose(
        self,
        text: str,
        source_id: str,
        source_date: str | None = None,
        rejected: Iterable[str] = (),
    ) -> list[Proposal]:
        """Like :meth:`extract`, with each candidate's id."""
        return self.analyse(text, source_id, source_date, rejected)[1]

    def analyse(
        self,
        text: str,
        source_id: str,
        source_date: str | None = None,
        rejected: Iterable[str] = (),
    ) -> tuple[Document, list[Proposal]]:
        """The text as read (sentences, titles, main film) and the proposals."""
        document = read_text(text, self.nlp, source_date)
        raw = [c for c in apply_rules(document, self.nlp, self.matcher) if _complete(c)]
        years = dict(document.film_years)
        for c in raw:
            work = c.fields.get("work")
            if c.cls == "Release" and isinstance(work, EntityRef):
                when = str(c.fields.get("date") or c.fields.get("year") or "")[:4]
                if when and (work.name not in years or when < years[work.name]):
                    years.setdefault(work.name, when)
        self._link(raw, years)
        merged = _merge(raw)
        proposals = [Proposal(c.candidate_id(source_id), c) for c in merged]
        _supersession(proposals)
        skip = set(rejected)
        out = [p for p in proposals if p.id not in skip]
        out.sort(key=lambda p: (p.candidate.quotes[0].start, p.candidate.cls, p.candidate.key()))
        return document, out

    def _link(self, candidates: list[Candidate], years: dict[str, str]) -> None:
        cache: dict[tuple[str, str, tuple[str, ...]], EntityRef] = {}

        def link(ref: EntityRef, context: tuple[str, ...]) -> EntityRef:
            key = (ref.cls, ref.name, context)
            if key not in cache:
                year = years.get(ref.name) if ref.cls == "Film" else None
                cache[key] = self.linker.link(ref.name, ref.cls, year=year, context=context)
            return cache[key]

        for c in candidates:
            names = [v.name for v in c.fields.values() if isinstance(v, EntityRef)]
            for name, value in c.fields.items():
                if isinstance(value, EntityRef):
                    context = tuple(n for n in names if n != value.name)
                    c.fields[name] = link(value, context)
                elif isinstance(value, list):
                    c.fields[name] = [link(v, tuple(names)) for v in value]


def _complete(c: Candidate) -> bool:
    """Drop candidates whose work (or any entity) has no name."""
    return all(not (isinstance(v, EntityRef) and not v.name) for v in c.fields.values())


def _merge(candidates: list[Candidate]) -> list[Candidate]:
    by_key: dict[str, Candidate] = {}
    for c in candidates:
        have = by_key.get(c.key())
        if have is None:
            by_key[c.key()] = c
            continue
        for q in c.quotes:
            for rule in c.rules:
                have.add_evidence(q, rule)
        if c.note is None or have.note is None:
            have.note = None  # stated somewhere: no longer only read
        have.confidence = max(have.confidence, c.confidence)
        for name, value in c.fields.items():
            if have.fields.get(name) in (None, "", []):
                have.fields[name] = value
    return _merge_kindless(list(by_key.values()))


def _merge_kindless(candidates: list[Candidate]) -> list[Candidate]:
    """A release without a kind joins the one kinded release of the same work, date, status."""
    out: list[Candidate] = []
    for c in candidates:
        if c.cls == "Release" and c.fields.get("kind") is None and c.fields.get("date"):
            same = [
                o
                for o in candidates
                if o is not c
                and o.cls == "Release"
                and o.fields.get("kind") is not None
                and all(o.fields.get(f) == c.fields.get(f) for f in ("date", "status"))
                and _name(o.fields.get("work")) == _name(c.fields.get("work"))
            ]
            if len(same) == 1:
                for q in c.quotes:
                    for rule in c.rules:
                        same[0].add_evidence(q, rule)
                continue
        out.append(c)
    return out


def _name(value: object) -> str | None:
    return value.name if isinstance(value, EntityRef) else None


def _supersession(proposals: list[Proposal]) -> None:
    """A superseded release is superseded by the current release stated beside it."""
    releases = [p for p in proposals if p.candidate.cls == "Release"]
    for p in releases:
        c = p.candidate
        if c.fields.get("status") != "superseded" or c.fields.get("superseded_by"):
            continue
        for other in releases:
            o = other.candidate
            if (
                o.fields.get("status") != "superseded"
                and set(o.quotes) & set(c.quotes)
                and _name(o.fields.get("work")) == _name(c.fields.get("work"))
            ):
                c.fields["superseded_by"] = other.id
                break
