"""Credit rules: who directed, wrote, produced and starred in a film.

>>> from filmkg.extract.nlp import pipeline
>>> from filmkg.extract.context import read_text
>>> from filmkg.extract.rules import apply_rules
>>> nlp = pipeline()
>>> doc = read_text("Gump is a 1994 film written by Eric Roth and starring Tom Hanks.", nlp)
>>> sorted((c.fields["role"], c.fields["agent"].name) for c in apply_rules(doc, nlp)
...        if c.cls == "Credit")
[('cast-member', 'Tom Hanks'), ('screenwriter', 'Eric Roth')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from filmkg.extract.model import Candidate
from filmkg.extract.reading import (
    ROLE_NOUNS,
    Ctx,
    credit,
    credits,
    film_of,
    person,
    read_back,
    read_list,
    subject,
)

__all__ = ["CREDIT_HANDLERS", "CREDIT_RULES"]

_BY_VERBS = {
    "directed": "director",
    "written": "screenwriter",
    "screenplay": "screenwriter",
    "scripted": "screenwriter",
    "penned": "screenwriter",
    "produced": "producer",
    "adapted": "screenwriter",
}
_BY_GLUE = [
    "and",
    ",",
    "co",
    "-",
    "executive",
    "also",
    "screenplay",
    "written",
    "for",
    "the",
    "screen",
    "directed",
    "produced",
    "scripted",
    "co-written",
    "co-directed",
]
_ROLE_NOUNS = ROLE_NOUNS
_GERUNDS = {
    "directing": "director",
    "screenwriting": "screenwriter",
    "writing": "screenwriter",
    "producing": "producer",
}
# -- credit rules -------------------------------------------------------------------------
_CAST_SKIP = {
    "an",
    "a",
    "the",
    "ensemble",
    "cast",
    "voice",
    "voices",
    "of",
    "including",
    "led",
    "by",
    "comedian",
    "comedians",
    "actor",
    "actress",
    "actors",
    "singer",
    "rapper",
    "newcomer",
    "newcomers",
    "musician",
    "wrestler",
    "model",
    "also",
    "stars",
    "star",
    "lead",
    "leading",
    "with",
    "features",
    "is",
    "are",
}

#: "a story by", "the novel written by": the author of a source work, not a credit
_WORK_NOUNS = {
    "story",
    "novel",
    "book",
    "play",
    "article",
    "comic",
    "poem",
    "memoir",
    "characters",
    "song",
    "novella",
}
_GLUE_WORDS = {
    ",",
    "and",
    "who",
    "are",
    "is",
    "also",
    "joined",
    "by",
    "with",
    "alongside",
    "opposite",
    "while",
}
_NOT_CAST = {"soundtrack", "score", "music", "album", "song", "songs", "video", "footage"}
_SUBJECT_VERBS = {
    "directed": "director",
    "wrote": "screenwriter",
    "co-wrote": "screenwriter",
    "scripted": "screenwriter",
    "penned": "screenwriter",
    "produced": "producer",
}

#: rule name → Matcher patterns of the words that state a credit
CREDIT_RULES: dict[str, list[list[dict[str, object]]]] = {
    "credit.subject-verb": [
        [
            {"LOWER": {"IN": list(_SUBJECT_VERBS)}},
            {"LOWER": {"IN": ["the", "this"]}},
            {"LOWER": {"IN": ["film", "movie", "screenplay", "script", "picture"]}},
        ]
    ],
    "credit.by": [
        [
            {"LOWER": {"IN": list(_BY_VERBS)}},
            {"LOWER": {"IN": _BY_GLUE}, "OP": "*"},
            {"LOWER": "by"},
        ]
    ],
    "credit.stars": [[{"LOWER": {"IN": ["stars", "starring", "featuring", "features"]}}]],
    "credit.star-in": [
        [
            {"LOWER": "who", "OP": "?"},
            {"LOWER": {"IN": ["star", "stars", "appear", "co-star"]}},
            {"LOWER": {"IN": ["in", "as", "alongside", "opposite", ".", ",", ";"]}},
        ]
    ],
    "credit.cast-include": [
        [
            {"LOWER": {"IN": ["cast", "co", "stars"]}},
            {"LOWER": {"IN": ["-", "members"]}, "OP": "?"},
            {"LOWER": "stars", "OP": "?"},
            {"LOWER": {"IN": ["include", "includes", "including"]}},
        ]
    ],
    "credit.role-noun": [[{"LOWER": {"IN": list(_ROLE_NOUNS)}}]],
    "credit.serves-as": [
        [{"LOWER": {"IN": ["serves", "served", "serving", "acts", "acted"]}}, {"LOWER": "as"}]
    ],
    "credit.role-include": [
        [
            {"LOWER": {"IN": list(_ROLE_NOUNS)}},
            {"TEXT": ",", "OP": "?"},
            {"LOWER": "they", "OP": "?"},
            {"LOWER": {"IN": ["include", "includes", "are", "were"]}},
        ]
    ],
    "credit.team-of": [
        [
            {"LOWER": {"IN": ["team", "one", "among"]}},
            {"LOWER": "of"},
            {"LOWER": "the", "OP": "?"},
            {"LOWER": {"IN": list(_ROLE_NOUNS)}},
        ]
    ],
    "credit.gerund": [[{"LOWER": {"IN": [*_GERUNDS, "and"]}, "OP": "+"}, {"TEXT": ","}]],
    "credit.screenplay-with": [
        [
            {
                "LOWER": {
                    "IN": [
                        "handling",
                        "handles",
                        "handled",
                        "writing",
                        "wrote",
                        "co-wrote",
                        "penned",
                        "penning",
                    ]
                }
            },
            {"LOWER": {"IN": ["the", "a"]}},
            {"LOWER": {"IN": ["screenplay", "script"]}},
        ]
    ],
    "credit.possessive": [[{"TEXT": {"IN": ["'s", "'", "’s", "’"]}}]],
}


def _credit_by(c: Ctx) -> Iterator[Candidate]:
    s = c.s
    words = [s.lower(k) for k in range(c.start, c.end)]
    before = c.start - 1
    while s.lower(before) in ("a", "the"):
        before -= 1
    if s.lower(before) in _WORK_NOUNS or s.lower(c.start) in _WORK_NOUNS:
        return
    i = c.end
    while s.lower(i) in (",", "and", "&", "also", "starring", "produced", "edited", "by"):
        words.append(s.lower(i))  # "written by and starring X", "written, directed by, and …"
        i += 1
    roles = sorted({_BY_VERBS[w] for w in words if w in _BY_VERBS})
    if "executive" in words and "producer" in roles:
        roles = [("executive-producer" if r == "producer" else r) for r in roles]
    names, _ = read_list(c, i, person)
    film = film_of(c)
    yield from credits(c, film, [m for m, _ in names], roles, "credit.by")


def _credit_stars(c: Ctx) -> Iterator[Candidate]:
    if any(c.s.lower(k) in _NOT_CAST for k in range(c.start - 3, c.start)):
        return  # "The soundtrack features …"
    names, i = read_list(c, c.end, person, _CAST_SKIP)
    s = c.s
    # "… with B and C in supporting roles", "… are joined by D", "… in the title role as
    # well as E", "… alongside F"
    while names and i < s.span.end:
        j = _next_cast(c, i)
        if j is None:
            break
        more, i = read_list(c, j, person)
        if not more:
            break
        names += more
    film = film_of(c)
    yield from credits(c, film, names, ["cast-member"], "credit.stars")


def _next_cast(c: Ctx, i: int) -> int | None:
    """Where more cast follows a cast list ending at token ``i``, if it does."""
    s = c.s
    words: list[str] = []
    for j in range(i, min(i + 8, s.span.end)):
        if j in s.mentions and j > i:
            joined = " ".join(words)
            glue = bool(words) and all(w in _GLUE_WORDS for w in words)
            more = "as well as" in joined or joined.endswith(("with", "alongside", "opposite"))
            if glue or more:
                return j
            return None
        if s.lower(j) in (".", ";"):
            return None
        words.append(s.lower(j))
    return None


def _credit_cast_include(c: Ctx) -> Iterator[Candidate]:
    """ "the supporting cast include(s) A, B", "co-stars include A", "a cast including A" """
    names, _ = read_list(c, c.end, person)
    film = film_of(c)
    yield from credits(c, film, names, ["cast-member"], "credit.cast-include")


def _credit_star_in(c: Ctx) -> Iterator[Candidate]:
    names = read_back(c, c.start, person)
    film = film_of(c)
    yield from credits(c, film, names, ["cast-member"], "credit.star-in")
    joined = next(
        (
            k
            for k in range(c.end, c.s.span.end - 1)
            if (c.s.lower(k), c.s.lower(k + 1)) == ("joined", "by")
            or c.s.lower(k) in ("alongside", "opposite")
        ),
        None,
    )
    if joined is not None:
        start = joined + (2 if c.s.lower(joined) == "joined" else 1)
        yield from credits(
            c, film, read_list(c, start, person)[0], ["cast-member"], "credit.star-in"
        )
    more, _ = read_list(c, c.end, person)
    if c.s.lower(c.end - 1) != "as":
        yield from credits(c, film, more, ["cast-member"], "credit.star-in")


def _role_at(c: Ctx, i: int) -> str:
    """The role a role noun at token ``i`` names ("executive producer" → executive-producer)."""
    role = _ROLE_NOUNS[c.s.lower(i)]
    if "executive" in (c.s.lower(i - 1), c.s.lower(i - 2)) and role == "producer":
        return "executive-producer"
    return role


def _names_after(c: Ctx, role: str, rule: str) -> Iterator[Candidate]:
    """ "producer Jack Rapke", "executive producers … include A, B and C" """
    names, _ = read_list(c, c.end, person)
    film = film_of(c)
    yield from credits(c, film, [m for m, _ in names], [role], rule)


def _credit_role_noun(c: Ctx) -> Iterator[Candidate]:
    yield from _names_after(c, _role_at(c, c.start), "credit.role-noun")


def _credit_serves_as(c: Ctx) -> Iterator[Candidate]:
    subj = subject(c)
    if subj is None:
        return
    i = c.end
    while c.s.lower(i) in ("the", "a", "an", "its", "both", "co"):
        i += 1
    roles = []
    while c.s.lower(i) in _ROLE_NOUNS or c.s.lower(i) in ("and", "-", "executive"):
        if c.s.lower(i) in _ROLE_NOUNS:
            roles.append(_role_at(c, i))
        i += 1
    film = film_of(c)
    yield from credits(c, film, [subj], roles, "credit.serves-as")


def _credit_role_include(c: Ctx) -> Iterator[Candidate]:
    yield from _names_after(c, _role_at(c, c.start), "credit.role-include")


def _credit_team_of(c: Ctx) -> Iterator[Candidate]:
    role = _role_at(c, c.end - 1)
    people = []
    subj = subject(c)
    if subj is not None:
        people.append(subj)
    j = next((k for k in range(c.end, c.s.span.end) if c.s.lower(k) in ("alongside", "with")), None)
    if j is not None:
        people += [m for m, _ in read_list(c, j + 1, person)[0]]
    film = film_of(c, c.end + 3)
    yield from credits(c, film, people, [role], "credit.team-of")


def _credit_gerund(c: Ctx) -> Iterator[Candidate]:
    words = [c.s.lower(k) for k in range(c.start, c.end)]
    roles = [_GERUNDS[w] for w in words if w in _GERUNDS]
    m = c.s.mentions.get(c.end)
    if not roles or not person(m) or m is None:
        return
    film = film_of(c)
    yield from credits(c, film, [m], roles, "credit.gerund")


def _credit_screenplay_with(c: Ctx) -> Iterator[Candidate]:
    people = []
    subj = subject(c)
    if subj is not None:
        people.append(subj)
    if c.s.lower(c.end) == "with":
        people += [m for m, _ in read_list(c, c.end + 1, person)[0]]
    film = film_of(c)
    yield from credits(c, film, people, ["screenwriter"], "credit.screenplay-with")


def _credit_subject_verb(c: Ctx) -> Iterator[Candidate]:
    """ "Harry Hook directed the film.", "X wrote the screenplay" """
    verb = c.s.lower(c.start)
    role = _SUBJECT_VERBS[verb]
    names = read_back(c, c.start, person)
    film = film_of(c)
    yield from credits(c, film, names, [role], "credit.subject-verb")


def _credit_possessive(c: Ctx) -> Iterator[Candidate]:
    owner = next((m for m in c.s.mentions.values() if m.end == c.start), None)
    title = c.s.mentions.get(c.end)
    if owner is None or not person(owner) or title is None or title.label != "FILM":
        return
    note = (
        f'"{owner.text}{c.s.doc[c.start].text} {title.text}" names {owner.name} as the '
        "film's director, as is usual in film writing."
    )
    cand = credit(c, title.name, owner, "director", "credit.possessive", note=note)
    if cand:
        cand.confidence = 0.7
        yield cand


CREDIT_HANDLERS: dict[str, Callable[[Ctx], Iterator[Candidate]]] = {
    "credit.cast-include": _credit_cast_include,
    "credit.subject-verb": _credit_subject_verb,
    "credit.by": _credit_by,
    "credit.stars": _credit_stars,
    "credit.star-in": _credit_star_in,
    "credit.role-noun": _credit_role_noun,
    "credit.serves-as": _credit_serves_as,
    "credit.role-include": _credit_role_include,
    "credit.team-of": _credit_team_of,
    "credit.gerund": _credit_gerund,
    "credit.screenplay-with": _credit_screenplay_with,
    "credit.possessive": _credit_possessive,
}
