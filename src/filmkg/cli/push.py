"""``filmkg push``: copy the graph into a triple store (Graph Store Protocol / SPARQL Update)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from filmkg.cli._endpoint import connection_options, make_endpoint
from filmkg.cli._options import input_format_option, input_paths, load_graph, store_option
from filmkg.engines.remote import PushProgress
from filmkg.engines.remote import push as run_push


@click.command()
@click.option(
    "--endpoint",
    metavar="URL",
    help="The store's SPARQL query endpoint (e.g. http://127.0.0.1:7878/query, Virtuoso's "
    "http://HOST:8890/sparql); default: --store-url.",
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="IRI",
    help="Push only this named graph (repeatable; default: every named graph of the "
    "project as loaded plus EXTRA files; the derived graph:network is in dist/filmkg.trig, "
    "so push that file to include it).",
)
@click.option(
    "--store-url",
    metavar="URL",
    help="Graph Store Protocol URL (default: found by a quick probe of the known layouts: "
    "/query → /store, Virtuoso's /sparql-graph-crud(-auth), Fuseki's /data, the endpoint "
    "itself; none found: SPARQL Update).",
)
@click.option(
    "--update-url",
    metavar="URL",
    help="SPARQL Update URL (default: the endpoint with /query → /update, else the endpoint).",
)
@click.option(
    "--via",
    type=click.Choice(["auto", "gsp", "update"]),
    default="auto",
    show_default=True,
    help="Graph Store Protocol, SPARQL Update, or GSP with a fallback to Update.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=50_000,
    show_default=True,
    help="Triples per request; a larger graph is staged and moved into place.",
)
@store_option(
    "Push the on-disk store built by `filmkg build --store PATH` (big graphs) instead "
    "of loading the project."
)
@input_format_option
@connection_options
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.argument("extra", nargs=-1, type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
def push(
    endpoint: str | None,
    graphs: tuple[str, ...],
    store_url: str | None,
    update_url: str | None,
    via: str,
    batch_size: int,
    store: Path | None,
    input_format: str | None,
    credentials_file: Path | None,
    timeout: float,
    retries: int,
    default_graphs: tuple[str, ...],
    quiet: bool,
    extra: tuple[Path, ...],
) -> int:
    """Push the graph (plus EXTRA files) into a triple store, one named graph at a time.

    Each named graph replaces the store's graph of the same name (a Graph Store Protocol
    PUT, or staged batches moved into place with one SPARQL MOVE), so pushing twice leaves
    one copy and re-running an interrupted push ends with exactly the graph. Every graph is
    then counted in the store. Credentials: FILMKG_ENDPOINT_USER and
    FILMKG_ENDPOINT_PASSWORD (Basic or Digest auth) or FILMKG_ENDPOINT_TOKEN (bearer), from the
    environment or --credentials-file.

    Example: filmkg push --endpoint http://127.0.0.1:7878/query
    """
    if endpoint is None and store_url is None:
        raise click.UsageError(
            "give the store's SPARQL query URL with --endpoint (e.g. "
            "http://127.0.0.1:7878/query, or Virtuoso's http://HOST:8890/sparql)"
        )
    target = make_endpoint(
        endpoint or store_url or "",
        credentials_file=credentials_file,
        timeout=timeout,
        retries=retries,
        default_graphs=default_graphs,
        update_url=update_url,
        store_url=store_url,
    )
    with input_paths(extra, input_format) as paths:
        kg = load_graph(paths, store)

    def progress(p: PushProgress) -> None:
        if not quiet and p.batches > 1:
            click.echo(
                f"  <{p.graph}>: batch {p.batch}/{p.batches}, {p.sent}/{p.total} triples",
                err=True,
            )

    via_choice: Any = via
    report = run_push(
        kg,
        target,
        graphs=list(graphs) or None,
        batch_size=batch_size,
        via=via_choice,
        progress=progress,
    )
    for g in report.graphs:
        click.echo(f"{g.graph}\t{g.triples}\t{g.method}")
    if not quiet:
        click.echo(
            f"pushed {report.triples} triples in {len(report.graphs)} graph(s) to "
            f"{report.endpoint} (counts verified)",
            err=True,
        )
    return 0
