"""Readers the rules share: the match context, name lists, the film a sentence is about.

>>> from filmkg.extract.nlp import pipeline
>>> from filmkg.extract.context import read_text
>>> doc = read_text("It stars Tom Hanks, Robin Wright and Gary Sinise.", pipeline())
>>> c = Ctx(doc, doc.sentences[0], 1, 2)
>>> [m.name for m, _ in read_list(c, 2, person)[0]]
['Tom Hanks', 'Robin Wright', 'Gary Sinise']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from filmkg.extract.context import Document, Mention, Sentence
from filmkg.extract.model import Candidate, EntityRef, FieldValue, Quote

#: nouns that name a role in a film, and the role ("producers" → producer)
ROLE_NOUNS = {
    "director": "director",
    "directors": "director",
    "producer": "producer",
    "producers": "producer",
    "screenwriter": "screenwriter",
    "screenwriters": "screenwriter",
    "actor": "cast-member",
    "actors": "cast-member",
    "actress": "cast-member",
    "actresses": "cast-member",
    "co-star": "cast-member",
}
_QUOTES = {'"', "“", "'", "‘"}

#: words that describe a person just before the name
DESCRIBING = {
    "filmmaker",
    "filmmakers",
    "director",
    "writer",
    "writers",
    "screenwriter",
    "actor",
    "actress",
    "comedian",
    "former",
    "veteran",
    "first-time",
    "producer",
    "novelist",
    "playwright",
    "cartoonist",
    "author",
    "stuntman",
    "newcomer",
    "journalist",
    "singer",
    "rapper",
    "musician",
    "brothers",
    "duo",
    "documentarian",
    "animator",
}

__all__ = [
    "DESCRIBING",
    "Ctx",
    "credit",
    "film_of",
    "person",
    "read_back",
    "read_list",
    "ref",
    "subject",
]


@dataclass
class Ctx:
    document: Document
    s: Sentence
    start: int
    end: int

    @property
    def quote(self) -> Quote:
        text = self.document.text
        return Quote(self.s.start_char, self.s.end_char, text[self.s.start_char : self.s.end_char])


# -- readers ----------------------------------------------------------------------------
def ref(name: str, cls: str) -> EntityRef:
    return EntityRef(name, cls, None, 0.0, "pending")


def person(m: Mention | None) -> bool:
    return (
        m is not None
        and m.label in ("PERSON", "NAME")
        and (m.label == "PERSON" or len(m.text.split()) >= 2)
    )


def read_list(
    c: Ctx, i: int, ok: Callable[[Mention], bool], skip: set[str] | None = None
) -> tuple[list[tuple[Mention, str | None]], int]:
    """Names from token ``i``: "A, B and C" (each "as <character>" optionally).

    Words of ``skip`` and a describing word before a name ("filmmaker", "Taiwanese
    filmmaker", "former stuntman") are passed over.
    """
    s, out = c.s, []
    skip = (skip or set()) | DESCRIBING
    while i < s.span.end:
        skipped = 0
        while skipped < 5:
            m = s.mentions.get(i)
            if m is None and s.lower(i) in skip:
                i, skipped = i + 1, skipped + 1
            elif (
                m is not None
                and " " not in m.text
                and m.label == "NAME"
                and (s.lower(m.end) in DESCRIBING)
            ):
                i, skipped = m.end, skipped + 1  # "Taiwanese filmmaker …"
            else:
                break
        m = s.mentions.get(i)
        if m is None or not ok(m):
            break
        i = m.end
        if s.lower(i) in ("'s", "’s", "'", "’"):
            # "… and Lumet's daughter, Jenny Lumet": the owner is not in the list
            comma = next((k for k in range(i, min(i + 5, s.span.end)) if s.lower(k) == ","), None)
            if comma is None:
                break
            i = comma + 1
            continue
        character = None
        if s.lower(i) == "as" and (i + 1) in s.mentions:
            ch = s.mentions[i + 1]
            character, i = ch.text, ch.end
            while s.lower(i) in ("/", "-") and (i + 1) in s.mentions:
                i = s.mentions[i + 1].end  # "as Peter Banning/Peter Pan"
        out.append((m, character))
        if s.lower(i) == "," and s.lower(i + 1) in ("and", "&"):
            i += 2
        elif s.lower(i) in (",", "and", "&"):
            i += 1
        else:
            break
    return out, i


def read_back(c: Ctx, i: int, ok: Callable[[Mention], bool]) -> list[Mention]:
    """Names ending just before token ``i``: "A, B and C" read backwards."""
    s, out = c.s, []
    while i > s.span.start:
        while s.lower(i - 1) in (",", "and", "&", "who"):
            i -= 1
        m = next((m for m in s.mentions.values() if m.end == i), None)
        if m is None or not ok(m):
            break
        out.append(m)
        i = m.start
        if s.lower(i - 1) not in (",", "and", "&"):
            break
    return out[::-1]


def film_of(c: Ctx, i: int | None = None) -> str | None:
    """The film a sentence speaks of: the nearest title before token ``i``, else after,
    else the document's main film."""
    i = c.start if i is None else i
    films = [m for m in c.s.mentions.values() if m.label == "FILM"]
    before = [m for m in films if m.end <= i]
    if before:
        return before[-1].name
    after = [m for m in films if m.start >= i and c.s.lower(m.start - 1) not in _QUOTES]
    if after:
        return after[0].name  # "Based on the novel by X, Here tells …" (not a quoted title)
    return c.document.main_film


def credit(
    c: Ctx,
    film: str | None,
    m: Mention,
    role: str,
    rule: str,
    character: str | None = None,
    note: str | None = None,
) -> Candidate | None:
    if film is None:
        return None
    fields: dict[str, FieldValue] = {
        "work": ref(film, "Film"),
        "agent": ref(m.name, "Person"),
        "role": role,
    }
    if character:
        fields["character"] = character
    cand = Candidate("Credit", fields, note=note)
    cand.add_evidence(c.quote, rule)
    return cand


def credits(
    c: Ctx,
    film: str | None,
    people: Iterable[Mention | tuple[Mention, str | None]],
    roles: Iterable[str],
    rule: str,
) -> Iterator[Candidate]:
    """A credit candidate for each person (with its character, if read) and role."""
    roles = list(roles)
    for item in people:
        m, character = item if isinstance(item, tuple) else (item, None)
        for role in roles:
            cand = credit(c, film, m, role, rule, character)
            if cand is not None:
                yield cand


def subject(c: Ctx) -> Mention | None:
    """The first person named in the sentence before the trigger."""
    return next((m for m in c.s.mentions.values() if m.end <= c.start and person(m)), None)
