"""``filmkg query``: list, describe and run the named SPARQL queries.

Kept light on purpose: this path imports click, rdflib and pyoxigraph, never pyshacl,
networkx or matplotlib (a test checks), so a query answers well under a second.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from filmkg.cli._endpoint import (
    connection_options,
    endpoint_option,
    make_endpoint,
    refuse_local_options,
)
from filmkg.cli._options import (
    input_format_option,
    input_paths,
    load_graph,
    output_format,
    store_option,
    terminal_width,
)
from filmkg.engines.remote import Endpoint
from filmkg.errors import ParameterError, UnknownEntityError, UsageError
from filmkg.io.fileio import atomic_write_text
from filmkg.sparql import catalogue as queries
from filmkg.sparql.catalogue import catalogue

if TYPE_CHECKING:
    from filmkg.engines.protocol import SparqlEngine
    from filmkg.engines.store import KnowledgeGraph
    from filmkg.sparql.results import QueryResult

__all__ = ["emit", "engine_option", "graph_options", "open_graph", "parse_params", "query"]

_RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")


F = TypeVar("F", bound=Callable[..., Any])


#: ``--engine``: the embedded SPARQL engine (shared by ``filmkg query`` and ``filmkg sparql``).
engine_option = click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default="oxigraph",
    show_default=True,
    help="Embedded SPARQL engine (oxigraph is the faster: see the README).",
)


def graph_options(func: F) -> F:
    """The options that say which graph a query reads, and where its answer goes:
    ``--data``, ``--input-format``, ``--no-project-data``, ``--store`` and ``-o/--output``
    (shared by ``filmkg query`` and ``filmkg sparql``)."""
    decorators = (
        click.option(
            "--data",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
            help="Also query this RDF file (repeatable; - reads stdin), read strictly, "
            "shortcuts derived.",
        ),
        input_format_option,
        click.option(
            "--no-project-data",
            is_flag=True,
            help="Leave out the project's own graph data (keep the ontology and "
            "vocabularies): query only the --data files.",
        ),
        store_option("Query an on-disk store made by `filmkg build --store PATH` instead."),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to this file (atomically) instead of stdout; its suffix picks the "
            "format unless -f is given (.csv, .tsv, .json/.srj, .xml/.srx, .txt).",
        ),
    )
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``name=value`` pairs (``--param``) as a dict; a repeated name is an error.

    >>> parse_params(["person=Tom Hanks", "min_films=2"])
    {'person': 'Tom Hanks', 'min_films': '2'}
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(
                f"--param {pair!r} is not NAME=VALUE", hint='write e.g. --param person="Tom Hanks"'
            )
        if name in params:
            raise ParameterError(f"--param {name} is given twice")
        params[name] = value
    return params


def open_graph(
    data: Sequence[Path],
    *,
    project_data: bool = True,
    store: Path | None = None,
    input_format: str | None = None,
) -> KnowledgeGraph:
    """The graph to query: an on-disk store, or the project (ontology, vocabularies,
    data unless ``project_data`` is false) plus ``data`` files, shortcuts derived."""
    with input_paths(data, input_format) as paths:
        return load_graph(
            paths, store, project_data=project_data, files_name="--data / --no-project-data"
        )


def emit(text: str, output: Path | None) -> None:
    """Write ``text`` to stdout, or atomically to ``output``."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    atomic_write_text(output, text)
    click.echo(f"wrote {output}", err=True)


#: What to do when a remote store's default graph is not the union of its named graphs.
UNION_HINT = (
    "the endpoint's named graphs hold data its default graph does not show, and filmkg's "
    "queries read the default graph: make it the union of the named graphs (oxigraph serve "
    "--union-default-graph; Fuseki tdb2:unionDefaultGraph) or name the graphs with "
    "--default-graph IRI (docs/triple-store.md, 'The default graph must be the union')"
)


def render_result(result: QueryResult, fmt: str, output: Path | None) -> str:
    """``result`` in ``fmt``; a table on a terminal fits its width."""
    if fmt == "table" and output is None:
        return result.to_table(width=terminal_width())
    return result.serialize(fmt)  # type: ignore[arg-type]


def _list_queries() -> str:
    rows = [(name, nq.summary) for name, nq in catalogue().items()]
    width = max((len(name) for name, _ in rows), default=0)
    return "\n".join(f"{name.ljust(width)}  {summary}" for name, summary in rows)


@click.command()
@click.argument("name", required=False)
@click.option("-l", "--list", "list_", is_flag=True, help="List the named queries and exit.")
@click.option("--describe", is_flag=True, help="Show the query's description, parameters and text.")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help='A parameter (repeatable): --param person="Tom Hanks". People, films, works and '
    "organisations are given by name or IRI.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(_RESULT_FORMATS),
    help="table (the default on stdout): aligned, prefixed names, plain values; "
    "csv/tsv/json/xml: the W3C SPARQL 1.1 results formats (default: from the -o suffix).",
)
@engine_option
@graph_options
@endpoint_option
@connection_options
@click.pass_context
def query(
    ctx: click.Context,
    name: str | None,
    list_: bool,
    describe: bool,
    params: tuple[str, ...],
    fmt: str | None,
    engine: str,
    data: tuple[Path, ...],
    input_format: str | None,
    no_project_data: bool,
    store: Path | None,
    output: Path | None,
    endpoint: str | None,
    credentials_file: Path | None,
    timeout: float,
    retries: int,
    default_graphs: tuple[str, ...],
) -> None:
    """Run the named query NAME (see --list) on the project graph, or on --endpoint.

    Parameters are bound as RDF terms, never pasted into the query: a name with quotes or
    braces is only data. An unknown name gets suggestions; a name shared by several
    entities lists them (give the IRI, e.g. kg:film/here-2024).

    Examples: filmkg query --list;  filmkg query person_credits --describe;
    filmkg query person_credits --param person="Tom Hanks";
    filmkg query reunions -f json;  filmkg query film_credits -p film=Here -f csv;
    filmkg query film_credits -p film=Here --endpoint http://127.0.0.1:7878/query
    """
    if list_:
        if name is not None:
            raise UsageError("--list takes no query name")
        emit(_list_queries(), output)
        return
    if name is None:
        raise UsageError("give a query NAME, or --list to see them", hint="filmkg query --list")
    fmt = output_format(fmt, output) or "table"
    nq = queries.get(name)
    if describe:
        emit(queries.describe(nq), output)
        return
    arguments = parse_params(params)
    for param_name in arguments:
        nq.param(param_name)  # an undeclared name fails before the graph is loaded
    source: SparqlEngine
    if endpoint is not None:
        refuse_local_options(ctx, ("engine", "data", "no_project_data", "store", "input_format"))
        source = make_endpoint(
            endpoint,
            credentials_file=credentials_file,
            timeout=timeout,
            retries=retries,
            default_graphs=default_graphs,
        )
    else:
        source = open_graph(
            data, project_data=not no_project_data, store=store, input_format=input_format
        )
    try:
        result = queries.run(source, nq, arguments, engine=engine)  # type: ignore[arg-type]
    except UnknownEntityError as exc:
        if isinstance(source, Endpoint) and source.lacks_union_default_graph():
            raise UnknownEntityError(exc.message, hint=UNION_HINT) from None
        raise
    emit(render_result(result, fmt, output), output)
    sys.stdout.flush()
