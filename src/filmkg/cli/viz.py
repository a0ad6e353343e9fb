"""``filmkg viz``: draw the network as an interactive HTML page or a static SVG / PNG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from filmkg.cli.network import common_options, load, resolve_person

if TYPE_CHECKING:
    from filmkg.engines.store import Engine

FORMATS = ("html", "svg", "png", "dot")


@click.command()
@common_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (atomically); its suffix picks the format unless -f is given.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="html (interactive, offline), svg, png, or the Graphviz dot source.",
)
@click.option(
    "--view",
    type=click.Choice(["overview", "people"]),
    default="overview",
    show_default=True,
    help="overview: people, works and companies; people: the collaboration graph.",
)
@click.option("--person", default=None, help="Only this person's neighbourhood (name or IRI).")
@click.option(
    "--min-shared",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Only people who share at least N works with someone.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=None,
    help="Only the N people with the most collaborators (default: all up to 150).",
)
@click.option(
    "--title",
    default="filmkg collaboration network",
    show_default=True,
    help="Title of the picture.",
)
def viz(
    engine: Engine,
    data: tuple[Path, ...],
    output: Path,
    fmt: str | None,
    view: str,
    person: str | None,
    min_shared: int,
    top: int | None,
    title: str,
) -> int:
    """Draw the collaboration network into OUTPUT (one self-contained file).

    The HTML page works offline (vis-network inlined, no request of any kind): nodes
    coloured by kind, edges labelled by role, evidence quotes in tooltips, a legend and
    search by name. SVG and PNG use Graphviz when installed, else matplotlib.
    """
    from filmkg.errors import UsageError
    from filmkg.io.fileio import atomic_write_bytes
    from filmkg.network.drawing import (
        ViewOptions,
        render_dot,
        render_html,
        render_image,
        view_graph,
    )

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix not in FORMATS:
            raise UsageError(f"cannot tell the format of {output}", hint="give -f html|svg|png|dot")
        fmt = suffix
    kg = load(data)
    who = resolve_person(kg, person, engine) if person else None
    graph = view_graph(
        kg, ViewOptions(view=view, person=who, min_shared=min_shared, top=top), engine=engine
    )
    if fmt == "html":
        payload = render_html(graph, title=title).encode("utf-8")
    elif fmt == "dot":
        payload = render_dot(graph, title=title).encode("utf-8")
    else:
        payload = render_image(graph, fmt, title=title)
    atomic_write_bytes(output, payload)
    click.echo(
        f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)",
        err=True,
    )
    return 0
