"""The relation rules: spaCy ``Matcher`` patterns for the words that state a fact, each
with the reader that takes the names around them.

Each rule has a name (``credit.by``, ``release.date`` …) that every candidate it makes
carries, so a reviewer sees why a fact was proposed. Entities are left unresolved here
(``how == "pending"``); :mod:`filmkg.extract.extractor` links them to the graph.

>>> from filmkg.extract.nlp import pipeline
>>> from filmkg.extract.context import read_text
>>> nlp = pipeline()
>>> doc = read_text("Air America is a 1990 American film directed by Roger Spottiswoode.", nlp)
>>> [(c.fields["role"], c.fields["agent"].name) for c in apply_rules(doc, nlp)
...  if c.cls == "Credit"]
[('director', 'Roger Spottiswoode')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.language import Language
from spacy.matcher import Matcher

from filmkg.extract.context import Document
from filmkg.extract.credits import CREDIT_HANDLERS, CREDIT_RULES
from filmkg.extract.events import EVENT_HANDLERS, EVENT_RULES
from filmkg.extract.model import Candidate
from filmkg.extract.reading import Ctx

__all__ = ["RULES", "apply_rules", "matcher_for"]

#: rule name → Matcher patterns of the words that state the fact
RULES: dict[str, list[list[dict[str, object]]]] = {**CREDIT_RULES, **EVENT_RULES}
_HANDLERS: dict[str, Callable[[Ctx], Iterator[Candidate]]] = {**CREDIT_HANDLERS, **EVENT_HANDLERS}


def matcher_for(nlp: Language) -> Matcher:
    """One Matcher with every rule's patterns, keyed by rule name."""
    matcher = Matcher(nlp.vocab)
    for name, patterns in RULES.items():
        matcher.add(name, patterns)  # type: ignore[arg-type]
    return matcher


def apply_rules(
    document: Document, nlp: Language, matcher: Matcher | None = None
) -> list[Candidate]:
    """Every candidate the rules find in ``document`` (entities not yet linked)."""
    matcher = matcher or matcher_for(nlp)
    out: list[Candidate] = []
    by_doc: dict[int, list[tuple[int, int, int]]] = {}
    for s in document.sentences:
        key = id(s.doc)
        if key not in by_doc:
            by_doc[key] = [(int(m), int(a), int(b)) for m, a, b in matcher(s.doc)]  # type: ignore[misc]
        longest: dict[tuple[str, int], tuple[int, int]] = {}
        for match_id, a, b in by_doc[key]:
            if not s.span.start <= a < s.span.end:
                continue
            name = nlp.vocab.strings[match_id]
            if (name, b) not in longest or a < longest[(name, b)][0]:
                longest[(name, b)] = (a, b)
        for (name, _), (a, b) in sorted(longest.items(), key=lambda x: (x[1], x[0])):
            out.extend(_HANDLERS[name](Ctx(document, s, a, b)))
    return out
