"""``filmkg build``."""

from __future__ import annotations

from pathlib import Path

import click

from filmkg.cli._options import input_format_option, input_paths, store_option


@click.command()
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to write the artefacts to (replaced whole, atomically).",
)
@store_option(
    "Build an on-disk Oxigraph store here instead of dist/ (big graphs: bulk load, "
    "SPARQL-compiled validation); other commands read it with --store."
)
@input_format_option
@click.option(
    "--collaborations/--no-collaborations",
    default=None,
    help="Write (or not) the derived person-person collaborations into the exports; by "
    "default only when they at most double the graph (they grow with the square of a cast).",
)
@click.option(
    "--wikidata-statements",
    is_flag=True,
    help="Also derive every assertion as a Wikidata statement (p:/ps:/pq: with rank and "
    "references) into the graph, so sparql/serve answer statement queries (opt-in: about "
    "a third more triples; the wikidata export profile always has them).",
)
@click.argument("extra", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
def build(
    out: Path,
    extra: tuple[Path, ...],
    store: Path | None,
    input_format: str | None,
    collaborations: bool | None,
    wikidata_statements: bool,
) -> int:
    """Build the graph: load ontology and data (plus EXTRA files), derive, validate, write.

    Writes the merged graph, every export format and the validation report to the output
    folder. Exits 1 (writing nothing) when the graph does not conform to the shapes.
    """
    # heavy: build.dist draws network.svg with matplotlib (about 1.5 s to import), so
    # only a build pays for it, not `filmkg build --help`
    from filmkg.build.dist import build as run_build
    from filmkg.build.dist import build_store

    views = ("wikidata-statements",) if wikidata_statements else ()
    with input_paths(extra, input_format) as paths:
        if store is not None:
            result = build_store(store, tuple(paths), views=views)
        else:
            result = run_build(out, tuple(paths), collaborations=collaborations, views=views)
    for note in result.notes:
        click.echo(f"filmkg: note: {note}", err=True)
    if store is not None:
        out = store
    if not result.report.ok:
        click.echo(result.report.to_text(), err=True, nl=False)
        click.echo(
            f"filmkg: build stopped: the graph does not conform; {out}/ left as it was",
            err=True,
        )
        return 1
    for path in result.files:
        click.echo(str(path))
    n_w = len(result.report.warnings)
    click.echo(f"built {result.counts.describe()}; conforms ({n_w} warning(s)) → {out}/", err=True)
    return 0
