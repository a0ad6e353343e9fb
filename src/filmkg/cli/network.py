"""``filmkg network``: the collaboration network — stats, paths, reunions, ego networks, export."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import networkx as nx
from rdflib import Graph

from filmkg.cli._options import (
    load_graph,
    output_option,
    store_option,
    terminal_width,
    text_or_json_option,
)
from filmkg.io.fileio import atomic_write_bytes, atomic_write_text
from filmkg.network import projection as nw
from filmkg.network.projection import (
    collaboration_graph,
    collaboration_path,
    compare_reunions,
    derived_triples,
    ego_network,
    export_graph,
    find_reunions,
    network_stats,
    stated_reunions,
)
from filmkg.rdf.namespaces import bind_prefixes
from filmkg.sparql import catalogue as queries
from filmkg.sparql.results import compact, text_table

if TYPE_CHECKING:
    from filmkg.engines.store import Engine, KnowledgeGraph

F = TypeVar("F", bound=Callable[..., Any])

GRAPHS = ("collaboration", "person-work", "company-work", "overview")


#: Where --store waits for the subcommand in click's context.
_STORE_KEY = "filmkg.cli.network:store_path"


def _remember_store(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    ctx.meta[_STORE_KEY] = value


def common_options(func: F) -> F:
    """``--engine``, ``--data`` and ``--store`` for every subcommand."""
    func = store_option(
        "Read the on-disk store made by `filmkg build --store PATH` instead of the "
        "project graph (big graphs: the collaboration graph is then built lean).",
        expose_value=False,
        callback=_remember_store,
    )(func)
    func = click.option(
        "--data",
        "data",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Also load this RDF file (repeatable).",
    )(func)
    return click.option(
        "--engine",
        type=click.Choice(["oxigraph", "rdflib"]),
        default="oxigraph",
        show_default=True,
        help="SPARQL engine the named queries run on.",
    )(func)


def load(data: Sequence[Path]) -> KnowledgeGraph:
    """The project graph plus ``data`` files, or the store given with ``--store``."""
    store: Path | None = click.get_current_context().meta.get(_STORE_KEY)
    return load_graph(data, store, files_name="--data")


def resolve_person(kg: KnowledgeGraph, text: str, engine: Engine) -> str:
    """A person's IRI from a name or an IRI (the named-query resolver: labels, altLabels)."""
    return str(queries.resolve_entity(kg, "person", text, engine=engine))


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The CLI's one table style (:func:`filmkg.sparql.results.text_table`), fitted to the
    terminal.

    >>> print(table(["a", "bb"], [[1, "x"], [22, "yy"]]))
    a  | bb
    ---+---
    1  | x
    22 | yy
    """
    return text_table(headers, rows, width=terminal_width())


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False))


@click.group()
def network() -> None:
    """The collaboration network (NetworkX): who worked with whom, in what role.

    People are linked when they are credited on the same work. Person arguments take a
    name ("Tom Hanks") or an IRI (kg:person/tom-hanks).
    """


@network.command()
@common_options
@text_or_json_option
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many of the most central people to list.",
)
def stats(engine: Engine, data: tuple[Path, ...], fmt: str, top: int) -> int:
    """Size, components, density, centrality (degree, betweenness) and communities."""
    graph = collaboration_graph(load(data), engine=engine)
    result = network_stats(graph)
    if fmt == "json":
        _echo_json(result.as_dict())
        return 0
    label = {n: d.get("label", n) for n, d in graph.nodes(data=True)}
    click.echo(
        f"{result.nodes} people, {result.edges} collaborations (pairs), "
        f"{result.components} component(s), largest {result.largest_component}, "
        f"density {result.density:.3f}"
    )
    if result.isolated:
        names = ", ".join(sorted(str(label[n]) for n in result.isolated))
        click.echo(f"no collaborator: {names}")
    click.echo("")
    click.echo(
        table(
            ["person", "collaborators", "shared works", "degree centrality", "betweenness"],
            [
                [
                    r.label,
                    r.degree,
                    r.shared_works,
                    f"{r.degree_centrality:.3f}",
                    f"{r.betweenness:.3f}",
                ]
                for r in result.centrality[:top]
            ],
        )
    )
    click.echo("")
    click.echo("communities (Louvain, seed 42):")
    for i, group in enumerate(result.communities, start=1):
        click.echo(f"  {i}. " + ", ".join(sorted(str(label[n]) for n in group)))
    return 0


@network.command()
@common_options
@text_or_json_option
@click.argument("source")
@click.argument("target")
def path(engine: Engine, data: tuple[Path, ...], fmt: str, source: str, target: str) -> int:
    """The shortest collaboration path from SOURCE to TARGET, with works and roles."""
    kg = load(data)
    a, b = resolve_person(kg, source, engine), resolve_person(kg, target, engine)
    hops = collaboration_path(collaboration_graph(kg, engine=engine, lean=False), a, b)
    if fmt == "json":
        _echo_json([h.as_dict() for h in hops])
        return 0
    if not hops:
        click.echo("the same person: a path of length 0")
        return 0
    click.echo(
        f"{len(hops)} hop(s): "
        + " → ".join([hops[0].source_label, *(h.target_label for h in hops)])
    )
    for i, hop in enumerate(hops, start=1):
        click.echo(f"{i}. {hop.source_label} — {hop.target_label}")
        for w in hop.works:
            year = f" ({w.year})" if w.year is not None else ""
            click.echo(
                f"     {w.label}{year}: {hop.source_label} as {', '.join(w.source_roles)}; "
                f"{hop.target_label} as {', '.join(w.target_roles)}"
            )
    return 0


@network.command()
@common_options
@text_or_json_option
@click.option(
    "--min-gap",
    type=int,
    default=10,
    show_default=True,
    help="Least number of years between the two works.",
)
def reunions(engine: Engine, data: tuple[Path, ...], fmt: str, min_gap: int) -> int:
    """Reunions found from the credits alone, compared with those the sources state."""
    kg = load(data)
    found = find_reunions(collaboration_graph(kg, engine=engine, lean=False), min_gap)
    stated = stated_reunions(kg, engine=engine)
    agree = {id(r): s.reunion for s, r in compare_reunions(found, stated) if r is not None}
    if fmt == "json":
        _echo_json(
            {
                "min_gap": min_gap,
                "found": [{**r.as_dict(), "stated_as": agree.get(id(r))} for r in found],
                "stated": [s.__dict__ | {"members": list(s.members)} for s in stated],
            }
        )
        return 0
    click.echo(f"{len(found)} reunion(s) after {min_gap} or more years, from the credits:")
    if found:
        click.echo(
            table(
                ["earlier work", "later work", "gap", "people", "stated by a source"],
                [
                    [
                        f"{r.earlier_label} ({r.earlier_year})",
                        f"{r.later_label} ({r.later_year})",
                        r.gap_years,
                        ", ".join(r.member_labels),
                        compact(agree[id(r)]) if id(r) in agree else "no",
                    ]
                    for r in found
                ],
            )
        )
    missed = [s for s, r in compare_reunions(found, stated) if r is None]
    for s in missed:
        click.echo(f"stated but not found in the credits: {compact(s.reunion)}")
    return 0


@network.command()
@common_options
@text_or_json_option
@click.argument("person")
@click.option(
    "--radius",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="How many collaboration hops to include.",
)
def ego(engine: Engine, data: tuple[Path, ...], fmt: str, person: str, radius: int) -> int:
    """The people within --radius collaboration hops of PERSON."""
    kg = load(data)
    graph = collaboration_graph(kg, engine=engine, lean=False)
    center = resolve_person(kg, person, engine)
    sub = ego_network(graph, center, radius=radius)
    distance = nx.single_source_shortest_path_length(sub, center)
    rows = []
    for node in sorted(sub, key=lambda n: (distance[n], str(sub.nodes[n]["label"]), n)):
        shared = graph.edges[center, node]["work_labels"] if graph.has_edge(center, node) else []
        rows.append((node, sub.nodes[node]["label"], distance[node], shared))
    if fmt == "json":
        _echo_json(
            {
                "center": center,
                "radius": radius,
                "nodes": [
                    {"iri": n, "label": lab, "distance": d, "shared_works": list(s)}
                    for n, lab, d, s in rows
                ],
                "edges": sub.number_of_edges(),
            }
        )
        return 0
    click.echo(
        f"ego network of {graph.nodes[center]['label']} (radius {radius}): "
        f"{sub.number_of_nodes()} people, {sub.number_of_edges()} collaborations"
    )
    click.echo(
        table(
            ["person", "hops", "works shared with the centre"],
            [[lab, d, ", ".join(s)] for _, lab, d, s in rows],
        )
    )
    return 0


def projection(kg: KnowledgeGraph, name: str, engine: Engine) -> nx.Graph:
    """One of the projections by name."""
    builders = {
        "collaboration": nw.collaboration_graph,
        "person-work": nw.person_work_graph,
        "company-work": nw.company_work_graph,
        "overview": nw.overview_graph,
    }
    return builders[name](kg, engine=engine)


@network.command()
@common_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["graphml", "gexf", "json"]),
    default="graphml",
    show_default=True,
    help="File format.",
)
@output_option("File to write (atomically).", required=True)
@click.option(
    "--graph",
    "which",
    type=click.Choice(GRAPHS),
    default="collaboration",
    show_default=True,
    help="Which projection to export.",
)
def export(engine: Engine, data: tuple[Path, ...], fmt: str, output: Path, which: str) -> int:
    """Write a projection as GraphML or GEXF (Gephi, Cytoscape) or node-link JSON."""
    graph = projection(load(data), which, engine)
    atomic_write_bytes(output, export_graph(graph, fmt))
    click.echo(
        f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)",
        err=True,
    )
    return 0


@network.command()
@common_options
@click.option(
    "--min-gap",
    type=int,
    default=10,
    show_default=True,
    help="Least number of years for a derived reunion.",
)
@output_option("Write the Turtle to this file (atomically) instead of stdout.", default=None)
def derive(engine: Engine, data: tuple[Path, ...], min_gap: int, output: Path | None) -> int:
    """The derived collaborations and reunions as RDF (Turtle), with their provenance."""
    kg = load(data)
    collab = collaboration_graph(kg, engine=engine, lean=False)
    triples = derived_triples(
        collab, find_reunions(collab, min_gap), stated_reunions(kg, engine=engine)
    )
    rdf = Graph()
    for triple in triples:
        rdf.add(triple)
    text = bind_prefixes(rdf).serialize(format="turtle")
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        click.echo(f"wrote {output} ({len(triples)} triples)", err=True)
    return 0
