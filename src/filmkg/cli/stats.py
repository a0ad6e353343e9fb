"""``filmkg stats``."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def stats(files: tuple[Path, ...], fmt: str) -> int:
    """Count films, people, organisations, credits, facts and sources (of FILES if given)."""
    from filmkg.build.project import load_project
    from filmkg.build.stats import graph_stats

    counts = graph_stats(load_project(files, include_data=not files))
    if fmt == "json":
        click.echo(json.dumps(counts, indent=2, sort_keys=True))
    else:
        width = max(len(k) for k in counts)
        for key, value in counts.items():
            click.echo(f"{key:<{width}}  {value:>8}")
    return 0
