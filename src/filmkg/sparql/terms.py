"""The one strict serialiser of RDF terms into SPARQL text.

Everywhere an RDF term becomes SPARQL text (the ``VALUES`` blocks that bind named-query
parameters, queries sent to remote endpoints) it goes through :func:`to_sparql`, never
through rdflib's ``Literal.n3()`` (which is not a safe escaper: a value with a newline
that ends in ``\\"`` breaks out of its string).

The rules follow the SPARQL 1.1 grammar and survive both readings of its codepoint
escapes (§19.2: ``\\uXXXX`` may be expanded *before* parsing, as rdflib does, or only
inside tokens, as Oxigraph does):

* strings are written in double quotes; ``"`` ``\\`` and the line breaks use ECHAR
  (``\\"`` ``\\\\`` ``\\n`` ``\\r`` ``\\t`` ``\\b`` ``\\f``), never a ``\\u`` escape, which
  would become a raw quote or backslash after an early expansion;
* the other control characters (U+0000–U+001F, U+007F) use the eight-digit UCHAR
  ``\\U000000XX``, so hex digits that follow in the data can never be read as part of
  the escape;
* a ``u`` or ``U`` that follows a backslash of the data is itself written as a UCHAR,
  so the text never holds ``\\\\u…``, which an early expansion would misread;
* IRIs must be absolute, free of the characters IRIREF forbids (``<>"{}|^`\\`` and
  U+0000–U+0020) and valid RFC 3987 IRIs: others are rejected, not escaped; blank nodes
  cannot be bound (``VALUES`` does not allow them) and are rejected; language tags are
  checked.

>>> from rdflib import Literal, URIRef
>>> to_sparql(URIRef("https://w3id.org/filmkg/id/person/tom-hanks"))
'<https://w3id.org/filmkg/id/person/tom-hanks>'
>>> print(to_sparql(Literal('} ; DROP ALL "x"\\n')))
"} ; DROP ALL \\"x\\"\\n"
>>> to_sparql(Literal(30))
'"30"^^<http://www.w3.org/2001/XMLSchema#integer>'
>>> to_sparql(Literal("Here", lang="en"))
'"Here"@en'
>>> print(values_block({"person": URIRef("https://e.org/p"), "year": Literal(1994)}))
VALUES (?person ?year) { (<https://e.org/p> "1994"^^<http://www.w3.org/2001/XMLSchema#integer>) }
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from filmkg.errors import ParameterError

__all__ = ["check_iri", "escape_string", "to_sparql", "values_block"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: characters IRIREF forbids (SPARQL 1.1 grammar, production [139])
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
#: LANGTAG (production [145])
_LANGTAG = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*")
#: SPARQL VARNAME, restricted to ASCII (all our parameter names are)
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_ECHAR = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def _is_surrogate(ch: str) -> bool:
    return 0xD800 <= ord(ch) <= 0xDFFF


def escape_string(value: str) -> str:
    r"""The body of a SPARQL string literal (without the quotes) for ``value``.

    >>> print(escape_string('say "hi"\\u0041 \x07'))
    say \"hi\"\\\U000000750041 \U00000007
    """
    out: list[str] = []
    previous_was_backslash = False
    for ch in value:
        if _is_surrogate(ch):
            raise ParameterError(
                f"a lone surrogate (U+{ord(ch):04X}) is not a Unicode character",
                hint="pass valid Unicode text",
            )
        if previous_was_backslash and ch in "uU":
            out.append(f"\\U{ord(ch):08X}")
        elif ch in _ECHAR:
            out.append(_ECHAR[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\U{ord(ch):08X}")
        else:
            out.append(ch)
        previous_was_backslash = ch == "\\"
    return "".join(out)


def check_iri(iri: str) -> str:
    """Return ``iri`` if it can be written as a SPARQL IRIREF, else raise ParameterError.

    >>> check_iri("https://e.org/a b")
    Traceback (most recent call last):
    ...
    filmkg.errors.ParameterError: IRI 'https://e.org/a b' contains ' ', which IRIs may not hold; ...
    """
    bad = _IRI_FORBIDDEN.search(iri)
    if bad:
        raise ParameterError(
            f"IRI {iri!r} contains {bad.group()!r}, which IRIs may not hold",
            hint="percent-encode it",
        )
    if any(_is_surrogate(ch) for ch in iri):
        raise ParameterError(f"IRI {iri!r} contains a lone surrogate")
    if not _IRI_SCHEME.match(iri):
        raise ParameterError(
            f"IRI {iri!r} is not absolute", hint="give the full IRI with its scheme (https:…)"
        )
    try:  # RFC 3987, as pyoxigraph checks it (rdflib does not)
        ox.NamedNode(iri)
    except ValueError as exc:
        raise ParameterError(f"{iri!r} is not a valid IRI: {exc}") from None
    return iri


def to_sparql(term: Node) -> str:
    """SPARQL text for one RDF term: an IRIREF or a quoted literal.

    >>> to_sparql(Literal("1994", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")))
    '"1994"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    >>> to_sparql(BNode("b0"))
    Traceback (most recent call last):
    ...
    filmkg.errors.ParameterError: a blank node cannot be bound in SPARQL text; use an IRI
    """
    if isinstance(term, URIRef):
        return f"<{check_iri(str(term))}>"
    if isinstance(term, Literal):
        body = f'"{escape_string(str(term))}"'
        if term.language:
            if not _LANGTAG.fullmatch(term.language):
                raise ParameterError(f"invalid language tag {term.language!r}")
            return f"{body}@{term.language}"
        datatype = str(term.datatype) if term.datatype is not None else _XSD_STRING
        if datatype in (_XSD_STRING, _RDF_LANGSTRING):
            return body
        return f"{body}^^<{check_iri(datatype)}>"
    if isinstance(term, BNode):
        raise ParameterError("a blank node cannot be bound in SPARQL text", hint="use an IRI")
    raise ParameterError(f"cannot write {term!r} as a SPARQL term")


def values_block(bindings: Mapping[str, Node | None]) -> str:
    """A one-row ``VALUES`` block binding each variable to its term (``None`` → UNDEF).

    >>> values_block({})
    ''
    >>> values_block({"x": None})
    'VALUES (?x) { (UNDEF) }'
    """
    if not bindings:
        return ""
    names = []
    for name in bindings:
        if not _VARNAME.fullmatch(name):
            raise ParameterError(f"invalid variable name {name!r}")
        names.append(f"?{name}")
    cells = [("UNDEF" if term is None else to_sparql(term)) for term in bindings.values()]
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(cells)}) }}"
