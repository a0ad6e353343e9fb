"""``filmkg validate``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="Report format: a human report grouped by focus node, JSON, or the SHACL report graph.",
)
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Validate against these shapes files instead of filmkg's own (repeatable).",
)
def validate(files: tuple[Path, ...], fmt: str, shapes: tuple[Path, ...]) -> int:
    """Validate the project graph, or your own FILES, against the filmkg shapes.

    Your files are read with the filmkg ontology beside them (for the class hierarchy) and
    the shortcuts are derived, as in a build. Exits 0 if the data conforms, 1 if not,
    2 if a file cannot be read or parsed.
    """
    from filmkg.project import load_project
    from filmkg.validation import validate as run_validate

    kg = load_project(files, include_data=not files)
    report = run_validate(kg, shapes)
    text = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}[fmt]()
    click.echo(text, nl=False)
    return 0 if report.conforms else 1
