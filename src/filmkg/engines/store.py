"""The knowledge graph: a dataset of named graphs, and the seam between engines.

A :class:`KnowledgeGraph` keeps its quads in a pyoxigraph store, in memory or on disk
(``path=``), and answers SPARQL with either engine: ``"oxigraph"`` (the default, chosen by
measurement: see the README) or ``"rdflib"`` (an rdflib ``Dataset`` built on demand). The
default graph of every query is the union of all named graphs, on both engines.

>>> from rdflib import Literal, URIRef
>>> kg = KnowledgeGraph()
>>> triple = (URIRef("https://e.org/a"), URIRef("https://e.org/p"), Literal(1))
>>> kg.add_triples("https://e.org/g", [triple])
>>> q = "SELECT ?o WHERE { ?s ?p ?o }"
>>> kg.select(q).as_dicts() == kg.select(q, engine="rdflib").as_dicts() == [{"o": 1}]
True
"""

from __future__ import annotations

import contextlib
import errno
import traceback
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, TypedDict, Unpack
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node, Variable

from filmkg.errors import (
    ForbiddenOperationError,
    OutputError,
    ParseError,
    QuerySyntaxError,
    SourceNotFoundError,
    UsageError,
)
from filmkg.io import progress
from filmkg.io.fileio import atomic_dir, clean_stale_staging
from filmkg.io.loading import check_file, format_for, parse_error, parse_file
from filmkg.rdf.convert import RdfTerm, quads_to_rdflib, to_oxigraph, to_rdflib
from filmkg.rdf.literals import check_file_literals, check_literals
from filmkg.sparql.results import QueryResult, Row
from filmkg.sparql.safety import check_query, iter_limited, may_touch_outside

__all__ = ["ENGINES", "Engine", "KnowledgeGraph", "RdflibEngine"]

Engine = TypingLiteral["oxigraph", "rdflib"]
ENGINES: tuple[Engine, ...] = ("oxigraph", "rdflib")

#: At most this many converted terms are remembered while reading one query's rows.
_CONVERTED_TERMS = 1_000_000

Triple = tuple[Node, Node, Node]

#: errno of an OSError that comes from the store engine (None: pyoxigraph) or a full disk.
_STORE_ERRNOS = (None, errno.ENOSPC, errno.EDQUOT, errno.EROFS)


class _RdflibOptions(TypedDict, total=False):
    allow_service: bool
    allow_from: bool
    max_rows: int | None


class QueryOptions(_RdflibOptions, total=False):
    """The keywords of :meth:`KnowledgeGraph.query` and :meth:`KnowledgeGraph.select`."""

    engine: Engine


class KnowledgeGraph:
    """A dataset of named graphs with SPARQL on two embedded engines."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        if path is None:
            self.store = ox.Store()
        elif read_only:
            self.store = ox.Store.read_only(str(path))
        else:
            self.store = ox.Store(str(path))
        self._rdflib: Dataset | None = None

    @classmethod
    def open(cls, path: str | Path) -> KnowledgeGraph:
        """Open an existing on-disk store (made by ``filmkg build --store PATH``) to read.

        Several processes may read one store at once. Raises :class:`SourceNotFoundError`
        when ``path`` holds no store.
        """
        p = Path(path)
        if not (p / "CURRENT").is_file():
            clean_stale_staging(p)  # a write killed half-way through its swap is undone here
        if not (p / "CURRENT").is_file():
            raise SourceNotFoundError(
                f"{p}: no filmkg store here", hint="create it with: filmkg build --store PATH"
            )
        try:
            return cls(p, read_only=True)
        except OSError as exc:
            raise SourceNotFoundError(f"{p}: cannot open the store ({exc})") from None

    @classmethod
    @contextlib.contextmanager
    def staged(cls, path: str | Path) -> Iterator[KnowledgeGraph]:
        """A copy of the on-disk store at ``path`` (or a new store) to change in a ``with``.

        The copy is made beside ``path`` (a RocksDB checkpoint: hard links, cheap) and
        replaces ``path`` in one rename when the block succeeds
        (:func:`filmkg.io.fileio.atomic_dir`); when it fails, or the process is killed,
        ``path`` is left exactly as it was. A full disk or an unwritable folder is an
        :class:`OutputError`.

        >>> import tempfile, pathlib
        >>> db = pathlib.Path(tempfile.mkdtemp()) / "kg.db"
        >>> with KnowledgeGraph.staged(db) as kg:
        ...     kg.add_triples("https://e.org/g", [(URIRef("https://e.org/a"),) * 3])
        >>> try:
        ...     with KnowledgeGraph.staged(db) as kg:
        ...         kg.clear_graph("https://e.org/g")
        ...         raise RuntimeError("boom")
        ... except RuntimeError:
        ...     pass
        >>> len(KnowledgeGraph.open(db)), sorted(p.name for p in db.parent.iterdir())
        (1, ['kg.db'])
        """
        target = Path(path)
        _check_store_target(target)
        with atomic_dir(target) as staging:
            db = staging / "db"  # the staging folder stays locked: the store goes inside
            try:
                if (target / "CURRENT").is_file():
                    # read-write: a read-only checkpoint would miss what is still in the log
                    source = ox.Store(str(target))
                    source.backup(str(db))
                    del source
                kg = cls(db)
            except OSError as exc:
                raise _write_error(target, exc) from None
            try:
                yield kg
                kg.flush()
            except BaseException as exc:
                # The frames of the failure hold the copy open (a `store` local): let go of
                # it, or the engine may still write into the staging folder being removed.
                traceback.clear_frames(exc.__traceback__)
                if not isinstance(exc, OSError) or exc.errno not in _STORE_ERRNOS:
                    raise  # not the store's (an input file, say)
                raise _write_error(target, exc) from None
            finally:
                kg.close()  # closes the copy on disk; `kg` is empty from here on
            try:
                # Opening it once more deletes the write-ahead logs its last flush made
                # obsolete (a Netflix import left 970 MB of them beside a 390 MB store).
                ox.Store(str(db))
                for item in db.iterdir():
                    item.rename(staging / item.name)
                db.rmdir()
            except OSError as exc:
                raise _write_error(target, exc) from None

    # -- writing -------------------------------------------------------------------
    def compact(self) -> None:
        """End a write: flush an on-disk store and compact it (pyoxigraph ``optimize``), so
        that the next process opens it in milliseconds (an import left uncompacted cost
        every later command about 5 s to open). Nothing to do in memory.

        >>> KnowledgeGraph().compact()
        """
        if self.path is not None:
            self.flush()
            self.store.optimize()

    def flush(self) -> None:
        """Make what was written durable: flush an on-disk store (nothing to do in memory).

        >>> KnowledgeGraph().flush()
        """
        if self.path is not None:
            self.store.flush()

    def close(self) -> None:
        """Let go of the store: an on-disk store's files are closed, and this graph is
        empty (in memory) from here on.

        >>> kg = KnowledgeGraph()
        >>> kg.add_triples("https://e.org/g", [(URIRef("https://e.org/a"),) * 3])
        >>> kg.close(); len(kg)
        0
        """
        self.store = ox.Store()
        self._changed()

    def using(self, engine: Engine) -> KnowledgeGraph | RdflibEngine:
        """This graph as the engine ``engine`` answers it: itself for ``"oxigraph"``, an
        :class:`RdflibEngine` over the same quads for ``"rdflib"`` (both are
        :class:`~filmkg.engines.protocol.GraphEngine`).

        >>> KnowledgeGraph().using("rdflib").select("SELECT * WHERE { ?s ?p ?o }").rows
        []
        """
        _check_engine(engine)
        return self if engine == "oxigraph" else RdflibEngine(self)

    def _changed(self) -> None:
        self._rdflib = None

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add pyoxigraph quads."""
        self.store.extend(quads)
        self._changed()

    def add_triples(self, graph: str | URIRef, triples: Iterable[Triple]) -> None:
        """Add rdflib triples to the named graph ``graph``."""
        name = ox.NamedNode(str(graph))
        self.add_quads(
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)  # type: ignore[arg-type]
            for s, p, o in triples
        )

    def load(self, path: str | Path, *, graph: str | URIRef, fmt: str | None = None) -> int:
        """Parse a local RDF file strictly and add its triples to the named graph ``graph``.

        Quads of a dataset file (TriG, N-Quads) keep their own graph names; triples in the
        file's default graph go to ``graph``. Returns the number of statements read.
        """
        name = ox.NamedNode(str(graph))
        with progress.task(f"loading {Path(path).name}", unit="statements") as step:
            parsed = parse_file(path, fmt=fmt)
            check_literals(parsed, Path(path).read_bytes(), str(path))
            quads = [
                ox.Quad(q.subject, q.predicate, q.object, name)
                if isinstance(q.graph_name, ox.DefaultGraph)
                else q
                for q in parsed
            ]
            self.add_quads(quads)
            step.advance(len(quads))
        return len(quads)

    def bulk_load(self, path: str | Path, *, graph: str | URIRef, fmt: str | None = None) -> None:
        """Load a big local file with pyoxigraph's bulk loader: streamed, parallel, fast.

        The file is never held in memory (``load`` parses it into a list first). Strict
        like ``load``, but not transactional: after a :class:`ParseError` part of the file
        may be in the store, so build into a fresh store and discard it on error (as
        ``filmkg build --store`` does). Triples go to the named graph ``graph``.
        """
        p = Path(path)
        if not p.is_file():
            raise SourceNotFoundError(f"{p}: no such file", hint="check the path")
        rdf_format = format_for(p, fmt)
        check_file(p, fmt=rdf_format)

        check_file_literals(str(p), rdf_format)
        try:
            self._bulk_load(p, rdf_format, ox.NamedNode(str(graph)))
        except SyntaxError as exc:
            raise parse_error(exc, str(p)) from None
        except (ValueError, OSError) as exc:
            raise ParseError(str(exc), path=str(p)) from None
        self._changed()

    def _bulk_load(self, path: Path, rdf_format: ox.RdfFormat, graph: ox.NamedNode) -> None:
        """pyoxigraph's bulk loader on ``path``; on a terminal, read through a counting
        file object so progress shows the bytes read and the rate."""
        if not progress.enabled():
            self.store.bulk_load(path=str(path), format=rdf_format, to_graph=graph)
            return
        size = path.stat().st_size
        with (
            progress.task(f"loading {path.name}", total=size, unit="bytes") as step,
            path.open("rb") as handle,
        ):
            reader = progress.CountingReader(handle, step)
            self.store.bulk_load(reader, format=rdf_format, to_graph=graph)  # type: ignore[arg-type]

    def update(self, sparql: str, *, allow_load: bool = False, allow_service: bool = False) -> None:
        """Run a SPARQL Update (meant for trusted, project-owned text).

        ``LOAD`` (reads a URL or file) and ``SERVICE`` are refused unless allowed.
        """
        check_query(
            sparql,
            allow_update=True,
            allow_load=allow_load,
            allow_service=allow_service,
            allow_from=True,
        )
        self.store.update(sparql)
        self._changed()

    def clear_graph(self, graph: str | URIRef) -> None:
        """Remove one named graph."""
        name = ox.NamedNode(str(graph))
        if name in self.store.named_graphs():
            self.store.remove_graph(name)
        self._changed()

    # -- reading -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.store)

    def graph_names(self) -> list[URIRef]:
        """The named graphs, sorted."""
        return sorted(
            URIRef(g.value) for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)
        )

    def quads(self) -> Iterator[tuple[RdfTerm, RdfTerm, RdfTerm, URIRef | BNode | None]]:
        """Every quad as rdflib terms (graph ``None`` for the default graph)."""
        return quads_to_rdflib(self.store.quads_for_pattern(None, None, None, None))

    # -- the pyoxigraph seam: what code outside engines/ asks of the store, in its terms --
    def match(
        self,
        subject: ox.NamedNode | ox.BlankNode | ox.Triple | None = None,
        predicate: ox.NamedNode | None = None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None = None,
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern, as pyoxigraph quads (``None`` matches anything;
        ``graph=None`` every graph, the default graph included).

        >>> from rdflib import Literal
        >>> kg = KnowledgeGraph()
        >>> e = "https://e.org/"
        >>> kg.add_triples(e + "g", [(URIRef(e + "s"), URIRef(e + "p"), Literal(1))])
        >>> [q.subject.value for q in kg.match(predicate=ox.NamedNode(e + "p"))]
        ['https://e.org/s']
        """
        return iter(self.store.quads_for_pattern(subject, predicate, object, graph))

    def __contains__(self, quad: ox.Quad) -> bool:
        return quad in self.store

    def graph_nodes(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        """The named graphs, as pyoxigraph terms, in the store's order."""
        return iter(self.store.named_graphs())

    def solutions(
        self,
        sparql: str,
        substitutions: Mapping[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
        | None = None,
        *,
        union: bool = True,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL that filmkg wrote itself on pyoxigraph, answers in pyoxigraph terms
        (the fast path: no checks, no conversion). ``union``: the default graph is the
        union of the named graphs. A user's query goes through :meth:`query` instead.

        >>> bool(KnowledgeGraph().solutions("ASK { ?s ?p ?o }"))
        False
        """
        return self.store.query(
            sparql,
            substitutions=dict(substitutions) if substitutions else None,
            use_default_graph_as_union=union,
        )

    def dump(
        self,
        output: str | Path | BinaryIO,
        rdf_format: ox.RdfFormat,
        *,
        from_graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> None:
        """Serialise the store (or one graph of it) straight from the engine, streamed."""
        target = str(output) if isinstance(output, Path) else output
        self.store.dump(
            target,
            rdf_format,
            from_graph=from_graph,
            prefixes=dict(prefixes) if prefixes is not None else None,
            base_iri=base_iri,
        )

    def bulk_load_file(self, path: str | Path, rdf_format: ox.RdfFormat) -> None:
        """Bulk-load a file of quads (no transaction, no checks: files filmkg wrote)."""
        self.store.bulk_load(path=str(path), format=rdf_format)
        self._changed()

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Bulk-add quads (no transaction: the fast path for many quads filmkg made)."""
        self.store.bulk_extend(quads)
        self._changed()

    def nquads(self) -> bytes:
        """The whole dataset as N-Quads bytes (a snapshot to ship to another process)."""
        data = ox.serialize(self.store, format=ox.RdfFormat.N_QUADS)
        return data if data is not None else b""

    def load_nquads(self, data: bytes) -> None:
        """Add N-Quads bytes (from :meth:`nquads`)."""
        self.store.load(data, format=ox.RdfFormat.N_QUADS)
        self._changed()

    def union_graph(self) -> Graph:
        """All triples of all graphs in one rdflib ``Graph`` (for pyshacl and rdflib users)."""
        g = Graph()
        for s, p, o, _ in self.quads():
            g.add((s, p, o))
        return g

    def dataset(self) -> Dataset:
        """An rdflib ``Dataset`` with the same named graphs; its default graph is the union."""
        if self._rdflib is None:
            ds = Dataset(default_union=True)
            for s, p, o, g in self.quads():
                ds.add((s, p, o, g if g is not None else ds.default_graph.identifier))  # type: ignore[arg-type]
            self._rdflib = ds
        return self._rdflib

    # -- querying ------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        engine: Engine = "oxigraph",
        allow_service: bool = False,
        allow_from: bool = False,
        max_rows: int | None = None,
    ) -> QueryResult | bool | Graph:
        """Run a SPARQL query; SELECT → :class:`QueryResult`, ASK → bool, CONSTRUCT → Graph.

        ``bindings`` map variable names to RDF terms; they are bound by the engine
        (pyoxigraph ``substitutions`` / rdflib ``initBindings``), never pasted into text.

        Safe on untrusted text (see :mod:`filmkg.sparql.safety`): ``SERVICE`` is refused unless
        ``allow_service``, updates and ``LOAD`` always. ``FROM`` / ``FROM NAMED`` only pick
        graphs of this store; on the rdflib engine, which would fetch a graph it does not
        have as a URL or file, naming a graph that is missing or empty is refused unless
        ``allow_from``. More than ``max_rows`` rows (or triples) raise
        :class:`~filmkg.errors.ResourceLimitError`. No time limit here: use
        :func:`filmkg.sparql.limited.limited_query` for that.
        """
        _check_engine(engine)
        dataset = self._check(sparql, engine, allow_service=allow_service, allow_from=allow_from)
        if engine == "oxigraph":
            # FROM / FROM NAMED pick the dataset; only without them is the default graph
            # the union of the named graphs (as on the rdflib engine).
            return self._query_oxigraph(sparql, bindings or {}, max_rows, union=not dataset)
        return self._query_rdflib(sparql, bindings or {}, max_rows)

    def _check(
        self, sparql: str, engine: Engine, *, allow_service: bool, allow_from: bool
    ) -> tuple[str, ...]:
        """Refuse what the text may not do; return its FROM / FROM NAMED graphs."""
        if not may_touch_outside(sparql):
            return ()
        info = check_query(sparql, allow_service=allow_service, allow_from=True)
        if engine == "rdflib" and not allow_from:
            have = {str(g) for g in self.graph_names()}
            for iri in info.dataset:
                name = ox.NamedNode(iri)
                if (
                    iri not in have
                    or next(self.store.quads_for_pattern(None, None, None, name), None) is None
                ):
                    raise ForbiddenOperationError(
                        f"FROM <{iri}> names no graph of this dataset, and rdflib would fetch it "
                        "as a URL or read it as a file",
                        hint="name a graph of the dataset, or allow it with --allow-from "
                        "(allow_from=True)",
                    )
        return info.dataset

    def select(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        **options: Unpack[QueryOptions],
    ) -> QueryResult:
        """Run a SELECT query and return its rows (the keywords are those of :meth:`query`)."""
        result = self.query(sparql, bindings, **options)
        if not isinstance(result, QueryResult):
            raise UsageError("not a SELECT query")
        return result

    def _query_oxigraph(
        self,
        sparql: str,
        bindings: Mapping[str, Node],
        max_rows: int | None = None,
        *,
        union: bool = True,
    ) -> QueryResult | bool | Graph:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()
        }
        try:
            result = self.store.query(sparql, use_default_graph_as_union=union, substitutions=subs)
        except SyntaxError as exc:
            raise QuerySyntaxError(
                _first_line(exc), path="<query>", line=exc.lineno, column=exc.offset
            ) from None
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = tuple(v.value for v in result.variables)
            # One rdflib term per distinct term: rows repeat labels, roles, works, and
            # rdflib's constructors check every IRI and language tag (half the time of a
            # 100k-row result before).
            converted: dict[object, RdfTerm] = {}

            def convert(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> RdfTerm | None:
                if term is None:
                    return None
                known = converted.get(term)
                if known is None:
                    if len(converted) >= _CONVERTED_TERMS:
                        converted.clear()
                    known = converted[term] = to_rdflib(term)
                return known

            rows: list[Row] = [
                tuple(convert(solution[v]) for v in variables)  # type: ignore[arg-type]
                for solution in iter_limited(result, max_rows)
            ]
            return QueryResult(variables, rows)
        graph = Graph()
        for triple in iter_limited(result, max_rows):
            graph.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        return graph

    def _query_rdflib(
        self, sparql: str, bindings: Mapping[str, Node], max_rows: int | None = None
    ) -> QueryResult | bool | Graph:
        try:
            prepared = prepareQuery(sparql)
        except ParseException as exc:
            raise QuerySyntaxError(
                str(exc.msg), path="<query>", line=exc.lineno, column=exc.col
            ) from None
        result = self.dataset().query(
            prepared,
            initBindings={Variable(k): v for k, v in bindings.items()},  # type: ignore[misc]
        )
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type == "SELECT":
            variables = tuple(str(v) for v in (result.vars or []))
            rows = [
                tuple(row[i] for i in range(len(variables)))  # type: ignore[index,arg-type]
                for row in iter_limited(iter(result), max_rows)
            ]
            return QueryResult(variables, rows)  # type: ignore[arg-type]
        graph = Graph()
        for triple in iter_limited(iter(result), max_rows):
            graph.add(triple)  # type: ignore[arg-type]
        return graph


class RdflibEngine:
    """The quads of a :class:`KnowledgeGraph` answered by rdflib's SPARQL engine (the
    ``--engine rdflib`` of the CLI): queries run on ``kg.dataset()``, everything else (load,
    update, quads…) on the graph itself, so both engines always see the same quads.
    Made by ``kg.using("rdflib")``.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg

    def __repr__(self) -> str:
        return f"RdflibEngine({self.kg.path or 'memory'})"

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        **options: Unpack[_RdflibOptions],
    ) -> QueryResult | bool | Graph:
        """:meth:`KnowledgeGraph.query` on rdflib (the same keywords)."""
        return self.kg.query(sparql, bindings, engine="rdflib", **options)

    def select(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        **options: Unpack[_RdflibOptions],
    ) -> QueryResult:
        """:meth:`KnowledgeGraph.select` on rdflib (the same keywords)."""
        return self.kg.select(sparql, bindings, engine="rdflib", **options)

    def update(self, sparql: str, **options: bool) -> None:
        """:meth:`KnowledgeGraph.update` (the quads are the graph's)."""
        self.kg.update(sparql, **options)

    def load(self, path: str | Path, *, graph: str | URIRef, fmt: str | None = None) -> int:
        """:meth:`KnowledgeGraph.load`."""
        return self.kg.load(path, graph=graph, fmt=fmt)

    def quads(self) -> Iterator[tuple[RdfTerm, RdfTerm, RdfTerm, URIRef | BNode | None]]:
        """:meth:`KnowledgeGraph.quads`."""
        return self.kg.quads()

    def graph_names(self) -> list[URIRef]:
        """:meth:`KnowledgeGraph.graph_names`."""
        return self.kg.graph_names()

    def clear_graph(self, graph: str | URIRef) -> None:
        """:meth:`KnowledgeGraph.clear_graph`."""
        self.kg.clear_graph(graph)

    def __len__(self) -> int:
        return len(self.kg)

    def flush(self) -> None:
        """:meth:`KnowledgeGraph.flush`."""
        self.kg.flush()

    def close(self) -> None:
        """:meth:`KnowledgeGraph.close`."""
        self.kg.close()


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}", hint=f"use one of {', '.join(ENGINES)}")


def _check_store_target(path: Path) -> None:
    """Refuse to replace what is not a store: a file, or a folder holding other things."""
    if path.is_dir() and not (path / "CURRENT").is_file() and any(path.iterdir()):
        raise OutputError(
            f"{path}: this folder holds no filmkg store, and importing would replace it",
            hint="give a new path, or a store made by filmkg import --into or build --store",
        )
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: a file, not a store", hint="give a folder path for the store")


def _write_error(path: Path, exc: OSError) -> OutputError:
    """The one line for a store that cannot be written (full disk, read-only, in use)."""
    text = str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left" in text:
        reason, hint = "no space left on the disk", "free some space, or choose another disk"
    elif "lock" in text.lower():
        reason = "another process has it open (filmkg serve, or another import?)"
        hint = "stop that process, or write to another store"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) or "ermission denied" in text:
        reason, hint = "permission denied", "choose a store in a folder you can write to"
    else:
        reason, hint = _first_line(exc), "check the disk and the path"
    return OutputError(f"{path}: cannot write the store ({reason}); it is as it was", hint=hint)


def _first_line(exc: BaseException) -> str:
    return str(exc.args[0] if exc.args else exc).splitlines()[0]
