"""The one query builder: SPARQL text assembled only from safe parts.

Code that must generate SPARQL (the compiled SHACL checks above all) builds it here, and
only from:

* **templates** — fixed SPARQL read from ``.rq`` files shipped in the package
  (:func:`templates`), with ``${name}`` slots;
* **terms** — RDF terms written by the strict serialiser :func:`filmkg.sparql.terms.to_sparql`
  (:func:`term`): an IRI it cannot write safely, or a blank node, is refused, never escaped
  by hand;
* **variables** (:func:`var`, checked names), **integers** (:func:`integer`);
* **separators** from a fixed set (:func:`join`);
* **verbatim** text (:func:`verbatim`) only for SPARQL a user wrote *as* SPARQL (a
  SHACL-SPARQL ``sh:select``), which is run as a query anyway.

A :class:`Sparql` cannot be made from a plain string any other way, and a template slot
accepts nothing but a :class:`Sparql`; so a value (a label, an IRI from a data file) can
only ever become one term of the query, by construction.

>>> from rdflib import Literal, URIRef
>>> check = Template("t", "ASK { ${s} ${p} ${o} }")
>>> print(check(s=var("this"), p=term(URIRef("https://e.org/p")), o=term(Literal('"} DROP ALL'))))
ASK { ?this <https://e.org/p> "\\"} DROP ALL" }
>>> check(s=var("this"), p=var("p"))
Traceback (most recent call last):
...
ValueError: template 't' needs ${o}
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Final, Literal, get_args

from rdflib import URIRef
from rdflib.term import Node

from filmkg.errors import ParameterError
from filmkg.sparql.terms import to_sparql

__all__ = [
    "Separator",
    "Sparql",
    "Template",
    "integer",
    "join",
    "prefix_name",
    "prologue",
    "query",
    "template",
    "templates",
    "term",
    "var",
    "verbatim",
]

_KEY: Final = object()
_SLOT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PREFIX_NAME = re.compile(r"(?:[A-Za-z](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?")
#: ``#-- name`` starts a named template in a file of several.
_SECTION = re.compile(r"^#--[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*$", re.M)

#: The texts :func:`join` may put between parts (operators, white space, nothing).
Separator = Literal["", " ", "\n", " && ", " || ", " + ", " UNION ", ", "]
_SEPARATORS: Final = frozenset(get_args(Separator))


@typing.final
class Sparql:
    """A piece of SPARQL text made by this module (never from an arbitrary string).

    >>> str(var("x") + Sparql.EMPTY + integer(3))
    '?x3'
    >>> Sparql("?x")
    Traceback (most recent call last):
    ...
    TypeError: Sparql text is made by filmkg.sparql.builder, not from a string
    """

    __slots__ = ("_text",)
    EMPTY: Sparql

    def __init__(self, text: str, key: object = None) -> None:
        if key is not _KEY:
            raise TypeError("Sparql text is made by filmkg.sparql.builder, not from a string")
        self._text = text

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Sparql({self._text!r})"

    def __bool__(self) -> bool:
        return bool(self._text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sparql) and other._text == self._text

    def __hash__(self) -> int:
        return hash(self._text)

    def __add__(self, other: Sparql) -> Sparql:
        if not isinstance(other, Sparql):
            return NotImplemented
        return Sparql(self._text + other._text, _KEY)


Sparql.EMPTY = Sparql("", _KEY)


def term(node: Node) -> Sparql:
    """One RDF term, written by the strict serialiser (ParameterError if it cannot be).

    >>> from rdflib import Literal
    >>> print(term(Literal("a\\nb", lang="en")))
    "a\\nb"@en
    """
    return Sparql(to_sparql(node), _KEY)


def var(name: str) -> Sparql:
    """The variable ``?name`` (ASCII SPARQL variable names only).

    >>> var("this"), var("a b")
    Traceback (most recent call last):
    ...
    ValueError: invalid SPARQL variable name 'a b'
    """
    if not _VARNAME.fullmatch(name):
        raise ValueError(f"invalid SPARQL variable name {name!r}")
    return Sparql(f"?{name}", _KEY)


def integer(n: int) -> Sparql:
    """A decimal integer (not a bool).

    >>> print(integer(-2))
    -2
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"not an integer: {n!r}")
    return Sparql(str(int(n)), _KEY)


def prefix_name(name: str) -> Sparql:
    """A prefix name as ``PREFIX`` declares it (PN_PREFIX, ASCII; empty for ``:``).

    >>> print(prefix_name("filmkg"))
    filmkg
    >>> prefix_name("a b")
    Traceback (most recent call last):
    ...
    filmkg.errors.ParameterError: invalid SPARQL prefix name 'a b'; ...
    """
    if not _PREFIX_NAME.fullmatch(name):
        raise ParameterError(
            f"invalid SPARQL prefix name {name!r}", hint="use letters, digits, _ - ."
        )
    return Sparql(name, _KEY)


def prologue(prefixes: Iterable[tuple[str, str]]) -> Sparql:
    """``PREFIX name: <namespace>`` lines (each ending in a line break), names and IRIs
    checked (ParameterError).

    >>> print(prologue([("ex", "https://e.org/")]), end="")
    PREFIX ex: <https://e.org/>
    >>> prologue([("ex", "https://e.org/> } <x")])
    Traceback (most recent call last):
    ...
    filmkg.errors.ParameterError: IRI 'https://e.org/> } <x' contains '>', ...
    """
    lines = [
        f"PREFIX {prefix_name(name)}: {term(URIRef(namespace))}\n" for name, namespace in prefixes
    ]
    return Sparql("".join(lines), _KEY)


def join(parts: Iterable[Sparql], separator: Separator) -> Sparql:
    """The parts with ``separator`` between them (one of :data:`Separator`).

    >>> print(join([var("a"), var("b")], " || "))
    ?a || ?b
    """
    if separator not in _SEPARATORS:
        raise ValueError(f"not a SPARQL separator: {separator!r}")
    items = list(parts)
    for part in items:
        if not isinstance(part, Sparql):
            raise TypeError(f"not Sparql text: {part!r}")
    return Sparql(separator.join(part._text for part in items), _KEY)


def verbatim(text: str) -> Sparql:
    """SPARQL that a user wrote as SPARQL (a SHACL-SPARQL ``sh:select``), as it stands.

    Only for text that is a query (or a part of one) by its author's intent and is run as
    such anyway; never for a value.
    """
    return Sparql(text, _KEY)


class Template:
    """Fixed SPARQL with ``${name}`` slots, each filled with :class:`Sparql` only.

    >>> t = Template("one", "SELECT ${v} WHERE { ${v} ?p ?o }")
    >>> print(t(v=var("s")))
    SELECT ?s WHERE { ?s ?p ?o }
    >>> t(v="?s } ; DROP ALL")
    Traceback (most recent call last):
    ...
    TypeError: template 'one': ${v} must be Sparql text, not 'str'
    """

    __slots__ = ("_pieces", "name", "slots", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.slots = frozenset(_SLOT.findall(text))
        self._pieces = _SLOT.split(text)  # fixed text, slot name, fixed text, …

    def __call__(self, **parts: Sparql) -> Sparql:
        if parts.keys() != self.slots:
            for key in sorted(self.slots - parts.keys()):
                raise ValueError(f"template {self.name!r} needs ${{{key}}}")
            for key in sorted(parts.keys() - self.slots):
                raise ValueError(f"template {self.name!r} has no ${{{key}}}")
        for key, part in parts.items():
            if type(part) is not Sparql:
                raise TypeError(
                    f"template {self.name!r}: ${{{key}}} must be Sparql text, "
                    f"not {type(part).__name__!r}"
                )
        # the text is cut at its slots once: text put in a slot is never read again
        pieces = self._pieces
        if len(pieces) == 1:
            return Sparql(pieces[0], _KEY)
        filled = [parts[piece]._text if i % 2 else piece for i, piece in enumerate(pieces)]
        return Sparql("".join(filled), _KEY)

    def __repr__(self) -> str:
        return f"Template({self.name!r})"


@functools.cache
def templates(package: str, resource: str) -> Mapping[str, Template]:
    """The named templates of one ``.rq`` file shipped in ``package``.

    Each template starts at a line ``#-- name`` and runs to the next one; lines before the
    first are the file's header. Blank lines and comment lines are not part of a template
    (so one never comments out the text that follows it where it is put).

    >>> sorted(templates("filmkg.validation", "compiled.rq"))[:2]
    ['all', 'bound']
    """
    text = (resources.files(package) / resource).read_text(encoding="utf-8")
    found: dict[str, Template] = {}
    marks = list(_SECTION.finditer(text))
    for k, mark in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        name = mark.group(1)
        if name in found:
            raise ValueError(f"{package}/{resource}: template {name!r} twice")
        lines = [
            line
            for line in text[mark.end() : end].splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        found[name] = Template(name, "\n".join(lines))
    if not found:
        raise ValueError(f"{package}/{resource} holds no '#-- name' template")
    return found


@functools.cache
def template(package: str, resource: str) -> Template:
    """The whole ``.rq`` file shipped in ``package`` as one template.

    >>> print(template("filmkg.build", "graph_sizes.rq").name)
    graph_sizes.rq
    """
    text = (resources.files(package) / resource).read_text(encoding="utf-8")
    return Template(resource, text)


def query(package: str, resource: str) -> str:
    """The text of a fixed query file shipped in ``package`` (one without slots).

    >>> query("filmkg.build", "graph_sizes.rq").splitlines()[-1]
    'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
    """
    fixed = template(package, resource)
    if fixed.slots:
        raise ValueError(f"{package}/{resource} has slots: {sorted(fixed.slots)}")
    return fixed.text
