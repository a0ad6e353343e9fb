"""``filmkg export``: write the graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from filmkg.build.project import load_project
from filmkg.build.stats import count_statements
from filmkg.cli._options import (
    input_format_option,
    input_paths,
    load_graph,
    output_option,
    store_option,
)
from filmkg.engines.store import KnowledgeGraph
from filmkg.export.formats import export_format, export_to_path, export_to_stream
from filmkg.io.loading import parse_file
from filmkg.rdf.namespaces import GRAPH

__all__ = ["export"]

_FORMATS = "turtle, ntriples, nquads, trig, jsonld, rdfxml"


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@input_format_option
@click.option(
    "-f",
    "--format",
    "fmt",
    metavar="FORMAT",
    help=f"{_FORMATS} (or a media type such as text/turtle); default from the -o "
    "extension, else turtle.",
)
@output_option("Write to this file (atomically) instead of stdout.")
@click.option(
    "--profile",
    type=click.Choice(["full", "wikidata", "schema"]),
    default="full",
    show_default=True,
    help="full: every graph as it is; wikidata / schema: the facts in Wikidata's or "
    "schema.org's terms only.",
)
@click.option(
    "--no-inferred",
    is_flag=True,
    help="Leave out the graph of derived triples (shortcuts and alignment).",
)
@store_option(
    "Export the on-disk store made by `filmkg build --store PATH` (big graphs; "
    "streamed in constant memory, see --order) instead of the project graph."
)
@click.option(
    "--order",
    type=click.Choice(["auto", "sorted", "store"]),
    default="auto",
    show_default=True,
    help="sorted: canonical, byte-identical output (bounded memory, Python speed); store: "
    "streamed by pyoxigraph in the store's index order (Turtle, N-Triples, N-Quads, TriG; "
    "as fast as a raw dump, constant memory); auto: store for a --store of more than "
    "500,000 quads, else sorted.",
)
@click.option(
    "--frame",
    type=click.Choice(["film"]),
    help="JSON-LD framed view: each film with its credits, releases, rights and evidence "
    "nested (implies -f jsonld).",
)
def export(
    files: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    profile: str,
    no_inferred: bool,
    frame: str | None,
    store: Path | None,
    order: str,
    input_format: str | None,
) -> None:
    """Export the project graph, or FILES, deterministically.

    Same graph, byte-identical output: sorted and grouped by subject, the project's
    prefixes bound, blank nodes labelled by RDFC-1.0. TriG, N-Quads and JSON-LD keep the
    named graphs (here, ontology, vocab, inferred); Turtle, N-Triples and RDF/XML write
    their union. With FILES, their own triples are converted (nothing is added), except
    with --profile, which reads them with the ontology and derives the shortcuts first.
    Nothing is fetched from the network. A big --store (over 500,000 quads) is streamed
    in the store's own order instead (--order): fast and in constant memory, the same
    bytes for the same store, but not sorted.

    Examples: filmkg export -o here.ttl;  filmkg export --store big.db -o big.nt;
    filmkg export -f jsonld --frame film;
    filmkg export --profile wikidata -f nt;  filmkg export mine.nq -f trig
    """
    if frame is not None and fmt is None:
        fmt = "jsonld"
    spec = export_format(fmt, output)
    with input_paths(files, input_format) as paths:
        kg = load_graph(paths, store) if store is not None else _load(paths, profile)
    options: dict[str, object] = {
        "profile": profile,
        "inferred": not no_inferred,
        "frame": frame,
        "order": order,
    }
    if output is None:
        export_to_stream(kg, sys.stdout.buffer, spec, **options)
        return
    path = export_to_path(kg, output, spec, **options)
    union = "" if spec.dataset else " (their union)"
    click.echo(
        f"wrote {_what(kg, profile, no_inferred)} as {spec.label}{union} to {path}", err=True
    )


def _what(kg: KnowledgeGraph, profile: str, no_inferred: bool) -> str:
    """The statements written, counted as every command counts them."""
    if profile != "full":
        return f"the {profile} profile"
    counts = count_statements(kg)
    if no_inferred:
        counts = counts.only(g for g in counts.graphs if g != str(GRAPH.inferred))
    return counts.describe()


def _load(files: list[Path], profile: str) -> KnowledgeGraph:
    if not files:
        return load_project()
    if profile != "full":
        return load_project(extra=files, include_data=False)
    kg = KnowledgeGraph()  # a plain conversion: the files' own quads, nothing added
    for path in files:
        kg.add_quads(parse_file(path))
    return kg
