"""``filmkg import``: import a third-party dataset through a declarative mapping."""

from __future__ import annotations

from pathlib import Path

import click

from filmkg.errors import UsageError

__all__ = ["import_"]


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-m",
    "--mapping",
    "mapping_path",
    required=True,
    help="Mapping file (TOML), or the name of a shipped mapping: neo4j-movies, "
    "wikipedia-movies, netflix-titles.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the import's named graph here (.nq N-Quads or .trig); default: stdout.",
)
@click.option(
    "--into",
    "store_path",
    type=click.Path(path_type=Path),
    help="Add the import to this on-disk store (created with the project graph if new); "
    "a re-import replaces the source's named graph and the derived triples.",
)
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path),
    help="Write <source>.quality.json, <source>.quality.md and <source>.review.json here "
    "(default: beside --output).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    help="Confidence a fuzzy match needs to enter the graph (default: the mapping's, else 0.85).",
)
def import_(
    source: Path,
    mapping_path: str,
    output: Path | None,
    store_path: Path | None,
    report_dir: Path | None,
    threshold: float | None,
) -> int:
    """Import SOURCE (a data file, or a folder holding the mapping's files).

    Entities are resolved against the project graph (and the store given with --into):
    the same film or person becomes one IRI; uncertain matches go to the review file.
    Every problem found in the data is listed, with its record, in the quality report.
    """
    from filmkg.importing import import_into, import_source, write_import
    from filmkg.mapping import load_mapping

    if output is not None and output.suffix not in (".nq", ".trig"):
        raise UsageError(f"{output}: unknown output format", hint="name the file .nq or .trig")
    mapping = load_mapping(mapping_path)
    if store_path is not None:
        result = import_into(store_path, source, mapping, threshold=threshold)
    else:
        from filmkg.project import load_project

        reference = load_project(infer=False)
        result = import_source(source, mapping, reference=reference, threshold=threshold)
    if output is not None:
        write_import(result, output)
    elif store_path is None:
        click.echo(write_import(result, None), nl=False)
    if report_dir is None and output is not None:
        report_dir = output.parent
    if report_dir is not None:
        from filmkg.importing import write_reports

        write_reports(result, report_dir)
    counts = result.report.counts()
    problems = sum(counts.values())
    click.echo(
        f"imported {result.source_id}: {len(result.entities)} entities, "
        f"{len(result.assertions)} assertions, {len(result.quads)} quads into <{result.graph}>; "
        f"{len(result.matches)} matches, {len(result.review)} for review; "
        f"{problems} data problems"
        + (f" ({', '.join(f'{k} {n}' for k, n in counts.items())})" if counts else ""),
        err=True,
    )
    return 0
