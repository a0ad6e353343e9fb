"""``filmkg sparql``: run an ad-hoc SPARQL query, safely.

The text is checked before it runs (:func:`filmkg.sparql.safety.check_query`): ``SERVICE``,
``FROM``, ``LOAD`` and updates are refused unless a flag allows them. The query runs in
a worker process that is stopped at the time limit, and a result past the row limit is
refused (:func:`filmkg.sparql.limited.limited_query`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from filmkg.cli._endpoint import (
    connection_options,
    endpoint_option,
    make_endpoint,
    refuse_local_options,
)
from filmkg.cli.query import emit, engine_option, graph_options, open_graph

if TYPE_CHECKING:
    from rdflib import Graph

    from filmkg.sparql.limited import GraphSource
    from filmkg.sparql.results import QueryResult

__all__ = ["read_query", "sparql", "with_prefixes"]

_RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
_GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")


def read_query(query_or_file: str) -> tuple[str, str]:
    """The query text and where it came from: a file, ``-`` (stdin) or the text itself.

    >>> read_query("SELECT * WHERE { ?s ?p ?o }")
    ('SELECT * WHERE { ?s ?p ?o }', '<query>')
    """
    from filmkg.errors import SourceNotFoundError

    if query_or_file == "-":
        return sys.stdin.read(), "<stdin>"
    looks_like_file = "\n" not in query_or_file and len(query_or_file) < 4096
    if looks_like_file:
        path = Path(query_or_file)
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8"), str(path)
            except (OSError, UnicodeDecodeError) as exc:
                raise SourceNotFoundError(f"{path}: cannot read: {exc}") from None
        if path.suffix.lower() in (".rq", ".sparql", ".ru") and " " not in query_or_file:
            raise SourceNotFoundError(f"{path}: no such file", hint="check the path")
    return query_or_file, "<query>"


def with_prefixes(text: str) -> str:
    """``text`` after one line declaring the project's prefixes (the query's own PREFIX
    declarations come after, so they win). Error line numbers are one more than the
    user's: :func:`sparql` subtracts it.

    >>> with_prefixes("SELECT ?f WHERE { ?f wdt:P57 ?d }").splitlines()[1]
    'SELECT ?f WHERE { ?f wdt:P57 ?d }'
    """
    from filmkg.rdf.namespaces import PREFIXES

    head = " ".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())
    return f"{head}\n{text}"


def _graph_text(graph: Graph, fmt: str) -> str:
    import pyoxigraph as ox

    from filmkg.engines.terms import to_oxigraph
    from filmkg.export.formats import serialize
    from filmkg.rdf.namespaces import PREFIXES

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
    "formats). CONSTRUCT / DESCRIBE: turtle (default), ntriples, jsonld, rdfxml.",
)
@engine_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    help="Stop the query after this many seconds (default: FILMKG_QUERY_TIMEOUT, else 30).",
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
def sparql(
    ctx: click.Context,
    query_or_file: str,
    fmt: str | None,
    engine: str,
    timeout: float | None,
    max_rows: int | None,
    allow_service: bool,
    allow_from: bool,
    allow_update: bool,
    allow_load: bool,
    no_prefixes: bool,
    data: tuple[Path, ...],
    no_project_data: bool,
    store: Path | None,
    output: Path | None,
    endpoint: str | None,
    credentials_file: Path | None,
    retries: int,
    default_graphs: tuple[str, ...],
) -> None:
    """Run the SPARQL query QUERY_OR_FILE (text, a .rq file, or - for stdin).

    The project's prefixes are declared for you. SERVICE, FROM, LOAD and updates are
    refused unless allowed; the query stops at the time limit and a result past the row
    limit is refused (exit 4). A syntax error is one line with its line and column (exit 2).

    With --endpoint URL the query runs on that SPARQL endpoint instead (read-only:
    updates are refused; --timeout bounds the wait for its answer).

    Examples: filmkg sparql 'SELECT ?d WHERE { ?f wdt:P57 ?d }';
    filmkg sparql my-query.rq -f json;  filmkg sparql - < q.rq --engine rdflib;
    filmkg sparql q.rq --endpoint http://127.0.0.1:7878/query
    """
    from filmkg.errors import ParseError, UsageError
    from filmkg.sparql.safety import check_query

    text, origin = read_query(query_or_file)
    full = text if no_prefixes else with_prefixes(text)
    shift = 0 if no_prefixes else 1
    if endpoint is not None:
        local = ("engine", "allow_update", "allow_load", "data", "no_project_data", "store")
        refuse_local_options(ctx, local)
        from filmkg.io.limits import resolve_limits
        from filmkg.sparql.results import QueryResult

        remote = make_endpoint(
            endpoint,
            credentials_file=credentials_file,
            timeout=resolve_limits(None).query_timeout_s if timeout is None else timeout,
            retries=retries,
            default_graphs=default_graphs,
        )
        answer = remote.query(full)  # runs there: SERVICE is the endpoint's business
        _check_rows(answer, max_rows)
        form = "ASK" if isinstance(answer, bool) else "SELECT"
        form = form if isinstance(answer, bool | QueryResult) else "CONSTRUCT / DESCRIBE"
        emit(_render(answer, fmt, form), output)
        return
    try:
        info = check_query(
            full,
            allow_service=allow_service,
            allow_load=allow_load,
            allow_update=allow_update,
            allow_from=allow_from,
        )
        if info.form == "UPDATE":
            if store is None:
                raise UsageError(
                    "an update needs --store PATH: the in-memory project graph is not saved"
                )
            _update_store(store, full)
            click.echo(f"update applied to {store}", err=True)
            return
        source = _graph_source(data, not no_project_data, store)
        from filmkg.sparql.limited import limited_query

        result = limited_query(
            source,
            full,
            engine=engine,  # type: ignore[arg-type]
            timeout_s=timeout,
            max_rows=max_rows,
            allow_service=allow_service,
            allow_from=allow_from,
        )
    except ParseError as exc:
        if exc.line is not None and exc.line > shift:
            exc.line -= shift
        exc.path = origin
        raise
    emit(_render(result, fmt, info.form), output)


def _check_rows(result: QueryResult | bool | Graph, max_rows: int | None) -> None:
    """The row limit, for answers from an endpoint (the server computed them whole)."""
    from filmkg.errors import ResourceLimitError
    from filmkg.io.limits import resolve_limits

    limit = resolve_limits(None).max_rows if max_rows is None else max_rows
    size = 0 if isinstance(result, bool) else len(result)
    if size > limit:
        raise ResourceLimitError(
            f"the endpoint answered {size} rows or triples, more than the limit of {limit}",
            hint="narrow the query (LIMIT), or raise --max-rows / FILMKG_MAX_ROWS",
        )


def _update_store(store: Path, text: str) -> None:
    from filmkg.engines.store import KnowledgeGraph
    from filmkg.errors import SourceNotFoundError

    if not (store / "CURRENT").is_file():
        raise SourceNotFoundError(
            f"{store}: no store here", hint="make one with `filmkg build --store PATH`"
        )
    kg = KnowledgeGraph(store)  # read-write
    kg.update(text)
    kg.compact()


def _graph_source(data: tuple[Path, ...], project_data: bool, store: Path | None) -> GraphSource:
    from filmkg.sparql.limited import GraphSource

    if store is not None:
        if data or not project_data:
            from filmkg.errors import UsageError

            raise UsageError("--store cannot be combined with --data or --no-project-data")
        return GraphSource(store_path=str(store))
    if not data and project_data:
        return GraphSource(project=True)
    return GraphSource.snapshot(open_graph(data, project_data=project_data))


def _render(result: QueryResult | bool | Graph, fmt: str | None, form: str) -> str:
    from filmkg.errors import UsageError
    from filmkg.sparql.results import QueryResult, boolean_result

    if isinstance(result, bool | QueryResult):
        chosen = fmt or "table"
        if chosen not in _RESULT_FORMATS:
            raise UsageError(
                f"-f {chosen} is for CONSTRUCT / DESCRIBE; a {form} answer is written as "
                + ", ".join(_RESULT_FORMATS)
            )
        if isinstance(result, bool):
            return boolean_result(result, chosen)  # type: ignore[arg-type]
        return result.serialize(chosen)  # type: ignore[arg-type]
    chosen = fmt or "turtle"
    if chosen not in _GRAPH_FORMATS:
        raise UsageError(
            f"-f {chosen} is for SELECT / ASK; a {form} answer is written as "
            + ", ".join(_GRAPH_FORMATS)
        )
    return _graph_text(result, chosen)
