"""The catalogue of named SPARQL queries (``queries/*.rq``), and how to run them.

Each ``.rq`` file holds one SPARQL 1.1 query; its file stem is the public name. A comment
header in the spirit of grlc's decorators documents it::

    #+ summary: Credits of a film, by role
    #+ description: Longer text; the line may repeat.
    #+ param: film film required The film (IRI or title)
    #+ param: role iri optional Only this role (default: role:director)
    #+ example: film=Here

``param`` is ``NAME KIND required|optional DESCRIPTION``; KIND is one of :data:`KINDS`.
A description that ends in ``(default: VALUE)`` gives an optional parameter its default.
``example`` lines (``name=value`` pairs, shell-quoted) are the parameter sets the golden
answers in ``tests/golden/`` are recorded with.

Parameters are **bound, never pasted**: :func:`run` turns each value into an RDF term and
writes the terms with the strict serialiser (:mod:`filmkg.sparql.terms`) as ``VALUES``
rows: one row binding every parameter opens the query's outer ``WHERE`` group, and each
nested group (``OPTIONAL``, ``UNION`` branch, ``MINUS``, ``EXISTS``, a sub-select's
``WHERE``) that mentions a parameter opens with a row binding it. A parameter therefore
means the same term everywhere in the query, as if each ``?name`` were that term, sub-selects
included (so do not reuse a parameter's name for another variable); an optional parameter
left out stays an ordinary variable. This is plain SPARQL 1.1 with the same meaning on every
engine and endpoint, so both embedded engines use it: pyoxigraph's ``substitutions`` only
accept projected variables, and rdflib's ``initBindings`` are joined after the pattern is
evaluated (a ``FILTER`` on a parameter then sees it unbound).

Names are resolved to IRIs: ``person``, ``film``, ``work`` and ``organisation`` parameters
take an IRI (``<…>``, ``https://…`` or a prefixed name such as ``kg:person/tom-hanks``)
or a name, matched against ``rdfs:label``, ``skos:altLabel`` and ``skos:prefLabel``
(case and spacing ignored). A miss suggests close names; a name shared by several
entities (the film *Here* and the graphic novel *Here*) lists them.

>>> from filmkg.build.project import load_project
>>> kg = load_project()
>>> result = run(kg, "film_credits", {"film": "Here", "role": "role:director"})
>>> [row["person_label"] for row in result.as_dicts()]
['Robert Zemeckis']
>>> run(kg, "person_credits", {"person": "Tom Hank"})
Traceback (most recent call last):
...
filmkg.errors.UnknownEntityError: no person 'Tom Hank'; did you mean 'Tom Hanks'?
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import shlex
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from filmkg.engines.store import Engine, KnowledgeGraph
from filmkg.errors import (
    ParameterError,
    QuerySyntaxError,
    UnknownEntityError,
    UnknownQueryError,
)
from filmkg.network.analytics import run_streamed
from filmkg.rdf.namespaces import PREFIXES
from filmkg.resources import queries_dir
from filmkg.sparql import builder
from filmkg.sparql.results import QueryResult, Row, compact, sort_rows
from filmkg.sparql.terms import check_iri, values_block
from filmkg.sparql.tokenizer import scan, strip_comments, tokens

__all__ = [
    "ENTITY_KINDS",
    "KINDS",
    "Executor",
    "NamedQuery",
    "Param",
    "bind",
    "bound_query",
    "catalogue",
    "compact",
    "describe",
    "get",
    "parse_header",
    "parse_named_query",
    "resolve_entity",
    "resolve_params",
    "run",
    "select_sorting_in_python",
    "without_order_by",
]

#: entity kinds → the class their IRIs are instances of (``None``: any labelled entity)
ENTITY_KINDS: dict[str, str | None] = {
    "person": PREFIXES["filmkg"] + "Person",
    "role": PREFIXES["filmkg"] + "CreditRole",
    "concept": PREFIXES["skos"] + "Concept",
    "film": PREFIXES["filmkg"] + "Film",
    "work": PREFIXES["filmkg"] + "CreativeWork",
    "organisation": PREFIXES["filmkg"] + "Organisation",
    "iri": None,
}

#: every parameter kind a header may declare
KINDS: tuple[str, ...] = (*ENTITY_KINDS, "literal", "year", "integer", "date")

_HEADER = re.compile(r"#\+\s*(?P<key>[A-Za-z_-]+)\s*:\s?(?P<value>.*)$")
_DEFAULT = re.compile(r"\s*\(default:\s*(?P<value>[^)]*)\)\s*$")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER_KEYS = ("summary", "description", "param", "example")


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    kind: str
    required: bool
    description: str
    default: str | None = None

    def __str__(self) -> str:
        need = "required" if self.required else "optional"
        default = f" (default: {self.default})" if self.default is not None else ""
        return f"{self.name} ({self.kind}, {need}): {self.description}{default}"


@dataclass(frozen=True)
class NamedQuery:
    """A query of the catalogue: its name, header and text."""

    name: str
    text: str
    summary: str
    description: str = ""
    params: tuple[Param, ...] = ()
    examples: tuple[dict[str, str], ...] = ()
    path: Path | None = None
    #: index in ``text`` just after the ``{`` that opens the outer WHERE group
    where_index: int = field(default=-1, repr=False)

    def param(self, name: str) -> Param:
        """The declared parameter ``name`` (ParameterError with suggestions if none)."""
        for p in self.params:
            if p.name == name:
                return p
        names = [p.name for p in self.params]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean {close[0]!r}?" if close else None
        declared = ", ".join(names) if names else "none"
        raise ParameterError(
            f"query {self.name!r} has no parameter {name!r} (parameters: {declared})", hint=hint
        )

    @property
    def form(self) -> str:
        """The query form: SELECT, ASK, CONSTRUCT or DESCRIBE."""
        for token in tokens(self.text):
            upper = token.upper()
            if upper in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return upper
        return "SELECT"


# -- parsing ------------------------------------------------------------------------


def parse_header(text: str, *, source: str = "<query>") -> dict[str, list[str]]:
    """The ``#+ key: value`` lines of a query's leading comment block, grouped by key.

    >>> parse_header("#+ summary: Hello\\n#+ param: x iri optional X\\nSELECT ?x WHERE {}")
    {'summary': ['Hello'], 'param': ['x iri optional X']}
    """
    header: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if match is None:
            if stripped.startswith("#+"):
                raise QuerySyntaxError(
                    "malformed header line",
                    path=source,
                    line=number,
                    column=1,
                    hint="write '#+ key: value'",
                )
            continue
        key = match.group("key").lower()
        if key not in _HEADER_KEYS:
            raise QuerySyntaxError(
                f"unknown header key {key!r}",
                path=source,
                line=number,
                column=1,
                hint=f"use one of {', '.join(_HEADER_KEYS)}",
            )
        header.setdefault(key, []).append(match.group("value").strip())
    return header


def _parse_param(spec: str, source: str) -> Param:
    parts = spec.split(None, 3)
    if len(parts) < 3:
        raise QuerySyntaxError(
            f"parameter {spec!r} needs NAME KIND required|optional DESCRIPTION", path=source
        )
    name, kind, need = parts[0], parts[1].lower(), parts[2].lower()
    description = parts[3] if len(parts) > 3 else ""
    if not _PARAM_NAME.fullmatch(name):
        raise QuerySyntaxError(f"invalid parameter name {name!r}", path=source)
    if kind not in KINDS:
        raise QuerySyntaxError(
            f"parameter {name!r} has unknown kind {kind!r}",
            path=source,
            hint=f"use one of {', '.join(KINDS)}",
        )
    if need not in ("required", "optional"):
        raise QuerySyntaxError(
            f"parameter {name!r}: write 'required' or 'optional', not {need!r}", path=source
        )
    default = None
    match = _DEFAULT.search(description)
    if match:
        default = match.group("value").strip()
        description = description[: match.start()].rstrip()
    return Param(name, kind, need == "required", description, default)


def _parse_example(spec: str, source: str) -> dict[str, str]:
    example: dict[str, str] = {}
    try:
        words = shlex.split(spec)
    except ValueError as exc:
        raise QuerySyntaxError(f"example {spec!r}: {exc}", path=source) from None
    for word in words:
        name, sep, value = word.partition("=")
        if not sep:
            raise QuerySyntaxError(f"example {spec!r}: write name=value", path=source)
        example[name] = value
    return example


def parse_named_query(name: str, text: str, *, path: Path | None = None) -> NamedQuery:
    """Parse a named query's header and check it against the body.

    Every declared parameter must occur in the body as ``?name``; examples may only name
    declared parameters and must give every required one; the query needs an outer
    ``WHERE {`` for the parameter bindings.

    >>> q = parse_named_query("x", "#+ summary: X\\n#+ param: p iri required P\\n"
    ...                            "SELECT ?p WHERE { ?p ?q ?r } ORDER BY ?p")
    >>> [str(p) for p in q.params]
    ['p (iri, required): P']
    """
    source = str(path) if path is not None else f"{name}.rq"
    header = parse_header(text, source=source)
    summaries = header.get("summary", [])
    if len(summaries) != 1 or not summaries[0]:
        raise QuerySyntaxError("the header needs exactly one '#+ summary:' line", path=source)
    params = tuple(_parse_param(spec, source) for spec in header.get("param", []))
    seen: set[str] = set()
    body = strip_comments(text)
    body_variables = {token[1:] for token in tokens(body) if token[:1] in "?$"}
    for p in params:
        if p.name in seen:
            raise QuerySyntaxError(f"parameter {p.name!r} is declared twice", path=source)
        seen.add(p.name)
        if p.name not in body_variables:
            raise QuerySyntaxError(
                f"declared parameter {p.name!r} does not occur in the query as ?{p.name}",
                path=source,
            )
        if p.required and p.default is not None:
            raise QuerySyntaxError(
                f"required parameter {p.name!r} cannot have a default", path=source
            )
    examples = tuple(_parse_example(spec, source) for spec in header.get("example", []))
    for example in examples:
        for key in example:
            if key not in seen:
                raise QuerySyntaxError(f"example names undeclared parameter {key!r}", path=source)
        for p in params:
            if p.required and p.name not in example:
                raise QuerySyntaxError(
                    f"example {example} lacks required parameter {p.name!r}", path=source
                )
    where_index = _outer_where_index(text)
    if where_index < 0 or not any(g.outer for g in _groups(text)):
        raise QuerySyntaxError(
            "the query needs an explicit outer 'WHERE' group (parameters are bound there)",
            path=source,
        )
    return NamedQuery(
        name=name,
        text=text,
        summary=summaries[0],
        description=" ".join(header.get("description", [])),
        params=params,
        examples=examples,
        path=path,
        where_index=where_index,
    )


def catalogue(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query in ``directory`` (the project's ``queries/``), by name.

    >>> "film_credits" in catalogue()
    True
    """
    folder = directory if directory is not None else queries_dir()
    files = []
    for path in sorted(folder.glob("*.rq")):
        stat = path.stat()
        files.append((path, stat.st_mtime_ns, stat.st_size))
    return dict(_parsed(tuple(files)))  # parsed once per version of the files (≈ 50 ms)


@functools.lru_cache(maxsize=8)
def _parsed(files: tuple[tuple[Path, int, int], ...]) -> tuple[tuple[str, NamedQuery], ...]:
    return tuple(
        (path.stem, parse_named_query(path.stem, path.read_text(encoding="utf-8"), path=path))
        for path, _, _ in files
    )


#: A query name that can only mean one file of the folder (no separators, no dots).
_NAME = re.compile(r"\w+")


def get(name: str, directory: Path | None = None) -> NamedQuery:
    """The named query ``name``; UnknownQueryError with suggestions when there is none.

    >>> get("film_credit")
    Traceback (most recent call last):
    ...
    filmkg.errors.UnknownQueryError: no query 'film_credit'; did you mean 'film_credits'...
    """
    folder = directory if directory is not None else queries_dir()
    path = folder / f"{name}.rq"
    if _NAME.fullmatch(name) and path.is_file():  # that file only: all of them cost ≈ 50 ms
        stat = path.stat()
        return _parsed(((path, stat.st_mtime_ns, stat.st_size),))[0][1]
    queries = catalogue(directory)
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, queries, n=3, cutoff=0.5)
    hint = f"did you mean {_or(close)}?" if close else None
    available = ", ".join(queries) or "none"
    message = f"no query {name!r}"
    if hint:
        message = f"{message}; {hint}"
    raise UnknownQueryError(f"{message} (available: {available})")


def describe(query: str | NamedQuery) -> str:
    """A plain-text description of a query: summary, description, parameters, text.

    >>> print(describe("film_credits").splitlines()[0])
    film_credits: Credits of a film, by role
    """
    nq = get(query) if isinstance(query, str) else query
    lines = [f"{nq.name}: {nq.summary}"]
    if nq.description:
        lines += ["", nq.description]
    lines += ["", "Parameters:" if nq.params else "Parameters: none"]
    lines += [f"  {p}" for p in nq.params]
    if nq.examples:
        lines += ["", "Examples:"]
        lines += [
            f"  filmkg query {nq.name}"
            + "".join(f" --param {k}={shlex.quote(v)}" for k, v in ex.items())
            for ex in nq.examples
        ]
    body = "\n".join(
        line for line in nq.text.splitlines() if not line.lstrip().startswith("#+")
    ).strip()
    lines += ["", body]
    return "\n".join(lines)


# -- the SPARQL text ------------------------------------------------------------------


def _outer_where_index(text: str) -> int:
    """Index just after the ``{`` that follows the first ``WHERE`` keyword, or -1."""
    seen_where = False
    for kind, tok, start in scan(text):
        if kind in ("comment", "space"):
            continue
        if seen_where:
            return start + 1 if tok == "{" else -1
        if kind == "word" and tok.upper() == "WHERE":
            seen_where = True
    return -1


@dataclass(frozen=True)
class _Group:
    """A group graph pattern of the query: where a VALUES row may go, what it mentions."""

    insert_at: int  # index just after its "{"
    outer: bool  # the outer WHERE group
    variables: frozenset[str]


def _groups(text: str) -> list[_Group]:
    """The group patterns a VALUES row can open: the outer WHERE group and every group
    nested in it (OPTIONAL, UNION branches, MINUS, EXISTS, GRAPH, a sub-select's WHERE),
    but not a group that holds a sub-select, a VALUES data block or a CONSTRUCT template.
    """
    significant = [(kind, tok, start) for kind, tok, start in scan(text)]
    significant = [t for t in significant if t[0] not in ("comment", "space")]
    groups: list[_Group] = []
    stack: list[tuple[int, bool, bool, set[str]]] = []  # (insert_at, insertable, outer, vars)
    seen_where = False
    values_pending = False
    outer_done = False
    for i, (kind, tok, start) in enumerate(significant):
        upper = tok.upper() if kind == "word" else ""
        if upper == "WHERE":
            seen_where = True
        elif upper == "VALUES":
            values_pending = True
        elif kind == "word" and tok[0] in "?$":
            for entry in stack:
                entry[3].add(tok[1:])
        elif tok == "{":
            following = significant[i + 1][1].upper() if i + 1 < len(significant) else ""
            insertable = seen_where and not values_pending and following != "SELECT"
            outer = insertable and not outer_done
            outer_done = outer_done or outer
            stack.append((start + 1, insertable, outer, set()))
            values_pending = False
        elif tok == "}" and stack:
            insert_at, insertable, outer, variables = stack.pop()
            if stack:
                stack[-1][3].update(variables)
            if insertable:
                groups.append(_Group(insert_at, outer, frozenset(variables)))
    return sorted(groups, key=lambda g: g.insert_at)


def bound_query(query: NamedQuery, bindings: Mapping[str, Node | None]) -> str:
    """The query text with ``bindings`` bound by ``VALUES`` rows.

    A block per parameter (one variable, one row) opens the outer WHERE group, and blocks
    binding the parameters a nested group mentions open that group, so a parameter means the same
    everywhere in the query (as if each ``?name`` were the term), sub-selects included.
    The ``#+`` header lines are left empty (line numbers stay those of the file): some
    clients guess the query form from the text and are fooled by words in comments.

    >>> nq = parse_named_query("x", "#+ summary: X\\n#+ param: p iri required P\\n"
    ...                             "SELECT ?p WHERE { ?p ?q ?r } ORDER BY ?p")
    >>> bound_query(nq, {"p": URIRef("https://e.org/a")}).splitlines()
    ['', '', 'SELECT ?p WHERE { VALUES (?p) { (<https://e.org/a>) } ?p ?q ?r } ORDER BY ?p']
    """
    return _with_values(_without_header(query.text), bindings)


def _without_header(text: str) -> str:
    """``text`` with its ``#+`` header lines emptied (same length in lines)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        if stripped.startswith("#+"):
            lines[i] = ""
    return "\n".join(lines)


def _with_values(text: str, bindings: Mapping[str, Node | None]) -> str:
    if not bindings:
        return text
    groups = _groups(text)
    if not any(g.outer for g in groups):
        raise QuerySyntaxError("the query has no outer 'WHERE' group to bind parameters in")
    pieces: list[str] = []
    last = 0
    for group in groups:
        mentioned = {
            name: term for name, term in bindings.items() if group.outer or name in group.variables
        }
        if mentioned:
            # one single-variable block per parameter, not one row of several: the same
            # solutions, and Virtuoso 7.2 fails to compile a multi-variable row before an
            # OPTIONAL (SP031 "no SPART_VARR_FIXED"; docs/triple-store.md, engine matrix)
            blocks = " ".join(values_block({name: term}) for name, term in mentioned.items())
            pieces += [text[last : group.insert_at], " ", blocks]
            last = group.insert_at
    pieces.append(text[last:])
    return "".join(pieces)


# -- parameters -------------------------------------------------------------------------


class Executor(Protocol):
    """What runs SPARQL SELECT text: the one method of the engine protocol
    (:class:`filmkg.engines.protocol.SparqlEngine`) named queries need, so every engine
    is one (a :class:`KnowledgeGraph`, ``kg.using("rdflib")``, a remote endpoint), and so
    is any object with this ``select``."""

    def select(self, sparql: str) -> QueryResult:
        """Run a SELECT query and return its rows."""
        ...


Select = Callable[[str], QueryResult]


def _selector(source: Executor, engine: Engine | None) -> Select:
    if isinstance(source, KnowledgeGraph):
        chosen: Engine = engine or "oxigraph"
        if chosen == "oxigraph":
            return lambda text: select_sorting_in_python(source, text)
        return source.using(chosen).select
    return source.select


#: A trailing ``ORDER BY`` of plain variables (``?v``, ``ASC(?v)``, ``DESC(?v)``) and nothing
#: after it: the outer query's, since a sub-select's would be followed by a ``}``.
_TRAILING_ORDER_BY = re.compile(
    r"\bORDER\s+BY((?:\s*(?:(?:ASC|DESC)\s*\(\s*[?$]\w+\s*\)|[?$]\w+))+)\s*\Z",
    re.IGNORECASE,
)
_ORDER_KEY = re.compile(r"(?:(ASC|DESC)\s*\(\s*)?[?$](\w+)", re.IGNORECASE)


def without_order_by(text: str) -> str:
    """``text`` without its trailing ``ORDER BY`` of plain variables, if it has one.

    >>> without_order_by("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a DESC(?b)")
    'SELECT ?a WHERE { ?a ?b ?c } '
    >>> without_order_by("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 3")
    'SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 3'
    """
    match = _TRAILING_ORDER_BY.search(text)
    return text if match is None else text[: match.start()]


def select_sorting_in_python(kg: KnowledgeGraph, text: str) -> QueryResult:
    """Run a SELECT on Oxigraph, sorting the rows in Python when that gives the same order.

    Oxigraph sorts by comparing the terms' strings, which an on-disk store looks up for
    each comparison: ``ORDER BY`` over the 110k credits of a 1M-triple graph takes 15 s of a
    query's 20. When the query ends in an ``ORDER BY`` of plain projected variables (and no
    ``LIMIT`` / ``OFFSET``), it runs without it and the rows are sorted here in SPARQL's
    order: unbound, then IRIs by their text, then literals — only when the literals of a
    sort column are all plain strings, all strings in one language, or all ``xsd:integer``
    (compared by value). Anything else (blank nodes, dates, mixed literals) runs the query
    as written. Rows that tie keep the engine's order in both ways: unspecified.

    >>> from filmkg.build.project import load_project
    >>> kg = load_project()
    >>> text = "SELECT ?l WHERE { ?f a <https://w3id.org/filmkg/ontology#Film> ; "
    >>> text += "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY DESC(?l)"
    >>> rows = select_sorting_in_python(kg, text).rows
    >>> [str(row[0]) for row in rows][:2], rows == kg.select(text).rows
    (['Here', 'Forrest Gump'], True)
    """
    match = _TRAILING_ORDER_BY.search(text)
    if match is None:
        return kg.select(text)
    result = kg.select(text[: match.start()])
    rows = _sorted_rows(result, match)
    return kg.select(text) if rows is None else QueryResult(result.variables, rows)


def _sorted_rows(result: QueryResult, match: re.Match[str]) -> list[Row] | None:
    """The rows in the order of the ``ORDER BY`` keys ``match`` found, or None when a key is
    not projected or Python cannot sort a column as SPARQL does."""
    keys = [
        (name, (direction or "").upper() == "DESC")
        for direction, name in _ORDER_KEY.findall(match.group(1))
    ]
    if any(name not in result.variables for name, _ in keys):
        return None
    return sort_rows(result, keys)


def in_query_order(text: str, result: QueryResult) -> QueryResult:
    """``result`` sorted again by the trailing ``ORDER BY`` of ``text`` (plain projected
    variables), where Python sorts as SPARQL does; else as it is. For endpoints: some
    order by their first key only (Comunica 4.5), and ties keep the endpoint's order.

    >>> from rdflib import Literal
    >>> r = QueryResult(("a", "b"), [(Literal("x"), Literal("b")), (Literal("x"), Literal("a"))])
    >>> [str(row[1]) for row in in_query_order("SELECT * {} ORDER BY ?a ?b", r).rows]
    ['a', 'b']
    """
    match = _TRAILING_ORDER_BY.search(text)
    rows = None if match is None else _sorted_rows(result, match)
    return result if rows is None else QueryResult(result.variables, rows)


_PREFIXED = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9_.\-]*|):(?P<local>\S*)")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S*|urn:\S+")


def _as_iri(value: str) -> URIRef | None:
    """``value`` as an IRI if it is written as one (``<…>``, absolute, prefixed), else None."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(check_iri(text[1:-1]))
    if _ABSOLUTE.fullmatch(text):
        return URIRef(check_iri(text))
    match = _PREFIXED.fullmatch(text)
    if match and match.group("prefix") in PREFIXES:
        return URIRef(check_iri(PREFIXES[match.group("prefix")] + match.group("local")))
    return None


def _normalise(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _or(items: list[str]) -> str:
    quoted = [repr(i) for i in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


_LABELS_OF_CLASS = builder.query("filmkg.sparql", "labels_of_class.rq")
_LABELS_OF_DATA = builder.query("filmkg.sparql", "labels_of_data.rq")


def _label_index(
    select: Select, kind: str, entity: URIRef | None = None
) -> list[tuple[URIRef, str]]:
    """(entity, label) of every entity of ``kind`` (of ``entity`` only, if given: a
    bound lookup, so checking an IRI does not read every label of a big graph)."""
    cls = ENTITY_KINDS[kind]
    only: dict[str, Node | None] = {"entity": entity} if entity is not None else {}
    # the entity's block first: Oxigraph joins VALUES blocks in order, and starting from the
    # class reads every instance of it (85 ms for a person at 1M triples; 1 ms this way)
    if cls is None:
        text = _with_values(_LABELS_OF_DATA, {**only, "namespace": Literal(PREFIXES["kg"])})
    else:
        text = _with_values(_LABELS_OF_CLASS, {**only, "class": URIRef(cls)})
    rows = select(text).rows
    return [(URIRef(str(e)), str(label)) for e, label in rows if e is not None and label]


def resolve_entity(
    source: Executor,
    kind: str,
    value: str,
    *,
    engine: Engine | None = None,
) -> URIRef:
    """The IRI of the entity of ``kind`` named (or identified) by ``value``.

    >>> from filmkg.build.project import load_project
    >>> resolve_entity(load_project(), "work", "here")
    Traceback (most recent call last):
    ...
    filmkg.errors.UnknownEntityError: work 'here' is ambiguous: ...
    """
    return _resolve(_selector(source, engine), kind, value)


def entity_label(
    source: Executor, kind: str, iri: str, *, engine: Engine | None = None
) -> str | None:
    """The first label (sorted) of the entity ``iri`` of ``kind``, or None.

    >>> from filmkg.build.project import load_project
    >>> entity_label(load_project(), "film", "https://w3id.org/filmkg/id/film/here-2024")
    'Here'
    """
    labels = sorted(
        label for _, label in _label_index(_selector(source, engine), kind, URIRef(iri))
    )
    return labels[0] if labels else None


def _resolve(select: Select, kind: str, value: str) -> URIRef:
    noun = "entity" if kind == "iri" else kind
    iri = _as_iri(value)
    if iri is not None:
        if kind == "iri" or _label_index(select, kind, iri):
            return iri
        raise UnknownEntityError(
            f"{compact(str(iri))} is not a {noun} in the graph",
            hint="check the IRI, or give a name",
        )
    index = _label_index(select, kind)
    wanted = _normalise(value)
    matches = sorted({e for e, label in index if _normalise(label) == wanted})
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        labels = dict(reversed(index))
        candidates = ", ".join(f"{compact(str(e))} ({labels[e]!r})" for e in matches)
        raise UnknownEntityError(
            f"{noun} {value!r} is ambiguous: {candidates}",
            hint="give the IRI of the one you mean",
        )
    labels_by_norm: dict[str, str] = {}
    for _, label in index:
        labels_by_norm.setdefault(_normalise(label), label)
    words = set(wanted.split())
    containing = [
        label
        for norm, label in labels_by_norm.items()
        if wanted and (wanted in norm or words & set(norm.split()))
    ]
    close = difflib.get_close_matches(wanted, list(labels_by_norm), n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys([*(labels_by_norm[c] for c in close), *containing]))[:3]
    hint = f"did you mean {_or(suggestions)}?" if suggestions else None
    if hint is None and labels_by_norm:
        known = sorted(labels_by_norm.values(), key=str.casefold)
        more = ", …" if len(known) > 8 else ""
        hint = f"known: {', '.join(known[:8])}{more}"
    raise UnknownEntityError(f"no {noun} {value!r}", hint=hint)


def _literal(param: Param, value: str) -> Literal:
    text = value.strip()
    if param.kind == "literal":
        return Literal(value)
    if param.kind in ("year", "integer"):
        pattern = r"-?\d{4}" if param.kind == "year" else r"[+-]?\d+"
        if not re.fullmatch(pattern, text):
            shape = "a four-digit year such as 1994" if param.kind == "year" else "a whole number"
            raise ParameterError(f"parameter {param.name!r}: {value!r} is not {shape}")
        return Literal(int(text), datatype=XSD.integer)
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(
            f"parameter {param.name!r}: {value!r} is not a date",
            hint="write it as YYYY-MM-DD",
        ) from None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ParameterError(
            f"parameter {param.name!r}: {value!r} is not a date", hint="write it as YYYY-MM-DD"
        )
    return Literal(date.isoformat(), datatype=XSD.date)


def _term(select: Select, param: Param, value: str | Node) -> Node:
    if not isinstance(value, str):
        entity = param.kind in ENTITY_KINDS
        if entity and not isinstance(value, URIRef):
            raise ParameterError(f"parameter {param.name!r} needs an IRI, not {value!r}")
        if not entity and not isinstance(value, Literal):
            raise ParameterError(f"parameter {param.name!r} needs a literal, not {value!r}")
        return value
    if param.kind in ENTITY_KINDS:
        return _resolve(select, param.kind, value)
    return _literal(param, value)


def _resolve_params(
    select: Select, query: NamedQuery, params: Mapping[str, str | Node]
) -> dict[str, Node]:
    for name in params:
        query.param(name)
    bindings: dict[str, Node] = {}
    for p in query.params:
        value = params.get(p.name, p.default)
        if value is None:
            if p.required:
                raise ParameterError(
                    f"query {query.name!r} needs parameter {p.name!r} ({p.kind}): {p.description}",
                    hint=f"pass --param {p.name}=VALUE",
                )
            continue
        bindings[p.name] = _term(select, p, value)
    return bindings


def resolve_params(
    source: Executor,
    query: str | NamedQuery,
    params: Mapping[str, str | Node] | None = None,
    *,
    engine: Engine | None = None,
) -> dict[str, Node]:
    """The RDF terms the parameters ``params`` of ``query`` bind (names resolved)."""
    nq = get(query) if isinstance(query, str) else query
    return _resolve_params(_selector(source, engine), nq, params or {})


def bind(
    source: Executor,
    query: str | NamedQuery,
    params: Mapping[str, str | Node] | None = None,
    *,
    engine: Engine | None = None,
) -> str:
    """The SPARQL text that runs ``query`` with ``params`` bound (for remote endpoints)."""
    nq = get(query) if isinstance(query, str) else query
    return bound_query(nq, resolve_params(source, nq, params, engine=engine))


def run(
    source: Executor,
    query: str | NamedQuery,
    params: Mapping[str, str | Node] | None = None,
    *,
    engine: Engine | None = None,
) -> QueryResult:
    """Run the named query ``query`` with ``params`` on a graph (or any :class:`Executor`).

    ``params`` map parameter names to strings (names, IRIs, dates… parsed by kind) or to
    rdflib terms used as they are. ``engine`` picks the embedded engine of a
    :class:`KnowledgeGraph` (default ``"oxigraph"``).
    """
    nq = get(query) if isinstance(query, str) else query
    select = _selector(source, engine)
    bindings = _resolve_params(select, nq, params or {})
    if isinstance(source, KnowledgeGraph) and engine in (None, "oxigraph"):
        # whole-graph analytics: one streaming pass over the credits, not a self-join
        streamed = run_streamed(source, nq.name, bindings)
        if streamed is not None:
            return streamed
    text = bound_query(nq, bindings)
    if isinstance(source, KnowledgeGraph):
        return select(text)
    return in_query_order(text, select(text))
