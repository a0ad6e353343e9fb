"""Options shared by several commands, declared once: which graph a command reads
(``FILES`` or ``--store``, also spelled ``--location`` as in the Oxigraph CLI; ``-`` for
data on stdin; ``--input-format`` when a file's suffix does not say it), how its output
is written (the format from the output file's suffix unless ``-f`` says otherwise) and
``--timeout`` (one meaning everywhere: the seconds one query may take before it is given
up).

>>> import click
>>> @click.command()
... @store_option("Read this store.")
... def show(store): click.echo(store)
>>> from click.testing import CliRunner
>>> CliRunner().invoke(show, ["--location", "db"]).output
'db\\n'
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParseError, SourceNotFoundError, UsageError

__all__ = [
    "input_format_option",
    "input_paths",
    "into_option",
    "load_graph",
    "output_format",
    "output_option",
    "store_option",
    "terminal_width",
    "text_or_json_option",
    "timeout_option",
]

#: ``--input-format`` names (the loader also takes media types) → the suffix that says it.
INPUT_FORMATS: dict[str, str] = {
    "turtle": ".ttl",
    "ttl": ".ttl",
    "ntriples": ".nt",
    "nt": ".nt",
    "nquads": ".nq",
    "nq": ".nq",
    "trig": ".trig",
    "jsonld": ".jsonld",
    "rdfxml": ".rdf",
    "rdf": ".rdf",
    "xml": ".rdf",
}

#: Output suffix → SPARQL results format (SELECT / ASK answers).
RESULT_SUFFIXES: dict[str, str] = {
    "csv": "csv",
    "tsv": "tsv",
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "txt": "table",
}

#: Output suffix → RDF format (CONSTRUCT / DESCRIBE answers).
GRAPH_SUFFIXES: dict[str, str] = {
    "ttl": "turtle",
    "nt": "ntriples",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "jsonld",
    "json": "jsonld",
    "rdf": "rdfxml",
    "xml": "rdfxml",
    "owl": "rdfxml",
}

F = TypeVar("F", bound=Callable[..., Any])


def store_option(help_text: str, **kwargs: Any) -> Callable[[F], F]:
    """``--store DIR`` (alias ``--location``, the Oxigraph CLI's name for it)."""
    return click.option(
        "--store",
        "--location",
        "store",
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text + " (--location is the same option, named as in the Oxigraph CLI)",
        **kwargs,
    )


def text_or_json_option(func: F) -> F:
    """``-f/--format text|json`` (default text), for commands that print a report."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Output format.",
    )(func)


def output_option(help_text: str, *, dir_okay: bool = False, **kwargs: Any) -> Callable[[F], F]:
    """``-o/--output PATH``: where a command writes (``kwargs`` go to ``click.option``)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=dir_okay, path_type=Path),
        help=help_text,
        **kwargs,
    )


def into_option(help_text: str, dest: str, **path: bool) -> Callable[[F], F]:
    """``--into STORE``: the on-disk store a command adds to (``path`` go to ``click.Path``)."""
    return click.option("--into", dest, type=click.Path(path_type=Path, **path), help=help_text)


def timeout_option(*, default: float | None, what: str) -> Callable[[F], F]:
    """``--timeout SECONDS``: ``what`` says how this command gives a query up."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=default,
        show_default=default is not None,
        metavar="SECONDS",
        help=f"{what}.",
    )


def load_graph(
    files: Sequence[Path],
    store: Path | None,
    *,
    project_data: bool = True,
    files_name: str = "FILES",
    **project: Any,
) -> KnowledgeGraph:
    """The graph a command reads: the on-disk ``store``, or the project plus ``files``.

    ``project_data=False`` leaves the project's own data out (the ontology and the
    vocabularies stay); ``project`` goes to :func:`filmkg.build.project.load_project`. The same
    one-line errors for every command: both given, or a file that is missing.
    """
    if store is not None:
        if files or not project_data:
            raise UsageError(f"give {files_name} or --store, not both")
        return KnowledgeGraph.open(store)
    for path in files:
        if str(path) != "-" and not path.is_file():
            raise SourceNotFoundError(f"{path}: no such file", hint="check the path")
    return load_project(files, include_data=project_data, **project)


def input_format_option(func: F) -> F:
    """``--input-format FORMAT``: the RDF format of the input files, whatever their suffix."""
    return click.option(
        "--input-format",
        type=click.Choice(sorted(INPUT_FORMATS)),
        help="Read the input files (and - for stdin) in this RDF format instead of guessing "
        "it from their suffixes (default for stdin: turtle).",
    )(func)


@contextlib.contextmanager
def input_paths(files: Sequence[Path], input_format: str | None = None) -> Iterator[list[Path]]:
    """``files`` as paths the loader reads: ``-`` is stdin, ``input_format`` the format.

    Data on stdin goes to a temporary ``stdin.<suffix>`` (its named graph is
    ``graph:stdin``); a file whose suffix does not say ``input_format`` is read through a
    link with that suffix. Errors name the file as the user gave it (``<stdin>:3:7``).
    """
    suffix = INPUT_FORMATS[input_format] if input_format else None
    if not any(str(f) == "-" for f in files) and not suffix:
        yield list(files)
        return
    names: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="filmkg-input-") as scratch:
        paths: list[Path] = []
        for i, given in enumerate(files):
            folder = Path(scratch) / str(i)  # one each: two files may share a name
            folder.mkdir()
            if str(given) == "-":
                path = folder / f"stdin{suffix or '.ttl'}"
                path.write_bytes(sys.stdin.buffer.read())
                names[str(path)] = "<stdin>"
            elif suffix and given.suffix.lower() != suffix:
                path = folder / f"{given.stem}{suffix}"
                path.symlink_to(given.resolve())
                names[str(path)] = str(given)
            else:
                path = given
            paths.append(path)
        try:
            yield paths
        except ParseError as exc:
            if exc.path in names:
                exc.path = names[exc.path]
            raise
        except UsageError as exc:  # messages that name the temporary path
            for temporary, name in names.items():
                exc.message = exc.message.replace(temporary, name)
            raise


def output_format(fmt: str | None, output: Path | None, *, graph: bool = False) -> str | None:
    """The format of an answer: ``fmt`` (``-f``) if given, else from the ``output`` file's
    suffix (results: csv, tsv, json, srj, xml, srx; graphs: ttl, nt, nq, trig, jsonld,
    rdf), else ``None`` (the command's default).

    >>> output_format(None, Path("rows.csv")), output_format("json", Path("rows.csv"))
    ('csv', 'json')
    >>> output_format(None, Path("graph.ttl"), graph=True), output_format(None, None)
    ('turtle', None)
    """
    if fmt is not None or output is None:
        return fmt
    suffix = output.suffix.lower().lstrip(".")
    table = GRAPH_SUFFIXES if graph else RESULT_SUFFIXES
    if suffix in table:
        return table[suffix]
    if suffix:
        kind = "an RDF graph" if graph else "query results"
        raise UsageError(
            f"{output}: cannot tell the format of {kind} from the suffix .{suffix}",
            hint="give -f, or name the file ." + ", .".join(sorted(table)),
        )
    return None


def terminal_width() -> int | None:
    """The columns of the terminal stdout writes to; ``None`` when it is not a terminal
    (then tables only cut cells past :data:`filmkg.sparql.results.MAX_CELL`)."""
    try:
        return shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    except (OSError, ValueError):
        return None
