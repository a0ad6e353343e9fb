"""Guards for SPARQL text that filmkg did not write: what it may do, how long, how much.

Two tools, meant for every place that runs a query typed or sent by a user (``filmkg
sparql``, ``filmkg serve``, :meth:`KnowledgeGraph.query`):

* :func:`check_query` parses the text (rdflib's SPARQL 1.1 parser and algebra, so a
  keyword in a comment, a string or an IRI fools nothing) and refuses what could reach
  the network or the file system unless the caller allowed it: ``SERVICE`` (federation:
  rdflib even sends the local bindings to the remote server), ``LOAD`` and every other
  update, and ``FROM`` / ``FROM NAMED`` / ``USING`` (rdflib reads such IRIs as URLs or
  local files when the dataset has no such graph).
* :func:`filmkg.sparql.limited.limited_query` runs a query in a worker process that is
  *killed* when it passes its time limit, and refuses a result larger than the row limit.

>>> check_query("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> in a comment")
QueryInfo(form='SELECT', services=(), dataset=(), updates=())
>>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
filmkg.errors.ForbiddenOperationError: SERVICE <http://127.0.0.1:9/> is refused: ...
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pyparsing import ParseException
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from filmkg.errors import (
    FilmKGError,
    ForbiddenOperationError,
    InputLimitError,
    ParameterError,
    QuerySyntaxError,
    ResourceLimitError,
)
from filmkg.io.limits import ENV_VARS
from filmkg.sparql.builder import prologue
from filmkg.sparql.syntax import explain  # the watched grammar: only on a syntax error

if TYPE_CHECKING:
    from rdflib import Graph


__all__ = [
    "QueryInfo",
    "check_query",
    "check_shapes",
    "iter_limited",
    "may_touch_outside",
]

T = TypeVar("T")

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE"]

#: Every update operation of SPARQL 1.1 Update, as rdflib's algebra names them.
_UPDATE_NAMES = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
}
_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
# Text without any of these words cannot use SERVICE, an update or a dataset clause.
_COMMENT_LINES = re.compile(r"^[ \t]*#.*$", re.MULTILINE)
_RISKY_WORDS = re.compile(
    r"service|load|from|using|with|insert|delete|clear|drop|create|copy|move|add", re.IGNORECASE
)


@dataclass(frozen=True)
class QueryInfo:
    """What a SPARQL request would do, as far as safety is concerned.

    >>> check_query("PREFIX e: <https://e.org/> SELECT * FROM e:g { ?s ?p ?o }", allow_from=True)
    QueryInfo(form='SELECT', services=(), dataset=('https://e.org/g',), updates=())
    """

    #: ``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE`` or ``UPDATE``.
    form: QueryForm
    #: The endpoints of ``SERVICE`` clauses (``?var`` for a variable endpoint).
    services: tuple[str, ...] = ()
    #: The IRIs of ``FROM`` / ``FROM NAMED`` (and ``USING`` / ``USING NAMED`` / ``WITH``).
    dataset: tuple[str, ...] = ()
    #: The update operations, in order (``LOAD``, ``INSERT DATA``, ``DELETE/INSERT``…).
    updates: tuple[str, ...] = field(default=())


def may_touch_outside(sparql: str) -> bool:
    """False when the text cannot contain SERVICE, an update or a dataset clause.

    A cheap, conservative pre-filter: none of the keywords anywhere, not even inside a
    string, outside whole-line comments (a line whose first character is ``#`` is a
    comment or string content, never code). When it says True, :func:`check_query`
    parses the text to decide.

    >>> named = "#+ summary: who worked with whom, and from when"
    >>> may_touch_outside(named + chr(10) + "SELECT ?s { ?s ?p ?o }")
    False
    >>> may_touch_outside('SELECT ?s WHERE { ?s ?p "from" }')
    True
    """
    return _RISKY_WORDS.search(_COMMENT_LINES.sub("", sparql)) is not None


def check_query(
    sparql: str,
    *,
    allow_service: bool = False,
    allow_load: bool = False,
    allow_update: bool = False,
    allow_from: bool = False,
) -> QueryInfo:
    """Parse a SPARQL query or update and refuse what is not allowed.

    Raises :class:`QuerySyntaxError` (with line and column) on bad syntax, and
    :class:`ForbiddenOperationError`, naming the flag that allows it, for ``SERVICE``
    (``allow_service``), ``LOAD`` (``allow_load``), any other update (``allow_update``),
    and ``FROM`` / ``FROM NAMED`` / ``USING`` / ``WITH`` (``allow_from``).

    >>> check_query("LOAD <file:///etc/passwd>")
    Traceback (most recent call last):
    ...
    filmkg.errors.ForbiddenOperationError: LOAD <file:///etc/passwd> is refused: ...
    >>> check_query("SELECT * WHERE { ?s ?p }")
    Traceback (most recent call last):
    ...
    filmkg.errors.QuerySyntaxError: <query>:1:24: Encountered "}"; was expecting one of: ...
    """
    info = _inspect(sparql)
    if info.services and not allow_service:
        raise ForbiddenOperationError(
            f"SERVICE <{info.services[0]}> is refused: federated queries send data to, and "
            "read from, another server",
            hint="allow it with --allow-service (allow_service=True) if you trust that server",
        )
    if "LOAD" in info.updates and not allow_load:
        raise ForbiddenOperationError(
            f"{_load_target(sparql)} is refused: LOAD reads a URL or a local file",
            hint="allow it with --allow-load (allow_load=True)",
        )
    other_updates = [u for u in info.updates if u != "LOAD"]
    if other_updates and not allow_update:
        raise ForbiddenOperationError(
            f"SPARQL update ({other_updates[0]}) is refused: only queries are run",
            hint="allow it with --allow-update (allow_update=True)",
        )
    if info.dataset and not allow_from:
        raise ForbiddenOperationError(
            f"FROM <{info.dataset[0]}> is refused: a dataset clause can make the engine read "
            "a URL or a local file",
            hint="use GRAPH <...> { } inside the query, or allow it with --allow-from "
            "(allow_from=True)",
        )
    return info


def _load_target(sparql: str) -> str:
    for op in translateUpdate(parseUpdate(sparql)).algebra:
        if op.name == "Load":
            return f"LOAD <{op.iri}>"
    return "LOAD"  # pragma: no cover - only called when a LOAD was found


@functools.lru_cache(maxsize=512)
def _inspect(sparql: str) -> QueryInfo:
    try:
        try:
            parsed = parseQuery(sparql)
        except ParseException as query_error:
            try:
                update = translateUpdate(parseUpdate(sparql))
            except ParseException as update_error:
                # report whichever parse got further into the text
                best = max(query_error, update_error, key=lambda e: e.loc)
                raise _syntax_error(best, sparql) from None
            names = tuple(_UPDATE_NAMES.get(op.name, op.name) for op in update.algebra)
            dataset: list[str] = []
            for op in update.algebra:
                for clause in _field(op, "using") or ():
                    dataset.append(str(_field(clause, "default") or _field(clause, "named")))
                if _field(op, "withClause") is not None:
                    dataset.append(str(_field(op, "withClause")))
            return QueryInfo("UPDATE", _services(update.algebra), tuple(dataset), names)
        algebra = translateQuery(parsed).algebra
    except RecursionError:
        raise InputLimitError(
            "<query>: the query is nested too deeply to check", hint="simplify the query"
        ) from None
    except FilmKGError:
        raise
    except Exception as exc:  # rdflib raises bare Exceptions for some semantic errors
        raise QuerySyntaxError(_first_line(exc), path="<query>") from None
    dataset = [
        str(_field(c, "default") or _field(c, "named"))
        for c in _field(algebra, "datasetClause") or ()
    ]
    return QueryInfo(_FORMS[parsed[1].name], _services(algebra), tuple(dataset))


def _services(node: object) -> tuple[str, ...]:
    found: list[str] = []

    def walk(n: object) -> None:
        if isinstance(n, CompValue):
            if n.name == "ServiceGraphPattern":
                term = _field(n, "term")
                found.append(f"?{term}" if isinstance(term, Variable) else str(term))
            for value in n.values():
                walk(value)
        elif isinstance(n, list | tuple):
            for item in n:
                walk(item)

    walk(node)
    return tuple(found)


def _field(value: Any, name: str) -> Any:
    """A field of an rdflib ``CompValue`` or ``None`` (its own ``get`` does not do that)."""
    return dict.get(value, name) if isinstance(value, dict) else None


def _syntax_error(exc: Any, sparql: str) -> QuerySyntaxError:
    """The error as arq words it (:func:`filmkg.sparql.syntax.explain`): read as a query
    and as an update, whichever gets further; else pyparsing's."""
    found = [f for f in (explain(sparql), explain(sparql, update=True)) if f is not None]
    if not found:  # pragma: no cover - the first parse failed, so the second does too
        return QuerySyntaxError(str(exc.msg), path="<query>", line=exc.lineno, column=exc.col)
    line, column, message = max(found, key=lambda f: (f[0], f[1]))
    return QuerySyntaxError(message, path="<query>", line=line, column=column)


def _first_line(exc: BaseException) -> str:
    text = str(exc.args[0] if exc.args else exc)
    return text.splitlines()[0] if text else type(exc).__name__


# -- limits on running queries ------------------------------------------------------------


def _too_many_rows(what: str, rows: int) -> ResourceLimitError:
    return ResourceLimitError(
        f"{what} stopped after {rows:,} results (limit: --max-rows / {ENV_VARS['max_rows']})",
        hint="add a LIMIT to the query, or raise the limit",
    )


def iter_limited(items: Iterator[T], max_rows: int | None, what: str = "query") -> Iterator[T]:
    """Yield from ``items``, raising :class:`ResourceLimitError` past ``max_rows``."""
    for count, item in enumerate(items, 1):
        if max_rows is not None and count > max_rows:
            raise _too_many_rows(what, max_rows)
        yield item


# -- SHACL-SPARQL --------------------------------------------------------------------------------

_SH = "http://www.w3.org/ns/shacl#"


def check_shapes(shapes: Graph, *, allow_service: bool = False, allow_from: bool = False) -> None:
    """Refuse SPARQL in a shapes graph that could reach the network or a file.

    SHACL-SPARQL constraints (``sh:select``, ``sh:ask``; SHACL-AF ``sh:construct``,
    ``sh:update``) run on rdflib's engine inside pyshacl, which executes ``SERVICE`` and
    fetches ``FROM`` IRIs; shapes named by a user may come from anywhere. Each text is
    checked with :func:`check_query`, with the prefixes the graph declares
    (``sh:declare``); a refusal names the shape.

    >>> from rdflib import Graph
    >>> shapes = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <https://e.org/shape> sh:sparql [ sh:select
    ...         "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { $this ?p ?o } }" ] .''')
    >>> check_shapes(shapes)
    Traceback (most recent call last):
    ...
    filmkg.errors.ForbiddenOperationError: shapes: the SPARQL of <https://e.org/shape> is ...
    """
    prefixes: dict[str, str] = {}
    for declaration in shapes.objects(None, URIRef(_SH + "declare")):
        for prefix in shapes.objects(declaration, URIRef(_SH + "prefix")):
            for namespace in shapes.objects(declaration, URIRef(_SH + "namespace")):
                prefixes[str(prefix)] = str(namespace)
    try:
        header = str(prologue(sorted(prefixes.items())))
    except ParameterError as exc:
        raise ParameterError(
            f"shapes: a sh:declare is not valid SPARQL: {exc.message}", hint=exc.hint
        ) from None
    for name in ("select", "ask", "construct", "update"):
        for node, text in sorted(shapes.subject_objects(URIRef(_SH + name))):
            if not may_touch_outside(str(text)):
                continue
            owner = next(iter(shapes.subjects(None, node)), node)
            try:
                check_query(
                    header + str(text),
                    allow_service=allow_service,
                    allow_from=allow_from,
                    allow_update=name == "update",
                )
            except ForbiddenOperationError as exc:
                raise ForbiddenOperationError(
                    f"shapes: the SPARQL of {owner.n3()} is refused: {exc.message}",
                    hint=exc.hint,
                ) from None
