"""``filmkg validate``."""

from __future__ import annotations

from pathlib import Path

import click

from filmkg.cli._options import input_format_option, input_paths, load_graph, store_option
from filmkg.validation.report import validate as run_validate


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
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
@store_option("Validate the on-disk store built by `filmkg build --store PATH` (big graphs).")
@input_format_option
@click.option(
    "--engine",
    type=click.Choice(["auto", "sparql", "pyshacl"]),
    default="auto",
    show_default=True,
    help="auto: the shapes compiled to SPARQL on Oxigraph, any shape the compiler cannot "
    "translate run by pySHACL (with a note); sparql: compiled only; pyshacl: pySHACL for "
    "every shape (the reference: same findings, minutes instead of seconds).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Warnings fail too (exit 1). Without it only violations do; warnings are reported "
    "and the report says sh:conforms false, as SHACL requires.",
)
def validate(
    files: tuple[Path, ...],
    fmt: str,
    shapes: tuple[Path, ...],
    store: Path | None,
    input_format: str | None,
    engine: str,
    strict: bool,
) -> int:
    """Validate the project graph, or your own FILES, against the filmkg shapes.

    Your files are read with the filmkg ontology beside them (for the class hierarchy) and
    the shortcuts are derived, as in a build. Exits 0 if there is no violation (warnings
    alone are reported, and the SHACL report says sh:conforms false), 1 if there is one
    (or, with --strict, any finding at all), 2 if a file cannot be read or parsed.
    FILE - reads stdin (`cat data.ttl | filmkg validate -`; Turtle unless --input-format
    says otherwise).
    """
    with input_paths(files, input_format) as paths:
        kg = load_graph(paths, store, project_data=not paths)
    report = run_validate(kg, shapes, engine=engine)
    for note in report.notes:
        click.echo(f"filmkg: note: {note}", err=True)
    text = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}[fmt]()
    click.echo(text, nl=False)
    return 0 if (report.conforms if strict else report.ok) else 1
