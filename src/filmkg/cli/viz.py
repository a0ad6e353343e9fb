"""``filmkg viz``: draw the network as an interactive HTML page or a static SVG / PNG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from filmkg.cli._options import output_option
from filmkg.cli.network import common_options, load, resolve_person
from filmkg.errors import UsageError
from filmkg.io.fileio import atomic_write_bytes

if TYPE_CHECKING:
    from filmkg.engines.store import Engine, KnowledgeGraph

FORMATS = ("html", "svg", "png", "dot")


@click.command()
@common_options
@output_option(
    "File to write (atomically); its suffix picks the format unless -f is given.", required=True
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
    type=click.Choice(["overview", "people", "releases", "career"]),
    default="overview",
    show_default=True,
    help="overview: people, works and companies; people: the collaboration graph; "
    "releases: the release history of --film; career: --around's credits by year and role.",
)
@click.option("--film", default=None, help="The film of --view releases (a title or an IRI).")
@click.option(
    "--around",
    "--person",
    "person",
    default=None,
    help="Only the people within --depth collaboration hops of this person (name or IRI).",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many collaboration hops around --around to keep.",
)
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
    help="Only the N people with the most collaborators (default: all up to 150 in a "
    "picture, 10,000 on a page).",
)
@click.option(
    "--renderer",
    type=click.Choice(["auto", "vis-network", "sigma"]),
    default="auto",
    show_default=True,
    help="HTML only: vis-network (edge labels, tooltips) or sigma (WebGL, for thousands of "
    "nodes); auto picks sigma past 1,000 nodes.",
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
    film: str | None,
    person: str | None,
    depth: int,
    min_shared: int,
    top: int | None,
    renderer: str,
    title: str,
) -> int:
    """Draw the collaboration network into OUTPUT (one self-contained file).

    The people view colours communities, widens edges by shared works and draws
    reunions in red with their years; names are shown for the 30 most central people.
    The HTML page works offline (vis-network, or sigma.js past 1,000 nodes, inlined; no
    request of any kind): a legend, search by name, evidence quotes; sigma pages filter
    by role and years. SVG and PNG are drawn by matplotlib (the same picture everywhere).
    """
    # heavy: the drawings and timelines import matplotlib (about 1.5 s), so only a drawing
    # pays for it, not `filmkg viz --help`
    from filmkg.network.drawing import (
        DEFAULT_MAX_PEOPLE,
        DEFAULT_MAX_PEOPLE_HTML,
        ViewOptions,
        render_dot,
        render_html,
        render_image,
        view_graph,
    )

    fmt = fmt or _format_of(output)
    kg = load(data)
    if view in ("releases", "career"):
        payload, what = _timeline(kg, view, film, person, fmt, engine)
        atomic_write_bytes(output, payload)
        click.echo(f"wrote {output} ({what})", err=True)
        return 0
    if film is not None:
        raise UsageError("--film goes with --view releases", hint="--view releases --film Here")
    who = resolve_person(kg, person, engine) if person else None
    if depth != 1 and person is None:
        raise UsageError("--depth needs --around NAME", hint="e.g. --around 'Tom Hanks' --depth 2")
    options = ViewOptions(
        view=view,
        person=who,
        depth=depth,
        min_shared=min_shared,
        top=top,
        max_people=DEFAULT_MAX_PEOPLE_HTML if fmt == "html" else DEFAULT_MAX_PEOPLE,
    )
    graph = view_graph(kg, options, engine=engine)
    if fmt == "html":
        payload = render_html(graph, title=title, renderer=renderer).encode("utf-8")
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


def _format_of(output: Path) -> str:
    """The format an output file's suffix names."""
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UsageError(f"cannot tell the format of {output}", hint="give -f html|svg|png|dot")
    return suffix


def _timeline(
    kg: KnowledgeGraph, view: str, film: str | None, person: str | None, fmt: str, engine: Engine
) -> tuple[bytes, str]:
    """The release or career timeline as ``fmt``, and what it holds (for the message)."""
    from filmkg.network.timeline import (  # heavy: matplotlib, only for a timeline
        career_timeline,
        release_timeline,
    )

    if fmt == "dot":
        raise UsageError(f"--view {view} has no dot form", hint="use -f svg, png or html")
    if view == "releases":
        if film is None:
            raise UsageError("--view releases needs --film TITLE", hint="e.g. --film Here")
        timeline = release_timeline(kg, film, engine=engine)
        what = f"{len(timeline.events)} releases of {timeline.label}"
    else:
        if person is None:
            raise UsageError("--view career needs --around NAME", hint="e.g. --around 'Tom Hanks'")
        timeline = career_timeline(kg, person, engine=engine)
        what = f"{len(timeline.entries)} works of {timeline.label}"
    if fmt == "html":
        return timeline.html().encode("utf-8"), what
    return (timeline.svg() if fmt == "svg" else timeline.png()), what
