"""``filmkg extract`` and ``filmkg accept``: candidate facts from a text, reviewed, accepted."""

from __future__ import annotations

from pathlib import Path

import click

from filmkg.build.project import load_project
from filmkg.cli._options import into_option, output_option
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import UsageError

__all__ = ["accept", "extract"]


def _extract_module() -> object:
    try:  # spaCy is an optional dependency (filmkg[extract]): say how to get it
        import spacy  # noqa: F401
    except ImportError:
        raise UsageError(
            "filmkg extract needs spaCy", hint="pip install 'filmkg[extract]'"
        ) from None
    import filmkg.extract.workflow as workflow  # after the check: it imports spaCy at its top

    return workflow


@click.command()
@click.argument("text_file", type=click.Path(path_type=Path))
@click.option("--source-publisher", "publisher", help="Who published the text (e.g. Collider).")
@click.option(
    "--source-date",
    "date",
    help="When it was published (YYYY-MM-DD); releases after it are planned, before it happened.",
)
@click.option("--source-url", "url", help="Where it was published (http/https).")
@click.option(
    "--source-id",
    help="The source's id (its named graph is graph:source/ID); default: the text file's name.",
)
@output_option("Write the review file here (TOML); default: stdout.", dir_okay=True)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Link names to the entities of this on-disk store (default: the project graph).",
)
@click.option(
    "--rejections",
    type=click.Path(path_type=Path),
    help="Candidate ids rejected before (default: TEXT_FILE.rejected); they are "
    "not proposed again.",
)
def extract(
    text_file: Path,
    publisher: str | None,
    date: str | None,
    url: str | None,
    source_id: str | None,
    output: Path | None,
    store: Path | None,
    rejections: Path | None,
) -> int:
    """Propose the facts TEXT_FILE states, for review.

    Each candidate is an assertion of the ontology (credit, adaptation, release, rights,
    label, partnership, reunion) with the verbatim quote and its character offsets, the
    entities it links to (or proposes as new) and the rule that found it. Edit the review
    file, then run `filmkg accept REVIEW`.
    """
    workflow = _extract_module()
    reference = KnowledgeGraph.open(store) if store is not None else load_project(infer=False)
    run = workflow.extract_file(  # type: ignore[attr-defined]
        text_file,
        reference=reference,
        output=output,
        publisher=publisher,
        date=date,
        url=url,
        source_id=source_id,
        rejections=rejections,
    )
    if output is None:
        click.echo(run.review, nl=False)
    click.echo(workflow.describe(run, text_file, output), err=True)  # type: ignore[attr-defined]
    return 0


@click.command()
@click.argument("review", type=click.Path(path_type=Path))
@output_option("Add the accepted facts to this file (.trig or .nq; created if new).", dir_okay=True)
@into_option(
    "Add the accepted facts to this on-disk store (created with the project "
    "graph if new); the derived triples are computed again.",
    "store",
    file_okay=False,
)
def accept(review: Path, output: Path | None, store: Path | None) -> int:
    """Write the candidates accepted in REVIEW into the source's named graph.

    Quotes are checked against the source text at their offsets; rejected candidates
    are remembered so `filmkg extract` does not propose them again. Accepting the same
    review twice adds nothing.
    """
    workflow = _extract_module()
    if output is None and store is None:
        raise UsageError("say where the facts go", hint="give -o FILE.trig or --into STORE")
    run = workflow.accept_file(review, output=output, into=store)  # type: ignore[attr-defined]
    click.echo(
        f"accepted {len(run.accepted)}, rejected {len(run.rejected)}, pending "
        f"{len(run.pending)}; {run.added} new statements in <{run.graph}>"
        + (f"; rejections remembered in {run.rejections}" if run.rejected else ""),
        err=True,
    )
    return 0
