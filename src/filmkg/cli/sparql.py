"""``filmkg sparql``: run an ad-hoc SPARQL query, safely.

The text is checked before it runs (:func:`filmkg.sparql.safety.check_query`): ``SERVICE``,
``FROM``, ``LOAD`` and updates are refused unless a flag allows them. The query runs in
a worker process that is stopped at the time limit, and a result past the row limit is
refused (:func:`filmkg.sparql.limited.limited_query`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pyoxigraph as ox

from filmkg.cli._endpoint import (
    connection_options,
    endpoint_option,
    make_endpoint,
    refuse_local_options,
)
from filmkg.cli._options import output_format, timeout_option
from filmkg.cli.query import emit, engine_option, graph_options, open_graph, render_result
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParseError, ResourceLimitError, SourceNotFoundError, UsageError
from filmkg.export.formats import serialize
from filmkg.io.limits import resolve_limits
from filmkg.rdf.convert import to_oxigraph
from filmkg.rdf.namespaces import PREFIXES
from filmkg.sparql.limited import GraphSource, limited_query
from filmkg.sparql.results import QueryResult, boolean_result
from filmkg.sparql.safety import check_query

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["read_query", "sparql", "with_prefixes"]

_RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
_GRAPH_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml")


def read_query(query_or_file: str) -> tuple[str, str]:
    """The query text and where it came from: a file, ``-`` (stdin) or the text itself.

    >>> read_query("SELECT * WHERE { ?s ?p ?o }")
    ('SELECT * WHERE { ?s ?p ?o }', '<query>')
    """
    if query_or_file == "-":
        return sys.stdin.read(), "<stdin>"
    if _names_a_file(query_or_file):
        path = Path(query_or_file)
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8"), str(path)
            except (OSError, UnicodeDecodeError) as exc:
                raise SourceNotFoundError(f"{path}: cannot read: {exc}") from None
        if path.suffix.lower() in (".rq", ".sparql", ".ru") and " " not in query_or_file:
            raise SourceNotFoundError(f"{path}: no such file", hint="check the path")
    return query_or_file, "<query>"


def _names_a_file(text: str) -> bool:
    """Whether ``text`` may be a path: one line, no braces, short enough for a file name.

    >>> _names_a_file("q.rq"), _names_a_file("SELECT * { ?s ?p ?o }"), _names_a_file("x" * 300)
    (True, False, False)
    """
    if "\n" in text or "{" in text or len(text) >= 4096:
        return False
    try:
        Path(text).is_file()
    except (OSError, ValueError):  # a name too long for the file system: query text
        return False
    return all(len(part.encode()) <= 255 for part in Path(text).parts)


def with_prefixes(text: str) -> str:
    """``text`` after one line declaring the project's prefixes (the query's own PREFIX
    declarations come after, so they win). Error line numbers are one more than the
    user's: :func:`sparql` subtracts it.

    >>> with_prefixes("SELECT ?f WHERE { ?f wdt:P57 ?d }").splitlines()[1]
    'SELECT ?f WHERE { ?f wdt:P57 ?d }'
    """
    head = " ".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())
    return f"{head}\n{text}"


def _graph_text(graph: Graph, fmt: str) -> str:
    quads = [
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in graph
    ]
    return serialize(quads, fmt, prefixes=PREFIXES).decode("utf-8")


@click.command()
@click.argument("query_or_file", metavar="QUERY_OR_FILE")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(_RESULT_FORMATS + _GRAPH_FORMATS),
    help="SELECT / ASK: table (default), csv, tsv, json, xml (the W3C SPARQL 1.1 results "
    "formats). CONSTRUCT / DESCRIBE: turtle (default), ntriples, nquads, trig, jsonld, "
    "rdfxml. Default: from the -o suffix.",
)
@engine_option
@timeout_option(
    default=None,
    what="Stop the query after this many seconds (default: FILMKG_QUERY_TIMEOUT, else 30; "
    "with --endpoint, the wait for its answer)",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    help="Refuse a result of more rows or triples (default: FILMKG_MAX_ROWS, else 100000).",
)
@click.option(
    "--allow-service", is_flag=True, help="Allow SERVICE (federation: contacts other servers)."
)
@click.option("--allow-from", is_flag=True, help="Allow FROM / FROM NAMED dataset clauses.")
@click.option(
    "--allow-update",
    is_flag=True,
    help="Allow SPARQL Update (needs --store: the in-memory project graph is not saved).",
)
@click.option(
    "--allow-load", is_flag=True, help="Allow LOAD in an update (reads a URL or a local file)."
)
@click.option(
    "--no-prefixes",
    is_flag=True,
    help="Do not declare the project's prefixes (filmkg:, kg:, wdt:, schema: …) for the query.",
)
@graph_options
@endpoint_option
@connection_options(timeout=False)
@click.pass_context
def sparql(ctx: click.Context, /, query_or_file: str, **options: Any) -> None:
    """Run the SPARQL query QUERY_OR_FILE (text, a .rq file, or - for stdin).

    The project's prefixes are declared for you. SERVICE, FROM, LOAD and updates are
    refused unless allowed; the query stops at the time limit and a result past the row
    limit is refused (exit 4). A syntax error is one line with its line and column (exit 2).

    With --endpoint URL the query runs on that SPARQL endpoint instead (read-only:
    updates are refused; --timeout bounds the wait for its answer).

    Examples: filmkg sparql 'SELECT ?d WHERE { ?f wdt:P57 ?d }';
    filmkg sparql my-query.rq -o rows.csv;  filmkg sparql - < q.rq --engine rdflib;
    filmkg sparql q.rq --endpoint http://127.0.0.1:7878/query
    """
    opts = _Options(store_path=options.pop("store"), **options)
    text, origin = read_query(query_or_file)
    full = text if opts.no_prefixes else with_prefixes(text)
    if opts.endpoint is not None:
        _run_remote(ctx, full, opts)
        return
    try:
        _run_local(full, opts)
    except ParseError as exc:  # the user's line numbers, the user's name for the text
        shift = 0 if opts.no_prefixes else 1
        if exc.line is not None and exc.line > shift:
            exc.line -= shift
        exc.path = origin
        raise


@dataclass(frozen=True)
class _Options:
    """The options of ``filmkg sparql``, as click passes them."""

    fmt: str | None
    engine: str
    timeout: float | None
    max_rows: int | None
    allow_service: bool
    allow_from: bool
    allow_update: bool
    allow_load: bool
    no_prefixes: bool
    data: tuple[Path, ...]
    input_format: str | None
    no_project_data: bool
    store_path: Path | None  # --store
    output: Path | None
    endpoint: str | None
    credentials_file: Path | None
    retries: int
    default_graphs: tuple[str, ...]


_LOCAL_ONLY = (
    "engine",
    "allow_update",
    "allow_load",
    "data",
    "no_project_data",
    "store",
    "input_format",
)


def _run_remote(ctx: click.Context, full: str, opts: _Options) -> None:
    """Run the query on ``--endpoint`` (where SERVICE is the endpoint's business)."""
    refuse_local_options(ctx, _LOCAL_ONLY)
    assert opts.endpoint is not None
    remote = make_endpoint(
        opts.endpoint,
        credentials_file=opts.credentials_file,
        timeout=resolve_limits(None).query_timeout_s if opts.timeout is None else opts.timeout,
        retries=opts.retries,
        default_graphs=opts.default_graphs,
    )
    answer = remote.query(full)
    _check_rows(answer, opts.max_rows)
    form = "ASK" if isinstance(answer, bool) else "SELECT"
    form = form if isinstance(answer, bool | QueryResult) else "CONSTRUCT / DESCRIBE"
    emit(_render(answer, opts.fmt, form, opts.output), opts.output)


def _run_local(full: str, opts: _Options) -> None:
    """Check the query, then run it on the embedded engine (or update ``--store``)."""
    info = check_query(
        full,
        allow_service=opts.allow_service,
        allow_load=opts.allow_load,
        allow_update=opts.allow_update,
        allow_from=opts.allow_from,
    )
    if info.form == "UPDATE":
        if opts.store_path is None:
            raise UsageError(
                "an update needs --store PATH: the in-memory project graph is not saved"
            )
        _update_store(opts.store_path, full)
        click.echo(f"update applied to {opts.store_path}", err=True)
        return
    source = _graph_source(opts)
    result = limited_query(
        source,
        full,
        engine=opts.engine,  # type: ignore[arg-type]
        timeout_s=opts.timeout,
        max_rows=opts.max_rows,
        allow_service=opts.allow_service,
        allow_from=opts.allow_from,
    )
    emit(_render(result, opts.fmt, info.form, opts.output), opts.output)


def _check_rows(result: QueryResult | bool | Graph, max_rows: int | None) -> None:
    """The row limit, for answers from an endpoint (the server computed them whole)."""
    limit = resolve_limits(None).max_rows if max_rows is None else max_rows
    size = 0 if isinstance(result, bool) else len(result)
    if size > limit:
        raise ResourceLimitError(
            f"the endpoint answered {size} rows or triples, more than the limit of {limit}",
            hint="narrow the query (LIMIT), or raise --max-rows / FILMKG_MAX_ROWS",
        )


def _update_store(store: Path, text: str) -> None:
    if not (store / "CURRENT").is_file():
        raise SourceNotFoundError(
            f"{store}: no store here", hint="make one with `filmkg build --store PATH`"
        )
    kg = KnowledgeGraph(store)  # read-write
    kg.update(text)
    kg.compact()


def _graph_source(opts: _Options) -> GraphSource:
    if opts.store_path is not None:
        if opts.data or opts.no_project_data:
            raise UsageError("give --data / --no-project-data or --store, not both")
        return GraphSource(store_path=str(opts.store_path))
    if not opts.data and not opts.no_project_data:
        return GraphSource(project=True)
    graph = open_graph(
        opts.data, project_data=not opts.no_project_data, input_format=opts.input_format
    )
    return GraphSource.snapshot(graph)


def _render(
    result: QueryResult | bool | Graph, fmt: str | None, form: str, output: Path | None
) -> str:
    """The answer as text: ``fmt``, else the format the ``output`` suffix names."""
    tabular = isinstance(result, bool | QueryResult)
    chosen = output_format(fmt, output, graph=not tabular) or ("table" if tabular else "turtle")
    allowed = _RESULT_FORMATS if tabular else _GRAPH_FORMATS
    if chosen not in allowed:
        other = "CONSTRUCT / DESCRIBE" if tabular else "SELECT / ASK"
        raise UsageError(
            f"-f {chosen} is for {other}; a {form} answer is written as " + ", ".join(allowed)
        )
    if isinstance(result, bool):
        return boolean_result(result, chosen)  # type: ignore[arg-type]
    if isinstance(result, QueryResult):
        return render_result(result, chosen, output)
    return _graph_text(result, chosen)
