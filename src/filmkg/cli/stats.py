"""``filmkg stats``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from filmkg.build.project import graph_name_for
from filmkg.build.stats import count_statements, graph_stats
from filmkg.cli._options import (
    input_format_option,
    input_paths,
    load_graph,
    store_option,
    text_or_json_option,
)
from filmkg.engines.store import KnowledgeGraph


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@input_format_option
@store_option("Count the on-disk store made by `filmkg build --store PATH` (big graphs).")
@text_or_json_option
def stats(files: tuple[Path, ...], input_format: str | None, store: Path | None, fmt: str) -> int:
    """Count films, people, organisations, credits, facts and sources, and the statements
    graph by graph: of the project, of FILES (- reads stdin) or of a --store.

    FILES are read with the ontology beside them, for its class hierarchy, but only
    their own statements are counted (as `build FILES` would load them, each file in its
    named graph graph:<name>).
    """
    with input_paths(files, input_format) as paths:
        kg = load_graph(paths, store, project_data=not paths)
        own = _files_alone(paths) if paths else None
    counts = graph_stats(kg, of=own)
    statements = count_statements(own if own is not None else kg)
    if fmt == "json":
        document: dict[str, object] = {**counts, "graphs": dict(statements.graphs)}
        click.echo(json.dumps(document, indent=2, sort_keys=True))
        return 0
    width = max(len(k) for k in counts)
    for key, value in counts.items():
        if key not in ("statements", "named graphs"):
            click.echo(f"{key:<{width}}  {value:>9,}")
    click.echo(statements.describe())
    return 0


def _files_alone(paths: list[Path]) -> KnowledgeGraph:
    """The files' own statements, each file in its named graph (nothing added)."""
    kg = KnowledgeGraph()
    for path in paths:
        kg.load(path, graph=graph_name_for(path))
    return kg
