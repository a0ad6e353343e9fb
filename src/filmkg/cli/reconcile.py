"""``filmkg reconcile``: match our films, people and organisations to Wikidata items."""

from __future__ import annotations

import os
from pathlib import Path

import click

from filmkg import reconcile as rc
from filmkg.cli._endpoint import connection_options, make_endpoint
from filmkg.cli._options import (
    input_format_option,
    input_paths,
    into_option,
    load_graph,
    output_option,
    store_option,
)
from filmkg.engines.remote import Endpoint, display_url, user_agent
from filmkg.errors import UsageError
from filmkg.io.fileio import atomic_write_text

__all__ = ["reconcile"]

#: Environment variable with a contact for the User-Agent (the default of --contact).
ENV_CONTACT = "FILMKG_CONTACT"


@click.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The SPARQL endpoint holding the items (e.g. https://query.wikidata.org/sparql).",
)
@output_option("Write the matches here (.ttl, .nt, .nq or .trig; written whole or not at all).")
@into_option(
    "Write the matches into this store (built by `filmkg build --store`), replacing "
    "the graph of a previous run; all or nothing, like `import --into`.",
    "into",
    file_okay=False,
)
@click.option(
    "--graph",
    default="https://w3id.org/filmkg/graph/reconciled",
    show_default=True,
    metavar="IRI",
    help="The named graph of the matches.",
)
@click.option(
    "--review",
    "review_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the candidates to review (TSV) here (default: <output>.review.tsv beside "
    "-o, else beside --into).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.85,
    show_default=True,
    help="The confidence a match needs to enter the graph; the others go to the review list.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 500),
    default=50,
    show_default=True,
    help="Names (or items) per request.",
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    metavar="TAG",
    help="Ask untagged names in this language (repeatable; default: en and mul).",
)
@click.option(
    "--contact",
    metavar="EMAIL|URL",
    help=f"How the endpoint's operators can reach you, sent in the User-Agent as "
    f"Wikimedia's policy asks (default: ${ENV_CONTACT}).",
)
@click.option(
    "--gold",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A labelled set (TSV: entity, item): print the run's precision and recall on it.",
)
@store_option("Reconcile the entities of this on-disk store instead of the project graph.")
@input_format_option
@connection_options
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
def reconcile(
    endpoint: str,
    output: Path | None,
    into: Path | None,
    graph: str,
    review_path: Path | None,
    threshold: float,
    batch_size: int,
    languages: tuple[str, ...],
    contact: str | None,
    gold: Path | None,
    store: Path | None,
    input_format: str | None,
    credentials_file: Path | None,
    timeout: float,
    retries: int,
    default_graphs: tuple[str, ...],
    quiet: bool,
    files: tuple[Path, ...],
) -> int:
    """Match films, people and organisations to Wikidata items over a SPARQL endpoint.

    The project graph (plus FILES, or a --store) is matched by label, type, dates and
    shared films.
    Matches at or above --threshold become skos:exactMatch links with their evidence
    (the signals that agreed, the endpoint, the day) in a graph of their own; the others
    go to the review list. An interrupted run resumes where it stopped: its answers are
    kept in a checkpoint beside the output (<output>.checkpoint.json), removed at the end.
    See docs/reconcile.md.

    Example: filmkg reconcile --endpoint https://query.wikidata.org/sparql -o matches.ttl
    """
    if output is None and into is None:
        raise UsageError("give -o FILE and/or --into STORE: where the matches go")
    if output is not None:
        rc.check_output(output)
    if into is not None:
        rc.check_store(into)
    options = rc.Options(threshold, batch_size, languages or rc.DEFAULT_LANGUAGES)
    target = make_endpoint(
        endpoint,
        credentials_file=credentials_file,
        timeout=timeout,
        retries=retries,
        default_graphs=default_graphs,
        user_agent=user_agent(contact or os.environ.get(ENV_CONTACT)),
    )
    labelled = rc.read_gold(gold) if gold is not None else None
    with input_paths(files, input_format) as paths:
        inputs = rc.read_inputs(load_graph(paths, store))
    run, review = _run(inputs, target, options, output, into, graph, review_path)
    if not quiet:
        click.echo(_summary(run, review), err=True)
    if labelled is not None:
        click.echo(rc.evaluate(run, labelled).line())
    return 0


def _run(
    inputs: rc.Inputs,
    target: Endpoint,
    options: rc.Options,
    output: Path | None,
    into: Path | None,
    graph: str,
    review_path: Path | None,
) -> tuple[rc.Run, Path]:
    """Run with the checkpoint beside the output; write the store, the file, the review
    list (each whole or not at all); then drop the checkpoint."""
    anchor = output if output is not None else Path(str(into))
    name = display_url(target.url) + "".join(f" {g}" for g in target.default_graphs)
    checkpoint = rc.Checkpoint.open(anchor.with_name(anchor.name + ".checkpoint.json"), name)
    run = rc.reconcile(
        inputs,
        target,
        endpoint_name=display_url(target.url),
        options=options,
        checkpoint=checkpoint,
    )
    quads = list(rc.match_quads(run, graph))
    if into is not None:
        rc.write_into(into, quads, graph)
    if output is not None:
        rc.write_matches(output, quads)
    review = review_path or anchor.with_name(anchor.stem + ".review.tsv")
    atomic_write_text(review, rc.review_tsv(run))
    checkpoint.remove()
    return run, review


def _summary(run: rc.Run, review: Path) -> str:
    reviewed = sum(1 for d in run.decisions if d.review)
    unmatched = len(run.decisions) - len(run.matches) - reviewed
    reused = run.progress.reused
    return (
        f"reconciled {len(run.decisions)} entities with {run.endpoint}: {len(run.matches)} "
        f"matched, {reviewed} to review ({review}), {unmatched} without a candidate; "
        f"{run.set_aside} candidates of another type set aside; {run.progress.sent} requests"
        + (f", {reused} answers reused from the checkpoint" if reused else "")
    )
