"""The spaCy pipeline of extraction: tokens, sentences, and the names in them.

``spacy.blank("en")`` (the rule-based English tokenizer) with the rule-based
``sentencizer`` and an ``entity_ruler`` fed with every name the graph already knows
(``Tom Hanks`` → PERSON with the IRI as its id). No trained model: names the graph does
not know are found as runs of capitalised tokens (:func:`name_runs`), and what they are
(a person, a company, a title) is decided by the rule that reads them. Each line of the
text is one document, so a headline never runs into the paragraph after it.

>>> from filmkg.extract.linking import Linker
>>> linker = Linker()
>>> linker.add("https://w3id.org/filmkg/id/org/miramax", "Organisation", "Miramax")
>>> nlp = pipeline(linker)
>>> doc = nlp("Miramax holds international rights. Paul Bettany stars.")
>>> [(e.text, e.label_) for e in doc.ents], [s.text for s in doc.sents]
([('Miramax', 'ORG')], ['Miramax holds international rights.', 'Paul Bettany stars.'])
>>> [doc[r.start:r.end].text for r in name_runs(doc)]
['Miramax', 'Paul Bettany']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Token

if TYPE_CHECKING:
    from filmkg.extract.linking import Linker

__all__ = ["ENT_LABELS", "MONTHS", "Run", "cap", "name_runs", "pipeline"]

#: the entity ruler's label for each class family of the graph
ENT_LABELS = {
    "Person": "PERSON",
    "Organisation": "ORG",
    "Place": "PLACE",
    "Film": "FILM",
    "CreativeWork": "WORK",
    "GraphicNovel": "WORK",
}
#: the months, in order (dates are read with them, and they are never names)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = set(MONTHS)
#: capitalised words that describe people or dates, never part of a name
_NOT_NAME = _MONTHS | {
    "director",
    "directors",
    "producer",
    "producers",
    "screenwriter",
    "screenwriters",
    "writer",
    "actor",
    "actors",
    "actress",
    "star",
    "stars",
    "executive",
    "oscar",
    "academy",
    "award",
    "awards",
    "prize",
    "american",
    "i",
    "british",
    "film",
    "movie",
    "regardless",
    "described",
    "based",
    "catch",
    "fans",
    "it",
    "its",
    "season",
    "part",
    "chapter",
    "episode",
    "volume",
}
_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "del", "la", "le", "du", "st.", "bin"}
_SUFFIXES = {"jr.", "jr", "sr.", "sr", "ii", "iii", "iv"}
_SEQUEL = re.compile(r"^([2-9]|II|III|IV|V|VI)$")
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$")
_CAP = re.compile(r"^[^\W\d_][\w'’.&-]*$")


@dataclass(frozen=True)
class Run:
    """Tokens ``start:end`` of a doc that look like one name."""

    start: int
    end: int


def pipeline(linker: Linker | None = None) -> Language:
    """``spacy.blank("en")`` + sentencizer + an entity ruler with the graph's names."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    patterns = []
    if linker is not None:
        patterns = [
            {"label": ENT_LABELS.get(k.cls, "MISC"), "pattern": k.name, "id": k.iri}
            for k in sorted(linker.names(), key=lambda k: (k.name, k.iri))
            if len(k.name) > 1
        ]
    if patterns:
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp


def cap(token: Token) -> bool:
    """A token that may be (part of) a name: capitalised, not a common word.

    >>> nlp = spacy.blank("en")
    >>> [cap(t) for t in nlp("The Director Robert TriStar")]
    [False, False, True, True]
    """
    text = token.text
    lower = text.lower()
    return (
        text[:1].isupper()
        and bool(_CAP.match(text))
        and lower not in _NOT_NAME
        and lower not in STOP_WORDS
    )


def _title_word(token: Token) -> bool:
    """A capitalised common word inside a sentence ("the release of Here", "The Matrix"):
    it may start a name or be one, but never continues one."""
    text = token.text
    lower = text.lower()
    return (
        not token.is_sent_start
        and text[:1].isupper()
        and lower in STOP_WORDS
        and lower not in _NOT_NAME
        and lower != "i"
    )


def name_runs(doc: Doc) -> list[Run]:
    """Runs of capitalised tokens (with particles, initials, hyphens and Jr.)."""
    runs: list[Run] = []
    i, n = 0, len(doc)
    while i < n:
        if not _starts_name(doc, i):
            i += 1
            continue
        j = i + 1
        while j < n:
            tok = doc[j]
            prev = doc[j - 1]
            if _continues(doc, j):
                j += 1
            elif tok.lower_ in _SUFFIXES and prev.whitespace_:
                j += 1
                break
            else:
                break
        if doc[j - 1].text == "-":
            j -= 1
        if j < n and _SEQUEL.match(doc[j].text) and doc[j - 1].whitespace_:
            j += 1  # "Lethal Weapon 3", "Critters 4", "Rocky V"
        runs.append(Run(i, j))
        i = j
    return runs


def _continues(doc: Doc, j: int) -> bool:
    """Token ``j`` goes on with the name before it (a word, a hyphen, a particle)."""
    tok, prev, n = doc[j], doc[j - 1], len(doc)
    nxt_cap = j + 1 < n and cap(doc[j + 1])
    if cap(tok):
        return bool(prev.whitespace_) or prev.text in ("-", "'")
    if tok.text == "-":
        return not prev.whitespace_ and nxt_cap
    return tok.lower_ in _PARTICLES and nxt_cap


def _starts_name(doc: Doc, i: int) -> bool:
    tok = doc[i]
    if _ORDINAL.match(tok.text) and i + 1 < len(doc) and cap(doc[i + 1]):
        return True  # "20th Century Studios"
    if _title_word(tok):
        return True
    if not cap(tok):
        return False
    if tok.is_sent_start and tok.lower_.endswith(("ed", "ing", "ly")):
        return False  # "Described as …", "Having tested …", "Additionally, …"
    return not (i > 0 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_)
