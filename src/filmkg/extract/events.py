"""Rules for adaptations, releases, rights and distribution, partnerships and reunions.

>>> from filmkg.extract.nlp import pipeline
>>> from filmkg.extract.context import read_text
>>> from filmkg.extract.rules import apply_rules
>>> nlp = pipeline()
>>> text = "Gump is a 1994 film. It is based on the 1986 novel of the same name by Winston Groom."
>>> [(c.cls, c.fields.get("kind")) for c in apply_rules(read_text(text, nlp), nlp)]
[('Release', None), ('Adaptation', 'novel'), ('Credit', None)]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from filmkg.extract.context import Mention, Sentence, is_year, parse_date
from filmkg.extract.model import Candidate, FieldValue, Quote
from filmkg.extract.reading import ROLE_NOUNS, Ctx, film_of, person, read_back, read_list, ref

__all__ = ["EVENT_HANDLERS", "EVENT_RULES"]

_WORK_KINDS = [
    "graphic novel",
    "novel",
    "novella",
    "book",
    "play",
    "stage play",
    "musical",
    "short story",
    "story",
    "comic book",
    "comic",
    "comics",
    "comic strip",
    "memoir",
    "article",
    "series",
    "television series",
    "tv series",
    "film",
    "video game",
    "fairy tale",
    "poem",
    "manga",
    "children's book",
    "picture book",
    "novel series",
    "opera",
    "song",
    "ballet",
    "essay",
    "biography",
    "autobiography",
    "novels",
    "books",
    "stories",
    "short stories",
    "plays",
    "manga series",
    "comic book series",
    "book series",
    "comic book characters",
]
_SKIP_BEFORE_KIND = {"the", "a", "an", "its", "-", "–", "/", "own"}
_YEARS = re.compile(r"^(1[89]|20)\d\d(s|[–-](1[89]|20)\d\d)$")  # "1930s", "1978–1982"
_NOT_WORKS = {"true", "real", "life", "events", "actual", "experiences", "incident", "incidents"}
_SUPERSEDE = {"originally", "initially", "previously", "formerly"}
_KINDS = {
    "wide": "wide",
    "limited": "limited",
    "exclusive": "exclusive",
    "theatrical": "theatrical",
    "streaming": "streaming",
}
_RELEASE_WORDS = {
    "release",
    "released",
    "releasing",
    "run",
    "wide",
    "opening",
    "opens",
    "premiere",
    "debut",
    "bow",
    "scheduled",
    "slated",
    "set",
}
_FUTURE = {"will", "set", "scheduled", "slated", "upcoming", "planned", "expected"}
_ROLE_NAMES = {**ROLE_NOUNS, "filmmaker": "director"}
_NUMBERS = {
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "twenty-five": 25,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "eleven": 11,
    "twelve": 12,
}


EVENT_RULES: dict[str, list[list[dict[str, object]]]] = {
    "adaptation.based-on": [
        [{"LOWER": {"IN": ["based", "adapted"]}}, {"LOWER": {"IN": ["on", "from"]}}],
        [{"LOWER": "adaptation"}, {"LOWER": "of"}],
        [{"LOWER": "inspired"}, {"LOWER": "by"}],
        [{"LOWER": "from"}, {"LOWER": {"IN": ["his", "her", "their"]}}, {"LOWER": "own"}],
    ],
    "release.date": [
        [{"LOWER": {"IN": ["on"]}}, {"IS_ALPHA": True}, {"IS_DIGIT": True}],
        [{"LOWER": {"IN": ["on"]}}, {"IS_DIGIT": True}, {"IS_ALPHA": True}],
        [{"LOWER": "on"}, {"LOWER": "the"}, {"LOWER": "same"}, {"LOWER": "date"}],
    ],
    "release.of": [[{"LOWER": "release"}, {"LOWER": "of"}]],
    "release.lead-year": [[{"LOWER": {"IN": ["is", "was"]}}, {"LOWER": {"IN": ["a", "an"]}}]],
    "rights.holds": [
        [
            {"LOWER": {"IN": ["holds", "hold", "has", "acquired", "secured", "owns"]}},
            {"IS_ALPHA": True, "OP": "{0,3}"},
            {"LOWER": "rights"},
        ]
    ],
    "rights.will-release": [
        [
            {"LOWER": "will"},
            {"LOWER": {"IN": ["theatrically", "domestically"]}, "OP": "?"},
            {"LOWER": {"IN": ["release", "distribute"]}},
        ]
    ],
    "rights.distributed-by": [[{"LOWER": "distributed"}, {"LOWER": "by"}]],
    "partnership.between": [[{"LOWER": "partnership"}, {"LOWER": {"IN": ["between"]}}]],
    "reunion.reunites": [[{"LOWER": {"IN": ["reunites", "reunited", "reuniting"]}}]],
}


def _org(m: Mention) -> bool:
    return m.label in ("ORG", "NAME")


def _place(m: Mention) -> bool:
    return m.label in ("PLACE", "NAME", "ORG")


def _cand(
    c: Ctx, cls: str, fields: dict[str, FieldValue], rule: str, note: str | None = None
) -> Candidate:
    cand = Candidate(cls, fields, note=note)
    cand.add_evidence(c.quote, rule)
    return cand


# -- adaptations ----------------------------------------------------------------------------
def _kind_at(s: Sentence, i: int) -> str | None:
    for kind in sorted(_WORK_KINDS, key=lambda k: -len(k.split())):
        words = kind.split()
        if [s.lower(i + k) for k in range(len(words))] == words:
            return kind
    return None


def _read_title(s: Sentence, i: int) -> tuple[str, int] | None:
    """A title at token ``i``: quoted, or capitalised words (with "of", "the" … inside)."""
    doc = s.doc
    if s.lower(i) in ('"', "“", "'", "‘"):
        close = next(
            (
                k
                for k in range(i + 1, min(i + 15, s.span.end))
                if s.lower(k) in ('"', "”", "'", "’")
            ),
            None,
        )
        if close is not None and close > i + 1:
            return doc[i + 1 : close].text, close + 1
        return None
    j = i
    glue = ("of", "the", "a", "an", "and", "in", "to", "for", ":", "-")
    while j < s.span.end:
        tok = doc[j]
        if tok.text[:1].isupper() or tok.is_digit:
            j += 1
            continue
        k = j
        while k < s.span.end and doc[k].lower_ in glue:
            k += 1  # "Secret of the Ron Mor Skerry"
        if k == j or k >= s.span.end or not doc[k].text[:1].isupper():
            break
        j = k
    return (doc[i:j].text, j) if j > i else None


@dataclass
class _Source:
    """What "based on …" says of the source work, read up to its kind."""

    kind: str
    authors: list[Mention]
    end: int
    eponymous: bool
    named: str | None  # a name before the kind: "the Star Trek television series"


def _based_on(c: Ctx) -> Iterator[Candidate]:
    found = _read_source(c)
    if found is not None:
        yield from _adaptation(c, found)


def _read_source(c: Ctx) -> _Source | None:
    s, i = c.s, c.end
    before = [p for p in s.mentions.values() if p.end <= c.start and person(p)]
    authors: list[Mention] = []
    if s.lower(c.end - 1) == "own" and before:  # "adapted by X from his own play"
        authors = [before[-1]]
    eponymous, named = False, None
    for _ in range(12):
        w, m = s.lower(i), s.mentions.get(i)
        if w in ("his", "her", "their") and not authors and before:
            authors, i = [before[-1]], i + 1  # "based on his 1988 stage play"
        elif w in _SKIP_BEFORE_KIND or is_year(w) or _YEARS.match(w):
            i += 1
        elif m is not None and person(m):
            authors, i = [m], m.end + (s.lower(m.end) in ("'s", "'", "’s", "’"))
        elif (kind := _kind_at(s, i)) is not None:
            return _Source(kind, authors, i + len(kind.split()), eponymous, named)
        elif m is not None:
            named, i = m.text, m.end  # "Blatty's Exorcist novel", "the Star Trek series"
        elif (w in _NOT_WORKS and (w, s.lower(i + 1)) != ("true", "crime")) or (
            not s.doc[i].is_alpha
        ):
            return None
        else:
            eponymous = eponymous or w in ("eponymous", "homonymous")
            i += 1
    return None


def _adaptation(c: Ctx, src: _Source) -> Iterator[Candidate]:
    s, kind, authors, i = c.s, src.kind, list(src.authors), src.end
    film = film_of(c)
    if film is None:
        return
    while s.lower(i) in ("character", "characters"):
        i += 1
    same = [s.lower(i + k) for k in range(4)]
    shares = src.eponymous or same in (
        ["of", "the", "same", "name"],
        ["of", "the", "same", "title"],
    )
    title: str | None = film if shares else None
    if shares and not src.eponymous:
        i += 4
    elif person(s.mentions.get(i)) and s.lower(s.mentions[i].end) == "wrote":
        authors = [s.mentions[i]]  # "a short story Raimi wrote"
    elif (found := _read_title(s, i)) is not None and s.doc[i].lower_ != "by":
        title, i = found
    while s.lower(i) in ("(", ")", ",", "written", "created") or is_year(s.lower(i)):
        i += 1  # "Legion (1983)", "Secret of the Ron Mor Skerry, by …", "created by"
    if not authors and s.lower(i) == "by":
        names, i = read_list(c, i + 1, person)
        authors = [m for m, _ in names]
    if [s.lower(i + k) for k in range(4)] == ["of", "the", "same", "name"]:
        title = film  # "based on the novels by Evan S. Connell of the same name"
    title = title or src.named
    note = None
    if title is None and (not authors or kind == "story"):
        return  # nothing to call the work; "based on a story by X" is a story credit
    if title is None:
        title = f"{kind} by {authors[0].name}"
        note = f"The text names no title: the work is called by its kind and author ({title})."
    yield from _adapted(c, film, title, kind, shares, authors, note)


def _adapted(
    c: Ctx, film: str, title: str, kind: str, shares: bool, authors: list[Mention], note: str | None
) -> Iterator[Candidate]:
    cls = "GraphicNovel" if kind == "graphic novel" else "CreativeWork"
    work = ref(title, cls)
    fields: dict[str, FieldValue] = {
        "work": ref(film, "Film"),
        "source_work": work,
        "kind": kind,
        "shares_title": shares,
    }
    yield _cand(c, "Adaptation", fields, "adaptation.based-on", note)
    for author in authors:
        credit: dict[str, FieldValue] = {
            "work": ref(title, cls),
            "agent": ref(author.name, "Person"),
            "role": "author",
        }
        yield _cand(c, "Credit", credit, "adaptation.author")


# -- releases ---------------------------------------------------------------------------
def _prior_dates(s: Sentence, before: int) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every full date in the sentence before token ``before``."""
    out: list[tuple[int, int, str]] = []
    for k in range(s.span.start, before):
        found = parse_date(s.words(k, k + 4))
        if found is not None and (not out or k >= out[-1][1]):
            out.append((k, k + found[1], found[0]))
    return out


def _release_date(c: Ctx) -> Iterator[Candidate]:
    s = c.s
    dates = _prior_dates(s, c.start)
    if s.lower(c.start + 1) == "the":
        if not dates:
            return
        date, end = dates[-1][2], c.end
    else:
        found = parse_date(s.words(c.start + 1, c.start + 5))
        if found is None:
            return
        date, end = found[0], c.start + 1 + found[1]
    window_start = max(dates[-1][1] if dates else s.span.start, c.start - 12, s.span.start)
    window = range(window_start, c.start)
    if not any(s.lower(k) in _RELEASE_WORDS for k in window):
        return
    kinds = [_KINDS[s.lower(k)] for k in window if s.lower(k) in _KINDS]
    kind = kinds[-1] if kinds and kinds[-1] != "theatrical" else None
    places = [
        m
        for k, m in s.mentions.items()
        if k in window
        and m.label in ("PLACE", "NAME")
        and kinds
        and k > min(j for j in window if s.lower(j) in _KINDS)
    ]
    yield _release(c, date, None, kind, places, window_start, end)


def _release(
    c: Ctx,
    date: str | None,
    year: str | None,
    kind: str | None,
    places: list[Mention],
    start: int,
    end: int,
) -> Candidate:
    s = c.s
    superseded = any(s.lower(k) in _SUPERSEDE for k in range(s.span.start, start + 1)) or any(
        s.lower(k) in _SUPERSEDE for k in range(start, end)
    )
    source_date = c.document.source_date
    when = date or year or ""
    if superseded:
        status = "superseded"
    elif source_date:
        status = "planned" if when > source_date[: len(when)] else "happened"
    else:
        future = any(s.lower(k) in _FUTURE for k in range(s.span.start, end))
        status = "planned" if future else "happened"
    film = film_of(c, start)
    fields: dict[str, FieldValue] = {
        "work": ref(film or "", "Film"),
        "date": date,
        "year": year,
        "kind": kind,
        "places": [ref(m.name, "Place") for m in places],
        "status": status,
    }
    if (
        status == "planned"
        and source_date
        and any(s.lower(k) == "now" for k in range(s.span.start, end))
    ):
        fields["planned_since"] = source_date
    return _cand(c, "Release", fields, "release.date" if date else "release.year")


def _release_of(c: Ctx) -> Iterator[Candidate]:
    s = c.s
    m = s.mentions.get(c.end)
    if m is None or m.label != "FILM" or s.lower(m.end) != "in" or not is_year(s.lower(m.end + 1)):
        return
    cand = _release(c, None, s.lower(m.end + 1), None, [], c.end, m.end + 2)
    cand.fields["work"] = ref(m.name, "Film")
    yield cand


def _lead_year(c: Ctx) -> Iterator[Candidate]:
    doc = c.document
    if c.s is not doc.sentences[0] or doc.main_film is None:
        return
    year = doc.film_years.get(doc.main_film)
    words = [c.s.lower(k) for k in range(c.end, c.end + 6)]
    if year is None or year not in words or "unreleased" in words:
        return  # "X is a 1994 film", "X is an American 1992 drama film"; not "an unreleased"
    end = c.end + words.index(year) + 1
    cand = _release(c, None, year, None, [], c.start, end)
    cand.fields["work"] = ref(doc.main_film, "Film")
    yield cand


# -- rights and distribution -------------------------------------------------------------
def _rights_kind(words: list[str]) -> tuple[str, str | None] | None:
    if any(w in ("international", "worldwide", "foreign") for w in words):
        return "international-rights", "International"
    if "streaming" in words:
        return "streaming-distribution", None
    if "distribution" in words or "theatrical" in words:
        return "theatrical-distribution", None
    return None


def _territory(c: Ctx, i: int) -> str | None:
    s = c.s
    for k in range(i, min(i + 8, s.span.end)):
        if s.lower(k) == "in":
            j = k + 1 + (s.lower(k + 1) == "the")
            m = s.mentions.get(j)
            if m is not None and _place(m):
                return m.name
    return None


def _holders(c: Ctx, end: int) -> list[Mention]:
    """Companies named just before token ``end``, split at "/" and "and"."""
    s, out = c.s, []
    i = end
    while i > s.span.start:
        m = next((m for m in s.mentions.values() if m.end == i), None)
        if m is None or not _org(m):
            break
        out.append(m)
        i = m.start
        if s.lower(i - 1) not in ("/", "and", "&", ","):
            break
        i -= 1
    return out[::-1]


def _rights_holds(c: Ctx) -> Iterator[Candidate]:
    holders = _holders(c, c.start)
    kind = _rights_kind([c.s.lower(k) for k in range(c.start, c.end)])
    if not holders or kind is None:
        return
    film = film_of(c, c.end)
    territory = kind[1] or _territory(c, c.end)
    for h in holders:
        yield _grant(c, film, h, kind[0], territory, "rights.holds")


def _grant(
    c: Ctx, film: str | None, holder: Mention, rights: str, territory: str | None, rule: str
) -> Candidate:
    fields: dict[str, FieldValue] = {
        "work": ref(film or "", "Film"),
        "holder": ref(holder.name, "Organisation"),
        "rights": rights,
        "territory": ref(territory, "Place") if territory else None,
    }
    return _cand(c, "RightsGrant", fields, rule)


def _rights_release(c: Ctx) -> Iterator[Candidate]:
    holders = _holders(c, c.start)
    if not holders:
        return
    film = film_of(c, c.end)
    territory = _territory(c, c.end)
    for h in holders:
        yield _grant(c, film, h, "theatrical-distribution", territory, "rights.will-release")
    yield from _labels(c, holders)


def _labels(c: Ctx, holders: list[Mention]) -> Iterator[Candidate]:
    """ "Sony Pictures/TriStar Pictures": TriStar is the Sony label releasing the film."""
    for parent, label in itertools.pairwise(holders):
        if c.s.lower(parent.end) != "/":
            continue
        note = (
            f'"{parent.text}/{label.text}" names {label.name} as the {parent.name} label '
            "releasing the film."
        )
        fields: dict[str, FieldValue] = {
            "subject": ref(label.name, "Organisation"),
            "parent": ref(parent.name, "Organisation"),
            "kind": "label",
        }
        cand = _cand(c, "Affiliation", fields, "rights.label", note)
        cand.confidence = 0.7
        yield cand


def _distributed_by(c: Ctx) -> Iterator[Candidate]:
    m = c.s.mentions.get(c.end)
    if m is None or not _org(m):
        return
    film = film_of(c)
    territory = _territory(c, m.end)
    yield _grant(c, film, m, "theatrical-distribution", territory, "rights.distributed-by")


# -- partnerships and reunions ---------------------------------------------------------------
def _partnership(c: Ctx) -> Iterator[Candidate]:
    s = c.s
    first = s.mentions.get(c.end)
    if first is None or not _org(first):
        return
    k = next((k for k in range(first.end, s.span.end) if s.lower(k) == "and"), None)
    if k is None:
        return
    stop = next((j for j in range(k, s.span.end) if s.lower(j) in (".", ",", ";")), s.span.end)
    last = [m for j, m in s.mentions.items() if k < j < stop and _org(m)]
    if not last:
        return
    partners = [ref(first.name, "Organisation"), ref(last[-1].name, "Organisation")]
    yield _cand(c, "Partnership", {"partners": partners}, "partnership.between")


def _reunion(c: Ctx) -> Iterator[Candidate]:
    film = film_of(c)
    members = _reunited(c)
    earlier, gap = _earlier_work(c)
    if film is None or earlier is None or len(members) < 2:
        return
    fields: dict[str, FieldValue] = {
        "members": [ref(m.name, "Person") for m, _ in members],
        "earlier_work": ref(earlier[0], "Film"),
        "later_work": ref(film, "Film"),
        "gap_years": gap,
    }
    cand = _cand(c, "Reunion", fields, "reunion.reunites")
    cand.add_evidence(earlier[1], "reunion.since")
    yield cand
    for m, role in members:
        if role is None:
            continue
        note = (
            f"{m.name} is reunited with the others of {earlier[0]} as its {role}: "
            f"the text calls {m.name} the {role} of {film}, not of {earlier[0]}."
        )
        credit: dict[str, FieldValue] = {
            "work": ref(earlier[0], "Film"),
            "agent": ref(m.name, "Person"),
            "role": role,
        }
        read = _cand(c, "Credit", credit, "reunion.member-role", note)
        read.add_evidence(earlier[1], "reunion.member-role")
        read.confidence = 0.6
        yield read


def _reunited(c: Ctx) -> list[tuple[Mention, str | None]]:
    """Who "<film>, which reunites the filmmaker with screenwriter A as well as actors B
    and C" names, each with the role the sentence gives them."""
    s, out = c.s, []
    owner = next((m for m in s.mentions.values() if m.end <= c.start and person(m)), None)
    if owner is not None:
        noun = s.lower(c.end + 1) if s.lower(c.end) == "the" else ""
        out.append((owner, "director" if noun in ("filmmaker", "director") else None))
    with_at = next((k for k in range(c.end, s.span.end) if s.lower(k) == "with"), None)
    i, role = (with_at or c.end) + 1, None
    while i < s.span.end:
        m = s.mentions.get(i)
        if m is not None and person(m):
            names, i = read_list(c, i, person)
            out += [(n, role) for n, _ in names]
            role = None
            continue
        if s.lower(i) in (".", ";") or (m is not None and m.label == "FILM"):
            break
        role = _ROLE_NAMES.get(s.lower(i), role)
        i += 1
    return out


def _earlier_work(c: Ctx) -> tuple[tuple[str, Quote] | None, int | None]:
    """ "… the reunion … for the first time in thirty years since the release of <Film>"."""
    for s in c.document.sentences:
        if s.paragraph != c.s.paragraph:
            continue
        words = [t.lower_ for t in s.span]
        if "reunion" not in words and s is not c.s:
            continue
        since = [k for k in range(s.span.start, s.span.end) if s.lower(k) == "since"]
        for k in since:
            film = next((m for j, m in s.mentions.items() if j > k and m.label == "FILM"), None)
            if film is None:
                continue
            gap = next(
                (
                    _NUMBERS.get(w, int(w) if w.isdigit() else 0)
                    for j, w in enumerate(words)
                    if j + 1 < len(words) and words[j + 1] == "years"
                ),
                None,
            )
            quote = Ctx(c.document, s, k, k + 1).quote
            return (film.name, quote), gap or None
    return None, None


EVENT_HANDLERS: dict[str, Callable[[Ctx], Iterator[Candidate]]] = {
    "adaptation.based-on": _based_on,
    "release.date": _release_date,
    "release.of": _release_of,
    "release.lead-year": _lead_year,
    "rights.holds": _rights_holds,
    "rights.will-release": _rights_release,
    "rights.distributed-by": _distributed_by,
    "partnership.between": _partnership,
    "reunion.reunites": _reunion,
}
_ = read_back
