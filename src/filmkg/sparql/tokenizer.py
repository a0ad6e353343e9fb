"""The one SPARQL tokenizer: strings, IRIs and comments told apart from the rest.

Everything in filmkg that reads SPARQL text it did not parse with a real parser (the
catalogue's headers and ``VALUES`` placement, the remote engine's prefix check, the
compiled shape checks) scans it here, so a ``#`` in an IRI or a ``{`` in a string never
fools one of them.
"""

from __future__ import annotations

import re

__all__ = ["TOKEN", "pattern_tokens", "scan", "strip_comments", "tokens"]

#: One token of SPARQL text; the group name is its kind.
TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                | '''(?:[^'\\]|\\.|'(?!''))*'''
                | "(?:[^"\\\n\r]|\\.)*"
                | '(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<word>[?$]?[A-Za-z0-9_:][A-Za-z0-9_:.\-]*)
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def scan(text: str) -> list[tuple[str, str, int]]:
    """``(kind, text, start)`` of every token: comment, string, iri, word, space or other.

    >>> scan('SELECT ?x { ?x <a#b> "#" } # c')[:3]
    [('word', 'SELECT', 0), ('space', ' ', 6), ('word', '?x', 7)]
    """
    return [(m.lastgroup or "other", m.group(), m.start()) for m in TOKEN.finditer(text)]


def tokens(text: str) -> list[str]:
    """The significant tokens (no comments, no white space).

    >>> tokens('ASK { ?s <http://e.org/#p> "a # b" } # not a token')
    ['ASK', '{', '?s', '<http://e.org/#p>', '"a # b"', '}']
    """
    return [tok for kind, tok, _ in scan(text) if kind not in ("comment", "space")]


def strip_comments(text: str) -> str:
    """The text without its comments (a ``#`` in a string or an IRI is kept).

    >>> strip_comments('ASK { ?s ?p "#1" } # done')
    'ASK { ?s ?p "#1" } '
    """
    return "".join(tok for kind, tok, _ in scan(text) if kind != "comment")


_VARIABLE = re.compile(r"[?$][A-Za-z_][A-Za-z0-9_]*")
_PREFIXED_NAME = re.compile(r"(?:[A-Za-z][\w-]*)?:(?:[\w-]|\.(?=[\w-]))*")
_LANG = re.compile(r"[A-Za-z0-9-]+")
_DATATYPE_NAME = re.compile(r"[A-Za-z][\w-]*:[\w-]*")


def pattern_tokens(text: str) -> list[str] | None:
    """The terms and ``. ; ,`` of a plain basic graph pattern; None for anything else.

    Terms are IRIs, prefixed names, variables, ``a`` and one-line double-quoted strings
    (with their ``@lang`` or ``^^datatype``); a comment, a blank node, a number, a
    keyword or a bracket makes it None (not a pattern this reads).

    >>> pattern_tokens('?c a filmkg:Credit; rdfs:label "x"@en, "1"^^xsd:int.')
    ['?c', 'a', 'filmkg:Credit', ';', 'rdfs:label', '"x"@en', ',', '"1"^^xsd:int', '.']
    >>> pattern_tokens("?c a [ a filmkg:Credit ]") is None
    True
    """
    found: list[str] = []
    items: list[tuple[str, str, int]] = []
    for kind, tok, start in scan(text):
        dots = len(tok) - len(tok.rstrip(".")) if kind == "word" else 0
        if dots and tok[:-dots]:  # a name never ends with ".": it ends the triple
            items.append((kind, tok[:-dots], start))
            items += [("other", ".", start + len(tok) - k) for k in range(dots, 0, -1)]
        elif kind != "space":
            items.append((kind, tok, start))
    i = 0
    while i < len(items):
        kind, tok, start = items[i]
        i += 1
        if kind == "iri" or tok in (".", ";", ","):
            found.append(tok)
        elif kind == "string" and tok[0] == '"' and not tok.startswith('"""'):
            suffix, i = _literal_suffix(items, i, start + len(tok))
            if suffix is None:
                return None
            found.append(tok + suffix)
        elif kind == "word" and (
            tok == "a" or _VARIABLE.fullmatch(tok) or _PREFIXED_NAME.fullmatch(tok)
        ):
            found.append(tok)
        else:
            return None
    return found


def _literal_suffix(items: list[tuple[str, str, int]], i: int, end: int) -> tuple[str | None, int]:
    """The ``@lang`` or ``^^datatype`` written right after a string ending at ``end``."""

    def at(k: int, position: int) -> tuple[str, str, int] | None:
        return items[k] if k < len(items) and items[k][2] == position else None

    first = at(i, end)
    if first is None or first[1] not in ("@", "^"):
        return "", i
    if first[1] == "@":
        lang = at(i + 1, end + 1)
        if lang is None or lang[0] != "word" or not _LANG.fullmatch(lang[1]):
            return None, i
        return "@" + lang[1], i + 2
    second, datatype = at(i + 1, end + 1), at(i + 2, end + 2)
    if second is None or second[1] != "^" or datatype is None:
        return None, i
    if datatype[0] == "iri" or (datatype[0] == "word" and _DATATYPE_NAME.fullmatch(datatype[1])):
        return "^^" + datatype[1], i + 3
    return None, i
