"""``filmkg import``: import a third-party dataset through a declarative mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from filmkg.build.project import load_project
from filmkg.cli._options import into_option, output_option
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import UsageError
from filmkg.importers.checking import DEFAULT_MAX_LOSS, Limits
from filmkg.importers.mapping import Mapping, load_mapping
from filmkg.importers.pipeline import (
    check_import,
    import_into,
    import_source,
    write_import,
    write_reports,
)

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
@output_option(
    "Write the import's named graph here (.nq N-Quads or .trig); default: stdout.", dir_okay=True
)
@into_option(
    "Add the import to this on-disk store (created with the project graph if new); "
    "a re-import replaces the source's named graph and the derived triples. All or "
    "nothing: if the import fails or is killed, the store is left as it was.",
    "store_path",
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
@click.option(
    "--check",
    "--dry-run",
    "dry_run",
    is_flag=True,
    help="Check the mapping against the source and show what the import would make "
    "(counts per class, the first problems), writing nothing; exit 2 if it would fail.",
)
@click.option(
    "--max-loss",
    type=click.FloatRange(0, 1),
    default=DEFAULT_MAX_LOSS,
    show_default=True,
    help="The share of the records the mapping takes that may make nothing before the "
    "import fails (exit 2).",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Let an import that makes no films succeed (it fails with exit 2 by default).",
)
def import_(
    source: Path,
    mapping_path: str,
    output: Path | None,
    store_path: Path | None,
    report_dir: Path | None,
    threshold: float | None,
    dry_run: bool,
    max_loss: float,
    allow_empty: bool,
) -> int:
    """Import SOURCE (a data file, or a folder holding the mapping's files).

    Entities are resolved against the project graph (and the store given with --into):
    the same film or person becomes one IRI; uncertain matches go to the review file.
    Every problem found in the data is listed, with its record, in the quality report.
    The mapping is checked against the source before anything is written (unknown
    columns, classes, properties and vocabulary terms are errors, exit 2); an import that
    makes no films or loses more than --max-loss of its records fails (exit 2).
    """
    if output is not None and output.suffix not in (".nq", ".trig"):
        raise UsageError(f"{output}: unknown output format", hint="name the file .nq or .trig")
    mapping = load_mapping(mapping_path)
    limits = Limits(max_loss=max_loss, allow_empty=allow_empty)
    if dry_run:
        return _check(source, mapping, store_path, threshold, limits)
    if store_path is not None:
        result = import_into(store_path, source, mapping, threshold=threshold, limits=limits)
    else:
        reference = load_project(infer=False)
        result = import_source(
            source, mapping, reference=reference, threshold=threshold, limits=limits
        )
    if output is not None:
        write_import(result, output)
    elif store_path is None:
        click.echo(write_import(result, None), nl=False)
    if report_dir is None and output is not None:
        report_dir = output.parent
    if report_dir is not None:
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


def _check(
    source: Path, mapping: Mapping, store_path: Path | None, threshold: float | None, limits: Limits
) -> int:
    """``--check``: what the import would make, on stdout; nothing is written."""
    reference = _reference(store_path)
    report = check_import(source, mapping, reference=reference, threshold=threshold, limits=limits)
    click.echo(f"check {mapping.source_id} ({mapping.path}):")
    for line in report.summary():
        click.echo(f"  {line}")
    click.echo("nothing written (--check)")
    for problem in report.problems[:-1]:  # every mistake, one line each, in mapping order
        click.echo(f"filmkg: error: {problem}", err=True)
    if report.problems:
        raise report.problems[-1]
    if report.loss is not None:
        raise report.loss
    return 0


def _reference(store_path: Path | None) -> Any:
    """What ``--check`` resolves against: the store (opened read-only), else the project."""
    if store_path is not None and store_path.exists():
        kg = KnowledgeGraph.open(store_path)  # read-only: --check writes nothing
        if len(kg):
            return kg
    return load_project(infer=False)
