"""Queries run within limits: a worker process killed at its time limit, and a row limit.

:func:`run_with_limits` runs a function in a worker process that is *killed* when it
passes its time limit (neither engine's Python API can be interrupted), and refuses a
result larger than the row limit. :func:`limited_query` is the ready-made use: the text is
checked first (:func:`filmkg.sparql.safety.check_query`), then the worker re-opens the graph
from a picklable :class:`GraphSource` and runs one query.

>>> run_with_limits(sorted, [3, 1, 2], timeout_s=60)
[1, 2, 3]
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rdflib import Graph
from rdflib.term import Node

from filmkg.build.project import load_project
from filmkg.engines.store import Engine, KnowledgeGraph
from filmkg.errors import FilmKGError, InternalError, ResourceLimitError
from filmkg.io.limits import ENV_VARS, resolve_limits
from filmkg.sparql.results import QueryResult
from filmkg.sparql.safety import _first_line, _too_many_rows, check_query

__all__ = ["GraphSource", "limited_query", "run_with_limits"]

T = TypeVar("T")


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


@functools.cache
def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # the fork server imports these once; each worker then starts in milliseconds
        ctx.set_forkserver_preload([__name__, KnowledgeGraph.__module__, "pyoxigraph", "rdflib"])
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
        return cls(nquads=kg.nquads())

    def open(self) -> KnowledgeGraph:
        """Open (or build) the graph; called in the worker."""
        if self.store_path is not None:
            return KnowledgeGraph.open(self.store_path)
        if self.project:
            return load_project()
        kg = KnowledgeGraph()
        if self.nquads is not None:
            kg.load_nquads(self.nquads)
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
