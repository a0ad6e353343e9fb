"""Guards for SPARQL text that filmkg did not write: what it may do, how long, how much.

Two tools, meant for every place that runs a query typed or sent by a user (``filmkg
sparql``, ``filmkg serve``, :meth:`KnowledgeGraph.query`):

* :func:`check_query` parses the text (rdflib's SPARQL 1.1 parser and algebra, so a
  keyword in a comment, a string or an IRI fools nothing) and refuses what could reach
  the network or the file system unless the caller allowed it: ``SERVICE`` (federation:
  rdflib even sends the local bindings to the remote server), ``LOAD`` and every other
  update, and ``FROM`` / ``FROM NAMED`` / ``USING`` (rdflib reads such IRIs as URLs or
  local files when the dataset has no such graph).
* :func:`run_with_limits` runs a function in a worker process that is *killed* when it
  passes its time limit (neither engine's Python API can be interrupted), and refuses a
  result larger than the row limit. :func:`limited_query` is the ready-made use: the worker
  re-opens the graph from a picklable :class:`GraphSource` and runs one query.

>>> check_query("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> in a comment")
QueryInfo(form='SELECT', services=(), dataset=(), updates=())
>>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
filmkg.errors.ForbiddenOperationError: SERVICE <http://127.0.0.1:9/> is refused: ...
"""

from __future__ import annotations

import functools
import multiprocessing
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from filmkg.errors import (
    FilmKGError,
    ForbiddenOperationError,
    InputLimitError,
    InternalError,
    QuerySyntaxError,
    ResourceLimitError,
)
from filmkg.io.limits import ENV_VARS, resolve_limits

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from filmkg.engines.store import Engine, KnowledgeGraph
    from filmkg.sparql.results import QueryResult

__all__ = [
    "GraphSource",
    "QueryInfo",
    "check_query",
    "check_shapes",
    "iter_limited",
    "limited_query",
    "may_touch_outside",
    "offline_document_loader",
    "run_with_limits",
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
    filmkg.errors.QuerySyntaxError: <query>:1:18: Expected ...
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
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    for op in translateUpdate(parseUpdate(sparql)).algebra:
        if op.name == "Load":
            return f"LOAD <{op.iri}>"
    return "LOAD"  # pragma: no cover - only called when a LOAD was found


@functools.lru_cache(maxsize=512)
def _inspect(sparql: str) -> QueryInfo:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        try:
            parsed = parseQuery(sparql)
        except ParseException as query_error:
            try:
                update = translateUpdate(parseUpdate(sparql))
            except ParseException as update_error:
                # report whichever parse got further into the text
                best = max(query_error, update_error, key=lambda e: e.loc)
                raise _syntax_error(best) from None
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
        from rdflib.plugins.sparql.parserutils import CompValue
        from rdflib.term import Variable

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


def _syntax_error(exc: Any) -> QuerySyntaxError:
    return QuerySyntaxError(str(exc.msg), path="<query>", line=exc.lineno, column=exc.col)


def _first_line(exc: BaseException) -> str:
    text = str(exc.args[0] if exc.args else exc)
    return text.splitlines()[0] if text else type(exc).__name__


# -- JSON-LD ------------------------------------------------------------------------------


def offline_document_loader(url: str, options: Mapping[str, Any] | None = None) -> Any:
    """A pyld ``documentLoader`` that loads nothing: pass it to every pyld call.

    pyld's default loader fetches remote ``@context`` URLs (and reads ``file:`` ones).

    >>> offline_document_loader("https://schema.org/")
    Traceback (most recent call last):
    ...
    filmkg.errors.ForbiddenOperationError: JSON-LD context <https://schema.org/> is not fetched ...
    """
    raise ForbiddenOperationError(
        f"JSON-LD context <{url}> is not fetched (filmkg makes no network request)",
        hint="inline the context: give its JSON object instead of the URL",
    )


# -- limits on running queries ------------------------------------------------------------


def run_with_limits(
    func: Callable[..., T],
    *args: Any,
    timeout_s: float | None = None,
    max_rows: int | None = None,
    what: str = "query",
) -> T:
    """Run ``func(*args)`` in a worker process, stopped after ``timeout_s`` seconds.

    ``func`` and ``args`` must be picklable (a module-level function): the worker is a
    fresh process (``forkserver`` start method where available, else ``spawn``; never a
    fork of a process that may hold threads or open stores). When the time is up the
    worker is killed (SIGKILL) and :class:`ResourceLimitError` says so; a result with a
    ``len()`` above ``max_rows`` is refused the same way. Errors of filmkg's hierarchy
    raised in the worker are raised again here; a worker that dies (a crash in native
    code) gives :class:`InternalError`. ``None`` limits come from
    :meth:`Limits.from_env`.

    >>> run_with_limits(sorted, [3, 1, 2], timeout_s=60)
    [1, 2, 3]
    """
    limits = resolve_limits(None)
    timeout = limits.query_timeout_s if timeout_s is None else timeout_s
    rows = limits.max_rows if max_rows is None else max_rows
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_work, args=(sender, func, args), daemon=True)
    worker.start()
    sender.close()
    try:
        # the clock starts when the worker runs ``func``, not while the process starts
        status, payload = _receive(receiver, worker, _STARTUP_S, what)
        if status == "started":
            if not receiver.poll(timeout):
                raise ResourceLimitError(
                    f"{what} stopped after {timeout:g} s "
                    f"(limit: --timeout / {ENV_VARS['query_timeout_s']})"
                )
            status, payload = _receive(receiver, worker, 0, what)
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join(5)
        receiver.close()
    if status == "error":
        raise payload
    if status == "crash":
        raise InternalError(f"the {what} worker failed: {payload}", hint="please report it")
    if hasattr(payload, "__len__") and len(payload) > rows:
        raise _too_many_rows(what, rows)
    return payload  # type: ignore[no-any-return]


#: Longest wait for a worker process to start (imports, unpickling the arguments).
_STARTUP_S = 120.0


def _receive(receiver: Any, worker: Any, wait_s: float, what: str) -> tuple[str, Any]:
    if wait_s and not receiver.poll(wait_s):
        raise InternalError(f"the {what} worker process did not start in {wait_s:g} s")
    try:
        message: tuple[str, Any] = receiver.recv()
    except EOFError:
        worker.join(5)
        raise InternalError(
            f"the {what} worker process died (exit code {worker.exitcode})",
            hint="a bug or a crash in a native library: please report it",
        ) from None
    return message


def _too_many_rows(what: str, rows: int) -> ResourceLimitError:
    return ResourceLimitError(
        f"{what} stopped after {rows:,} results (limit: --max-rows / {ENV_VARS['max_rows']})",
        hint="add a LIMIT to the query, or raise the limit",
    )


@functools.cache
def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # the fork server imports these once; each worker then starts in milliseconds
        ctx.set_forkserver_preload(
            ["filmkg.sparql.safety", "filmkg.engines.store", "pyoxigraph", "rdflib"]
        )
    return ctx


def _work(conn: Any, func: Callable[..., Any], args: Sequence[Any]) -> None:
    conn.send(("started", None))
    try:
        result: tuple[str, Any] = ("ok", func(*args))
    except FilmKGError as exc:
        result = ("error", exc)
    except BaseException as exc:  # reported to the parent, never a traceback on stderr
        result = ("crash", f"{type(exc).__name__}: {_first_line(exc)}")
    try:
        conn.send(result)
    except Exception as exc:  # an unpicklable result
        conn.send(("crash", f"cannot send the result back: {exc}"))
    finally:
        conn.close()


@dataclass(frozen=True)
class GraphSource:
    """A picklable recipe for the graph a worker process queries.

    Give exactly one of:

    * ``store_path``: an on-disk store (``filmkg build --store PATH``), opened read-only
      by the worker (several processes may read one store at once) — the cheapest;
    * ``files``: ``(path, graph IRI)`` pairs, loaded strictly (with the input limits);
    * ``project=True``: the project graph (:func:`filmkg.build.project.load_project`);
    * ``nquads``: a snapshot of an in-memory graph, from :meth:`snapshot`.

    >>> GraphSource(files=(("graph/here.ttl", "https://w3id.org/filmkg/graph/here"),)).files[0][0]
    'graph/here.ttl'
    """

    store_path: str | None = None
    files: tuple[tuple[str, str], ...] = ()
    project: bool = False
    nquads: bytes | None = None

    def __post_init__(self) -> None:
        given = [
            self.store_path is not None,
            bool(self.files),
            self.project,
            self.nquads is not None,
        ]
        if sum(given) != 1:
            raise ValueError("give exactly one of store_path, files, project, nquads")

    @classmethod
    def snapshot(cls, kg: KnowledgeGraph) -> GraphSource:
        """A copy of ``kg`` (as N-Quads bytes) to ship to a worker; on-disk graphs by path."""
        if kg.path is not None:
            return cls(store_path=str(kg.path))
        import pyoxigraph as ox

        data = ox.serialize(kg.store, format=ox.RdfFormat.N_QUADS)
        return cls(nquads=data if data is not None else b"")

    def open(self) -> KnowledgeGraph:
        """Open (or build) the graph; called in the worker."""
        from filmkg.engines.store import KnowledgeGraph

        if self.store_path is not None:
            return KnowledgeGraph.open(self.store_path)
        if self.project:
            from filmkg.build.project import load_project

            return load_project()
        kg = KnowledgeGraph()
        if self.nquads is not None:
            import pyoxigraph as ox

            kg.store.load(self.nquads, format=ox.RdfFormat.N_QUADS)
        for path, graph in self.files:
            kg.load(Path(path), graph=graph)
        return kg


def limited_query(
    source: GraphSource,
    sparql: str,
    bindings: Mapping[str, Node] | None = None,
    *,
    engine: Engine = "oxigraph",
    timeout_s: float | None = None,
    max_rows: int | None = None,
    allow_service: bool = False,
    allow_from: bool = False,
) -> QueryResult | bool | Graph:
    """Run one ad-hoc query in a worker process, within the time and row limits.

    The text is checked first (:func:`check_query`; updates and ``LOAD`` are always
    refused here), then a worker opens ``source`` and runs
    :meth:`KnowledgeGraph.query` with ``max_rows``: rows past the limit are never
    materialised. ``None`` limits come from the environment (see :mod:`filmkg.io.limits`).
    The answer is the same as a direct ``KnowledgeGraph.query`` call.
    """
    check_query(sparql, allow_service=allow_service, allow_from=allow_from)
    limits = resolve_limits(None)
    rows = limits.max_rows if max_rows is None else max_rows
    return run_with_limits(
        _query_in_worker,
        source,
        sparql,
        dict(bindings or {}),
        engine,
        rows,
        allow_service,
        allow_from,
        timeout_s=timeout_s,
        max_rows=rows,
    )


def _query_in_worker(
    source: GraphSource,
    sparql: str,
    bindings: dict[str, Node],
    engine: Engine,
    max_rows: int,
    allow_service: bool,
    allow_from: bool,
) -> QueryResult | bool | Graph:
    kg = source.open()
    return kg.query(
        sparql,
        bindings,
        engine=engine,
        max_rows=max_rows,
        allow_service=allow_service,
        allow_from=allow_from,
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
    from rdflib import URIRef

    prefixes: dict[str, str] = {}
    for declaration in shapes.objects(None, URIRef(_SH + "declare")):
        for prefix in shapes.objects(declaration, URIRef(_SH + "prefix")):
            for namespace in shapes.objects(declaration, URIRef(_SH + "namespace")):
                prefixes[str(prefix)] = str(namespace)
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
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
