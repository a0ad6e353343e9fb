"""What the rules read: sentences with their name mentions, and small readers over tokens.

A :class:`Mention` is a span of tokens naming something: an entity the graph knows (the
entity ruler's label: PERSON, ORG, PLACE, FILM, WORK) or a run of capitalised tokens
(NAME) whose class the document decides: a title found by a title rule is a FILM, a
single word that is the surname of a person named earlier in the text is that person
("Hanks" after "Tom Hanks"), a run with a company word ("Pictures", "Studios") is an ORG.

>>> from filmkg.extract.nlp import pipeline
>>> text = "Tom Hanks stars in Big for 20th Century Studios. Then Hanks left."
>>> doc = read_text(text, pipeline())
>>> for m in [m for s in doc.sentences for m in s.mentions.values()]:
...     print(m.text, m.label, m.name, sep=" | ")
Tom Hanks | NAME | Tom Hanks
Big | NAME | Big
20th Century Studios | ORG | 20th Century Studios
Hanks | PERSON | Tom Hanks
>>> parse_date(["November", "15", ",", "2024"])
('2024-11-15', 4)
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from filmkg.extract.nlp import MONTHS, Run, name_runs

__all__ = ["Document", "Mention", "Sentence", "is_year", "parse_date", "read_text"]

_ORG_WORDS = {
    "pictures",
    "studios",
    "studio",
    "entertainment",
    "films",
    "productions",
    "media",
    "company",
    "agency",
    "records",
    "television",
    "network",
    "bros.",
    "animation",
    "features",
    "releasing",
    "distribution",
    "group",
    "corporation",
    "inc.",
    "llc",
    "ltd.",
    "classics",
    "searchlight",
    "netflix",
    "cinema",
}
_MONTHS = {m: i + 1 for i, m in enumerate(MONTHS)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS.update({"sept": 9})
#: what a lead calls a film: "X is a 1992 independent comedy"
_FILM_WORDS = {
    "film",
    "movie",
    "documentary",
    "miniseries",
    "comedy",
    "drama",
    "thriller",
    "western",
    "musical",
    "mockumentary",
    "biopic",
    "feature",
}
#: "Blatty's Exorcist novel": a name before one of these is no title of a film
_WORK_WORDS = {
    "novel",
    "novels",
    "series",
    "book",
    "books",
    "play",
    "comic",
    "comics",
    "franchise",
    "character",
    "characters",
    "story",
    "stories",
    "novella",
}
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")


@dataclass
class Mention:
    """Tokens ``start:end`` of a doc naming something; ``name`` is the full name."""

    start: int
    end: int
    text: str
    label: str
    name: str
    iri: str | None = None


@dataclass
class Sentence:
    """One sentence of one line of the source, with its mentions by start token."""

    doc: Doc
    span: Span
    offset: int
    paragraph: int
    mentions: dict[int, Mention] = field(default_factory=dict)

    @property
    def start_char(self) -> int:
        """Where the sentence starts in the source text (leading spaces left out)."""
        text = self.span.text
        return self.offset + self.span.start_char + len(text) - len(text.lstrip())

    @property
    def end_char(self) -> int:
        """Where the sentence ends in the source text (trailing spaces left out)."""
        return (
            self.offset + self.span.end_char - (len(self.span.text) - len(self.span.text.rstrip()))
        )

    def words(self, start: int, end: int) -> list[str]:
        """The token texts of doc tokens ``start:end``, clipped to the sentence."""
        return [t.text for t in self.doc[max(start, self.span.start) : min(end, self.span.end)]]

    def lower(self, i: int) -> str:
        """The lower-cased text of doc token ``i`` ("" outside the sentence)."""
        if self.span.start <= i < self.span.end:
            return str(self.doc[i].lower_)
        return ""


@dataclass
class Document:
    """The source text read: sentences, the titles found, the main film, its year."""

    text: str
    sentences: list[Sentence]
    titles: set[str] = field(default_factory=set)
    main_film: str | None = None
    film_years: dict[str, str] = field(default_factory=dict)
    surnames: dict[str, str] = field(default_factory=dict)
    source_date: str | None = None


def read_text(text: str, nlp: Language, source_date: str | None = None) -> Document:
    """Tokenise and segment ``text`` line by line; find and type its name mentions.

    A line that starts with a lower-case word goes on with the line before it (a line
    broken inside a sentence); any other line starts a document of its own.
    """
    lines: list[str] = []
    offsets: list[int] = []
    pos = 0
    for line in text.split("\n"):
        first = line.lstrip()[:1]
        if lines and first.islower() and pos == offsets[-1] + len(lines[-1]) + 1:
            lines[-1] += "\n" + line  # "Arizona Dream is a 1993\nindie … film"
        elif line.strip():
            lines.append(line)
            offsets.append(pos)
        pos += len(line) + 1
    sentences: list[Sentence] = []
    for paragraph, (doc, offset) in enumerate(zip(nlp.pipe(lines), offsets, strict=True)):
        runs = name_runs(doc)
        for sent in _joined(doc):
            sentence = Sentence(doc, sent, offset, paragraph)
            _add_mentions(sentence, runs)
            sentences.append(sentence)
    document = Document(text, sentences, source_date=source_date)
    _discover_titles(document)
    _type_mentions(document)
    return document


def _joined(doc: Doc) -> list[Span]:
    """The sentences, a split before a lower-case word undone ("What Happened Was... is
    a 1994 film", "Zapped Again! is a 1990 film")."""
    out: list[Span] = []
    for sent in doc.sents:
        first = next((t for t in sent if t.is_alpha), None)
        if out and first is not None and first.is_lower:
            out[-1] = doc[out[-1].start : sent.end]
        else:
            out.append(sent)
    return out


def _add_mentions(sentence: Sentence, runs: list[Run]) -> None:
    span = sentence.span
    taken: set[int] = set()
    for ent in span.ents:
        sentence.mentions[ent.start] = Mention(
            ent.start, ent.end, ent.text, str(ent.label_), ent.text, str(ent.ent_id_) or None
        )
        taken.update(range(ent.start, ent.end))
    for run in runs:
        start, end = run.start, run.end
        if start < span.start or end > span.end or taken & set(range(start, end)):
            continue
        text = sentence.doc[start:end].text
        sentence.mentions[start] = Mention(start, end, text, "NAME", text)
    sentence.mentions = dict(sorted(sentence.mentions.items()))


def _discover_titles(document: Document) -> None:
    """Titles: quoted names, "<person>'s <Title>", "the release of <Title> in <year>",
    a lead's "<Title> is a <year> … film", and films the graph knows."""
    surnames = {
        m.text.split()[-1]
        for s in document.sentences
        for m in s.mentions.values()
        if m.label in ("PERSON", "NAME") and len(m.text.split()) >= 2
    }
    for s in document.sentences:
        for m in s.mentions.values():
            document.titles.update(_titles_at(s, m, surnames))
    lead = _lead_title(document)
    if lead is not None:
        document.titles.add(lead[0])
        document.main_film = lead[0]
        if lead[1]:
            document.film_years[lead[0]] = lead[1]
        _lead_mentions(document, lead[0])
    counts: Counter[str] = Counter()
    for s in document.sentences:
        for m in s.mentions.values():
            if m.text in document.titles:
                counts[m.text] += 1
    if document.main_film is None and counts:
        best = max(counts.values())
        document.main_film = next(t for t, c in counts.items() if c == best)


def _titles_at(s: Sentence, m: Mention, surnames: set[str]) -> Iterator[str]:
    """The titles mention ``m`` of sentence ``s`` names, by its label and its neighbours."""
    if m.label == "FILM":
        yield m.name
    nxt, prev = s.lower(m.end), s.lower(m.start - 1)
    if prev in ("'", "‘", '"', "“") and nxt in ("'", "’", '"', "”"):
        yield m.text
    if prev == "of" and s.lower(m.start - 2) == "release" and s.lower(m.end) == "in":
        yield m.text
    if m.label == "NAME" and (
        (prev == "film" and (is_year(s.lower(m.start - 2)) or s.lower(m.start - 2) == "the"))
        or (prev in ("to", "of") and s.lower(m.start - 2) in ("sequel", "remake"))
    ):
        yield m.text  # "the 1963 film The Incredible Journey"
    if (
        prev in ("'s", "'", "’s", "’")
        and m.label == "NAME"
        and m.start >= 2
        and s.lower(m.end) not in _WORK_WORDS
    ):
        owner = s.mentions.get(_mention_start(s, m.start - 2))
        if owner is not None and _is_person(owner, surnames):
            yield m.text


def _is_person(m: Mention, surnames: set[str]) -> bool:
    return m.label == "PERSON" or (
        m.label == "NAME" and (len(m.text.split()) >= 2 or m.text in surnames)
    )


def _lead_mentions(document: Document, title: str) -> None:
    """Names inside the lead's title ("Critters" of "Critters 3") are the film itself."""
    s = document.sentences[0]
    end = s.span.start_char + len(title)
    for m in s.mentions.values():
        if s.doc[m.start].idx < end:
            m.label, m.name = "FILM", title


def _mention_start(s: Sentence, last: int) -> int:
    for start, m in s.mentions.items():
        if m.start <= last < m.end:
            return start
    return -1


def _lead_title(document: Document) -> tuple[str, str] | None:
    """An encyclopedia lead: "<Title> (…) is a 1994 American … film"."""
    if not document.sentences:
        return None
    s = document.sentences[0]
    toks = list(s.span)
    for i, tok in enumerate(toks[:40]):
        if tok.lower_ in ("is", "was") and i > 0 and i + 2 < len(toks):
            rest = [t.lower_ for t in toks[i + 1 : i + 25] if not t.is_space]
            year = next((t for t in rest[:6] if _YEAR.match(t)), "")
            if rest[0] not in ("a", "an") or not any(w in _FILM_WORDS for w in rest):
                continue  # "What Happened Was... is a 1994 film"
            head = toks[:i]
            cut = next((k for k, t in enumerate(head) if t.text == "("), len(head))
            title = s.doc[s.span.start : s.span.start + cut].text.strip(" ,")
            return (title, year) if title else None
    return None


def _type_mentions(document: Document) -> None:
    persons: dict[str, str] = {}
    for s in document.sentences:
        for m in s.mentions.values():
            words = m.text.split()
            if m.label == "NAME" and m.text in document.titles:
                m.label = "FILM"
            elif m.label == "NAME" and any(w.lower() in _ORG_WORDS for w in words):
                m.label = "ORG"
            if m.label in ("PERSON", "NAME") and len(words) >= 2:
                persons.setdefault(words[-1].rstrip(".,"), m.name)
    surnames = {last: full for last, full in persons.items() if last not in document.titles}
    document.surnames = surnames
    for s in document.sentences:
        for m in s.mentions.values():
            if m.label == "NAME" and " " not in m.text and m.text in surnames:
                m.label, m.name = "PERSON", surnames[m.text]
            elif m.label == "NAME" and len(m.text.split()) >= 2:
                m.label = "NAME"


def parse_date(words: list[str]) -> tuple[str, int] | None:
    """A full date at the start of ``words``: "November 15, 2024" or "15 November 2024".

    Returns the ISO date and how many words it took.

    >>> parse_date(["15", "Nov.", "2024"]), parse_date(["November", "2024"])
    (('2024-11-15', 3), None)
    """
    w = [x.lower().rstrip(".") for x in words[:4]]
    if len(w) >= 3 and w[0] in _MONTHS and w[1].isdigit():
        comma = 1 if len(w) >= 4 and w[2] == "," else 0
        year = w[2 + comma] if len(w) > 2 + comma else ""
        if _YEAR.match(year):
            return _iso(int(year), _MONTHS[w[0]], int(w[1]), 3 + comma)
    if len(w) >= 3 and w[0].isdigit() and w[1] in _MONTHS and _YEAR.match(w[2]):
        return _iso(int(w[2]), _MONTHS[w[1]], int(w[0]), 3)
    return None


def _iso(year: int, month: int, day: int, used: int) -> tuple[str, int] | None:
    try:
        return datetime.date(year, month, day).isoformat(), used
    except ValueError:
        return None


def is_year(word: str) -> bool:
    """A four-digit year from 1800 to 2099.

    >>> is_year("1994"), is_year("12")
    (True, False)
    """
    return bool(_YEAR.match(word))
