"""The one SPARQL tokenizer: strings, IRIs and comments told apart from the rest.

Everything in filmkg that reads SPARQL text it did not parse with a real parser (the
catalogue's headers and ``VALUES`` placement, the remote engine's prefix check, the
compiled shape checks) scans it here, so a ``#`` in an IRI or a ``{`` in a string never
fools one of them.
"""

from __future__ import annotations

import re

__all__ = ["TOKEN", "scan", "strip_comments", "tokens"]

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
